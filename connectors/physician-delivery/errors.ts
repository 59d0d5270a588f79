// Typed PhysicianDelivery errors (see connectors/errors.ts for `type`, `retryable` and what messages may carry):
// messages name the operation and HTTP status or a fixed code, never a fax number, an address or a document.
import { connectorErrorToFailure, ConnectorError } from '../errors.js';

export type PhysicianDeliveryErrorType =
  | 'PhysicianDeliveryUnavailable'
  | 'PhysicianDeliveryRejected'
  | 'PhysicianDeliveryNoRoute'
  | 'PhysicianDeliveryContractViolation';

export abstract class PhysicianDeliveryError extends ConnectorError {
  abstract override readonly type: PhysicianDeliveryErrorType;
}

/** 408/429/5xx, outages, timeouts, resets: the same request may succeed later (after `retryAfterMs`). */
export class PhysicianDeliveryUnavailable extends PhysicianDeliveryError {
  override readonly name = 'PhysicianDeliveryUnavailable';
  readonly type = 'PhysicianDeliveryUnavailable' as const;
  readonly retryable = true;
  override readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  constructor(message: string, opts: { retryAfterMs?: number; status?: number } = {}) {
    super(message);
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
  }
}

/** The gateway refused the request (400/401/403/404/409/413/422): retrying the same request cannot help. */
export class PhysicianDeliveryRejected extends PhysicianDeliveryError {
  override readonly name = 'PhysicianDeliveryRejected';
  readonly type = 'PhysicianDeliveryRejected' as const;
  readonly retryable = false;
  constructor(
    message: string,
    readonly status?: number,
    /** A fixed code from the gateway (e.g. `invalid_number`), never free text. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The recipient has no address on any channel this implementation sends on. */
export class PhysicianDeliveryNoRoute extends PhysicianDeliveryError {
  override readonly name = 'PhysicianDeliveryNoRoute';
  readonly type = 'PhysicianDeliveryNoRoute' as const;
  readonly retryable = false;
}

/** The gateway answered something we cannot trust (wrong shape, redirect, oversized body). */
export class PhysicianDeliveryContractViolation extends PhysicianDeliveryError {
  override readonly name = 'PhysicianDeliveryContractViolation';
  readonly type = 'PhysicianDeliveryContractViolation' as const;
  readonly retryable = false;
}

export function isPhysicianDeliveryError(err: unknown): err is PhysicianDeliveryError {
  return err instanceof PhysicianDeliveryError;
}

/** Activities throw `physicianDeliveryFailure(err)`: the one mapping of these errors to Temporal. */
export function physicianDeliveryFailure(err: unknown): unknown {
  return connectorErrorToFailure(err, isPhysicianDeliveryError);
}

// Typed EMR errors (see connectors/errors.ts for `type`, `retryable` and what messages may carry): messages
// name a resource type, HTTP status or vendor, never a response body or a search parameter.
import { ConnectorError } from '../errors.js';

export type EmrErrorType =
  | 'EmrContractViolation'
  | 'EmrNotFound'
  | 'SlotUnavailable'
  | 'EmrRequestRejected'
  | 'EmrUnsupported'
  | 'EmrTransportError';

export abstract class EmrError extends ConnectorError {
  abstract override readonly type: EmrErrorType;
}

/** The EMR answered something we cannot trust: malformed JSON, wrong shape, oversized, a redirect. */
export class EmrContractViolation extends EmrError {
  override readonly name = 'EmrContractViolation';
  readonly type = 'EmrContractViolation' as const;
  readonly retryable = false;
}

export class EmrNotFound extends EmrError {
  override readonly name = 'EmrNotFound';
  readonly type = 'EmrNotFound' as const;
  readonly retryable = false;
  constructor(readonly resourceType: string) {
    super(`${resourceType} not found in the EMR`);
  }
}

/** The slot was taken (or removed) between search and booking: pick another slot. */
export class SlotUnavailable extends EmrError {
  override readonly name = 'SlotUnavailable';
  readonly type = 'SlotUnavailable' as const;
  readonly retryable = false;
  constructor() {
    super('the slot is no longer available');
  }
}

/** The EMR refused our request (4xx other than 404/408/409/429): retrying the same request cannot help. */
export class EmrRequestRejected extends EmrError {
  override readonly name = 'EmrRequestRejected';
  readonly type = 'EmrRequestRejected' as const;
  readonly retryable = false;
  constructor(
    readonly status: number,
    what: string,
  ) {
    super(`EMR rejected ${what} (HTTP ${status})`);
  }
}

/** The configured vendor profile does not support this operation (e.g. no CarePlan write). */
export class EmrUnsupported extends EmrError {
  override readonly name = 'EmrUnsupported';
  readonly type = 'EmrUnsupported' as const;
  readonly retryable = false;
  constructor(vendor: string, operation: string) {
    super(`EMR profile ${vendor} does not support ${operation}`);
  }
}

/** 408/429/5xx, timeouts, resets: try again later (after `retryAfterMs` when the server said so). */
export class EmrTransportError extends EmrError {
  override readonly name = 'EmrTransportError';
  readonly type = 'EmrTransportError' as const;
  readonly retryable = true;
  override readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

export function isEmrError(err: unknown): err is EmrError {
  return err instanceof EmrError;
}

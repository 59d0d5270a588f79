// Typed payer-connector errors (see connectors/errors.ts for `type`, `retryable` and what messages may carry):
// messages name the operation, HTTP status, X12 error code and segment position, never a response body or
// element value, because X12 carries names, member ids and dates of birth.
import { ConnectorError } from '../errors.js';

export type PayerErrorType = 'PayerContractViolation' | 'PayerRejected' | 'PayerTransportError';

export abstract class PayerError extends ConnectorError {
  abstract override readonly type: PayerErrorType;
}

/**
 * The clearinghouse answered something we cannot trust: unparsable or mismatched X12, a wrong content
 * type, an oversized body, a redirect, a JSON envelope of the wrong shape. Retrying the same call cannot
 * help; a person has to look.
 */
export class PayerContractViolation extends PayerError {
  override readonly name = 'PayerContractViolation';
  readonly type = 'PayerContractViolation' as const;
  readonly retryable = false;
}

/**
 * The clearinghouse refused the request itself (400/401/403/404/413/422 …) or the connector was asked for
 * something it cannot do (unknown payer). Front-end claim rejections (999/277CA) are NOT errors: they are
 * result values the workflow branches on.
 */
export class PayerRejected extends PayerError {
  override readonly name = 'PayerRejected';
  readonly type = 'PayerRejected' as const;
  readonly retryable = false;
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** 408/429/5xx (outages included), timeouts and resets: try again later, after `retryAfterMs` if given. */
export class PayerTransportError extends PayerError {
  override readonly name = 'PayerTransportError';
  readonly type = 'PayerTransportError' as const;
  readonly retryable = true;
  override readonly retryAfterMs: number | undefined;
  constructor(message: string, opts: { retryAfterMs?: number; status?: number } = {}) {
    super(message);
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
  }
  readonly status: number | undefined;
}

export function isPayerError(err: unknown): err is PayerError {
  return err instanceof PayerError;
}

// Typed messaging errors (see connectors/errors.ts for `type`, `retryable` and what messages may carry):
// no address, no name, no message body, no provider free text (providers echo phone numbers and addresses
// back in theirs).
import { ConnectorError } from '../errors.js';

export abstract class MessagingError extends ConnectorError {}

/** The provider answered something outside its contract (malformed, oversized, unexpected shape). */
export class MessagingContractViolation extends MessagingError {
  readonly type = 'MessagingContractViolation';
  readonly retryable = false;
  constructor(readonly reason: string) {
    super(`messaging provider contract violation: ${reason}`);
    this.name = 'MessagingContractViolation';
  }
}

/**
 * The provider refused the request for good (4xx validation, invalid number, unsubscribed recipient, SMTP 5xx
 * permanent failure, bad credentials). Retrying the same request cannot succeed.
 */
export class MessagingRejected extends MessagingError {
  readonly type = 'MessagingRejected';
  readonly retryable = false;
  constructor(
    /** HTTP status or SMTP reply code. */
    readonly status: number | undefined,
    /** Provider error code (Twilio `code`, nodemailer `code`), when it gave one. */
    readonly providerCode: string | undefined,
  ) {
    super(
      `messaging provider rejected the request (status ${status ?? 'n/a'}, code ${providerCode ?? 'n/a'})`,
    );
    this.name = 'MessagingRejected';
  }
}

/** Temporary trouble: 408/429/5xx, SMTP 4xx, timeouts, resets, DNS. Retry, honouring `retryAfterMs`. */
export class MessagingTransportError extends MessagingError {
  readonly type = 'MessagingTransportError';
  readonly retryable = true;
  readonly status: number | undefined;
  readonly providerCode: string | undefined;
  override readonly retryAfterMs: number | undefined;
  constructor(
    readonly reason: string,
    opts: { status?: number; providerCode?: string; retryAfterMs?: number } = {},
  ) {
    super(
      `messaging transport error: ${reason}` +
        (opts.status !== undefined ? ` (status ${opts.status})` : '') +
        (opts.providerCode !== undefined ? ` (code ${opts.providerCode})` : ''),
    );
    this.name = 'MessagingTransportError';
    this.status = opts.status;
    this.providerCode = opts.providerCode;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Our own request is invalid (template parameters, unknown template, bad address): a caller bug. */
export class MessagingInvalidRequest extends MessagingError {
  readonly type = 'MessagingInvalidRequest';
  readonly retryable = false;
  constructor(
    reason: string,
    /** Offending parameter paths and zod issue codes, never the values. */
    readonly issues: ReadonlyArray<{ path: string; code: string }> = [],
  ) {
    super(`invalid messaging request: ${reason}`);
    this.name = 'MessagingInvalidRequest';
  }
}

/**
 * Another attempt for the same message id is in flight (its row is `sending` and recent). Retry later: by then
 * it has either recorded its outcome or is old enough to count as unknown.
 */
export class MessagingSendInProgress extends MessagingError {
  readonly type = 'MessagingSendInProgress';
  readonly retryable = true;
  override readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super('a send for this message id is already in progress');
    this.name = 'MessagingSendInProgress';
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * An earlier attempt reached the provider but crashed before recording the outcome, and the channel cannot
 * deduplicate a resend. Sending again could text the patient twice, so a person decides (human task).
 */
export class MessagingOutcomeUnknown extends MessagingError {
  readonly type = 'MessagingOutcomeUnknown';
  readonly retryable = false;
  constructor() {
    super('an earlier send attempt has an unknown outcome and the channel cannot deduplicate a resend');
    this.name = 'MessagingOutcomeUnknown';
  }
}

export function isMessagingError(err: unknown): err is MessagingError {
  return err instanceof MessagingError;
}

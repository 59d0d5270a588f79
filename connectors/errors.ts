// The base of every connector error (EMR, payer, messaging) and its one mapping to a Temporal failure. The
// workflow branches on `type` (the ApplicationFailure type, a stable string), Temporal's retry policy on
// `retryable`, and a server-requested delay (Retry-After) becomes `nextRetryDelay`. Messages are fixed phrases
// plus structural facts (operation, HTTP status, codes), never a response body or anything that could carry
// PHI, because failure messages end up in logs and workflow history.
import { ApplicationFailure } from '@temporalio/common';

export abstract class ConnectorError extends Error {
  abstract readonly type: string;
  abstract readonly retryable: boolean;
  /** Server-requested delay before the next attempt (Retry-After), for Temporal's `nextRetryDelay`. */
  readonly retryAfterMs: number | undefined = undefined;
}

/**
 * The ApplicationFailure an activity throws for a connector error of the kind `isKind` accepts: non-retryable
 * errors stop at once, retryable ones honour the server's delay. Any other error is returned unchanged.
 */
export function connectorErrorToFailure(
  err: unknown,
  isKind: (err: unknown) => err is ConnectorError = (e): e is ConnectorError => e instanceof ConnectorError,
): unknown {
  if (!isKind(err)) return err;
  return ApplicationFailure.create({
    type: err.type,
    message: err.message,
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}

// HTTP plumbing shared by every connector that talks to an upstream over HTTP (FHIR, clearinghouse, SMS).
export { discardBody, readBodyLimited } from './body.js';
export {
  basicAuthorization,
  fetchWithoutRedirect,
  isRedirect,
  isTimeout,
  type HttpClientOptions,
} from './fetch.js';
export {
  isTemporaryStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  retryClock,
  withRetries,
  type AttemptResult,
  type GaveUp,
  type RetryClock,
  type RetryPolicy,
} from './retry.js';

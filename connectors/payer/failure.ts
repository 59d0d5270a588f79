// Activities turn payer errors into Temporal ApplicationFailures through the one connector mapping.
import { connectorErrorToFailure } from '../errors.js';
import { isPayerError } from './errors.js';

export function payerErrorToFailure(err: unknown): unknown {
  return connectorErrorToFailure(err, isPayerError);
}

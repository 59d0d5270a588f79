// Activities turn EMR errors into Temporal ApplicationFailures through the one connector mapping.
import { connectorErrorToFailure } from '../errors.js';
import { isEmrError } from './errors.js';

export function emrErrorToFailure(err: unknown): unknown {
  return connectorErrorToFailure(err, isEmrError);
}

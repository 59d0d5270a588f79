// Activities throw `toApplicationFailure(err)` for messaging errors: the one connector mapping to Temporal.
import { connectorErrorToFailure } from '../errors.js';
import { isMessagingError } from './errors.js';

export function toApplicationFailure(err: unknown): unknown {
  return connectorErrorToFailure(err, isMessagingError);
}

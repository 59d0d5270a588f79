// FHIR response bodies: read with the connectors' hard byte limit and parsed as JSON, with an oversized or
// unparsable body reported as an EMR contract violation that never quotes the input.
import { readBodyLimited } from '../../http/index.js';
import { EmrContractViolation } from '../errors.js';

export function readLimited(res: Response, maxBytes: number, what: string): Promise<Buffer> {
  return readBodyLimited(
    res,
    maxBytes,
    () => new EmrContractViolation(`EMR ${what} response exceeds ${maxBytes} bytes`),
  );
}

/** Parse JSON without letting the parser's message (which quotes input) escape. */
export function parseJsonBody(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new EmrContractViolation(`EMR ${what} response is not valid JSON`);
  }
}

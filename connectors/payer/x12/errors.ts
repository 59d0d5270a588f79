// Typed codec errors. X12 element values routinely carry PHI (names, member ids, dates of birth), and
// error messages end up in logs, Temporal failures and API problem bodies. So an error carries only
// structural facts: a stable code, the 0-based position of the segment in the interchange and the
// segment id (a two/three-letter tag such as "NM1", never data). Never interpolate element values here.

export type X12ParseErrorCode =
  | 'EMPTY_INPUT'
  | 'NOT_X12'
  | 'INVALID_ISA'
  | 'INVALID_DELIMITERS'
  | 'INVALID_SEGMENT_ID'
  | 'TRUNCATED'
  | 'UNEXPECTED_SEGMENT'
  | 'MISSING_SEGMENT'
  | 'CONTROL_NUMBER_MISMATCH'
  | 'SEGMENT_COUNT_MISMATCH'
  | 'TRANSACTION_COUNT_MISMATCH'
  | 'GROUP_COUNT_MISMATCH'
  | 'UNSUPPORTED_TRANSACTION'
  | 'MISSING_ELEMENT'
  | 'INVALID_AMOUNT'
  | 'INVALID_NUMBER'
  | 'INVALID_DATE'
  | 'INVALID_TIME'
  | 'INVALID_VALUE';

const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;

export class X12ParseError extends Error {
  override readonly name = 'X12ParseError';
  readonly code: X12ParseErrorCode;
  /** 0-based position of the offending segment in the interchange (ISA = 0), when known. */
  readonly segmentIndex: number | undefined;
  /** Segment tag (e.g. "CLP"); omitted when the tag itself is malformed, as it may then be data. */
  readonly segmentId: string | undefined;
  /** 1-based element position inside the segment, when the problem is one element. */
  readonly elementPosition: number | undefined;

  constructor(
    code: X12ParseErrorCode,
    detail: string,
    where: { segmentIndex?: number; segmentId?: string; elementPosition?: number } = {},
  ) {
    const segmentId =
      where.segmentId !== undefined && SEGMENT_ID.test(where.segmentId) ? where.segmentId : undefined;
    const parts = [`X12 ${code}: ${detail}`];
    if (where.segmentIndex !== undefined) parts.push(`segment #${where.segmentIndex}`);
    if (segmentId !== undefined) {
      parts.push(
        where.elementPosition !== undefined
          ? `${segmentId}${String(where.elementPosition).padStart(2, '0')}`
          : segmentId,
      );
    }
    super(parts.join(' at '));
    this.code = code;
    this.segmentIndex = where.segmentIndex;
    this.segmentId = segmentId;
    this.elementPosition = where.elementPosition;
  }
}

export type X12BuildErrorCode =
  'INVALID_INPUT' | 'DELIMITER_IN_VALUE' | 'VALUE_TOO_LONG' | 'TOO_MANY_MODIFIERS';

/**
 * Raised when the caller asks us to generate something that would be invalid X12. Like parse errors, the
 * message names the field path, never its value.
 */
export class X12BuildError extends Error {
  override readonly name = 'X12BuildError';
  readonly code: X12BuildErrorCode;
  readonly field: string;

  constructor(code: X12BuildErrorCode, field: string, detail: string) {
    super(`X12 ${code}: ${detail} (${field})`);
    this.code = code;
    this.field = field;
  }
}

// Scalar conversions between X12 data element types and our model. Money is integer cents and
// percentages are basis points: X12 "R" (decimal) values are parsed as
// strings digit by digit so "0.29" never becomes 28.999… cents. Every function either returns an exact
// value or throws an X12ParseError that carries the position but never the offending text.

import { X12BuildError, X12ParseError } from './errors.js';

/** Where a value sits, so errors can point at it without quoting it. */
export interface ValueSite {
  segmentIndex?: number;
  segmentId?: string;
  elementPosition?: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * Parses an X12 decimal into an integer scaled by 10^scale ("123.45", 2 → 12345). Extra fraction digits
 * are accepted only when they are zeros, because rounding money silently would hide a payer's error.
 */
export function parseScaledDecimal(
  text: string,
  scale: number,
  site: ValueSite = {},
  code: 'INVALID_AMOUNT' | 'INVALID_NUMBER' = 'INVALID_NUMBER',
): number {
  const fast = plainDecimal(text, scale);
  if (fast !== undefined) return fast;
  const m = DECIMAL.exec(text);
  const intPart = m?.[2] ?? '';
  const fracPart = m?.[3] ?? '';
  if (!m || (intPart === '' && fracPart === '') || intPart.length > 13) {
    throw new X12ParseError(code, 'not a decimal number', site);
  }
  const kept = fracPart.slice(0, scale).padEnd(scale, '0');
  if (/[^0]/.test(fracPart.slice(scale))) {
    throw new X12ParseError(code, `more than ${scale} decimal places`, site);
  }
  const magnitude = Number(intPart === '' ? '0' : intPart) * 10 ** scale + Number(kept === '' ? '0' : kept);
  if (!Number.isSafeInteger(magnitude)) throw new X12ParseError(code, 'number out of range', site);
  return m[1] === '-' && magnitude !== 0 ? -magnitude : magnitude;
}

/**
 * Fast path for the overwhelmingly common shape — optional '-', digits, optional '.' and at most `scale`
 * decimals — without regular expressions or string slicing (835s carry thousands of amounts). Reads
 * `text[start, end)`, so the tokenizer can parse an element in place. Anything else (a '+', trailing zeros past
 * the scale, an empty part, too many digits) returns undefined and takes the general path above, which also
 * produces the typed errors.
 */
export function plainDecimal(text: string, scale: number, start = 0, end = text.length): number | undefined {
  let i = start;
  let negative = false;
  if (end > start && text.charCodeAt(start) === 45 /* - */) {
    negative = true;
    i++;
  }
  let intPart = 0;
  let intDigits = 0;
  let frac = 0;
  let fracDigits = 0;
  let dot = false;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (dot) {
        if (fracDigits === scale) return undefined;
        frac = frac * 10 + (c - 48);
        fracDigits++;
      } else {
        intPart = intPart * 10 + (c - 48);
        intDigits++;
      }
    } else if (c === 46 /* . */ && !dot) dot = true;
    else return undefined;
  }
  if (intDigits === 0 || intDigits > 13 || (dot && fracDigits === 0)) return undefined;
  const magnitude = intPart * 10 ** scale + frac * 10 ** (scale - fracDigits);
  return negative && magnitude !== 0 ? -magnitude : magnitude;
}

/** "123.45" → 12345 cents. */
export function parseMoney(text: string, site: ValueSite = {}): number {
  return parseScaledDecimal(text, 2, site, 'INVALID_AMOUNT');
}

/** Same as parseMoney for optional elements: empty → undefined. */
export function parseOptionalMoney(text: string | undefined, site: ValueSite = {}): number | undefined {
  return text === undefined || text === '' ? undefined : parseMoney(text, site);
}

/**
 * Formats a scaled integer as an X12 decimal with the fewest characters: 12345,2 → "123.45",
 * 10000,2 → "100", 12340,2 → "123.4", -5,2 → "-0.05". X12 suppresses trailing zeros and the point.
 */
export function formatScaledDecimal(value: number, scale: number, field = 'amount'): string {
  if (!Number.isSafeInteger(value)) throw new X12BuildError('INVALID_INPUT', field, 'must be an integer');
  const sign = value < 0 ? '-' : '';
  const digits = String(Math.abs(value)).padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return frac === '' ? `${sign}${whole}` : `${sign}${whole}.${frac}`;
}

/** 12345 cents → "123.45". */
export function formatMoney(cents: number, field = 'amount'): string {
  return formatScaledDecimal(cents, 2, field);
}

/** X12 percentages are fractions ("0.2" = 20 %); we keep basis points (2000). */
export function parsePercentBasisPoints(text: string, site: ValueSite = {}): number {
  return parseScaledDecimal(text, 4, site);
}

/** Quantities (units, visits): decimal allowed ("1.5"), returned as a JS number of at most 3 decimals. */
export function parseQuantity(text: string, site: ValueSite = {}): number {
  return parseScaledDecimal(text, 3, site) / 1000;
}

export function formatQuantity(value: number, field = 'quantity'): string {
  const scaled = Math.round(value * 1000);
  if (!Number.isFinite(value) || Math.abs(scaled - value * 1000) > 1e-6) {
    throw new X12BuildError('INVALID_INPUT', field, 'at most 3 decimal places');
  }
  return formatScaledDecimal(scaled, 3, field);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 && leap ? 29 : (DAYS_IN_MONTH[m - 1] ?? 0);
  return d <= days;
}

/** CCYYMMDD → "yyyy-mm-dd"; rejects impossible calendar dates such as 20250230. */
export function parseDate(text: string, site: ValueSite = {}): string {
  const iso = text.length === 8 ? plainDate(text, 0) : undefined;
  if (iso === undefined) {
    throw new X12ParseError('INVALID_DATE', 'expected a CCYYMMDD calendar date', site);
  }
  return iso;
}

/**
 * The eight characters of `text` from `start` as a CCYYMMDD calendar date ("yyyy-mm-dd"), or undefined when
 * they are not eight digits forming a real date. Reads in place (no regular expression, no slice per part).
 */
export function plainDate(text: string, start: number): string | undefined {
  let value = 0;
  for (let i = start; i < start + 8; i++) {
    const c = text.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) return undefined;
    value = value * 10 + (c - 48);
  }
  const day = value % 100;
  const month = Math.floor(value / 100) % 100;
  if (!isRealDate(Math.floor(value / 10_000), month, day)) return undefined;
  return `${text.slice(start, start + 4)}-${text.slice(start + 4, start + 6)}-${text.slice(start + 6, start + 8)}`;
}

/** "yyyy-mm-dd" → CCYYMMDD. */
export function formatDate(iso: string, field = 'date'): string {
  const m = ISO_DATE.exec(iso);
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new X12BuildError('INVALID_INPUT', field, 'expected an ISO yyyy-mm-dd calendar date');
  }
  return `${m[1]}${m[2]}${m[3]}`;
}

/** "yyyy-mm-dd" → YYMMDD for ISA09. */
export function formatShortDate(iso: string, field = 'date'): string {
  return formatDate(iso, field).slice(2);
}

/** YYMMDD (ISA09) → yyyy-mm-dd. X12 gives no century; the interchange window is 2000–2099. */
export function parseShortDate(text: string, site: ValueSite = {}): string {
  if (!/^\d{6}$/.test(text)) throw new X12ParseError('INVALID_DATE', 'expected a YYMMDD date', site);
  return parseDate(`20${text}`, site);
}

export interface DateRange {
  from: string;
  to: string;
}

/** DTP/DTM value by its format qualifier: D8 → single date (from = to), RD8 → CCYYMMDD-CCYYMMDD. */
export function parseDateByFormat(format: string, text: string, site: ValueSite = {}): DateRange {
  if (format === 'D8') {
    const d = parseDate(text, site);
    return { from: d, to: d };
  }
  if (format === 'RD8') {
    const [a, b, ...rest] = text.split('-');
    if (a === undefined || b === undefined || rest.length > 0) {
      throw new X12ParseError('INVALID_DATE', 'expected an RD8 date range', site);
    }
    return { from: parseDate(a, site), to: parseDate(b, site) };
  }
  throw new X12ParseError('INVALID_DATE', 'unsupported date format qualifier', site);
}

/** HHMM or HHMMSS → "HH:MM" / "HH:MM:SS". */
export function parseTime(text: string, site: ValueSite = {}): string {
  const m = /^([01]\d|2[0-3])([0-5]\d)([0-5]\d)?(\d{0,2})$/.exec(text);
  if (!m) throw new X12ParseError('INVALID_TIME', 'expected HHMM[SS[dd]]', site);
  return m[3] === undefined ? `${m[1]}:${m[2]}` : `${m[1]}:${m[2]}:${m[3]}`;
}

/** "HH:MM" (or "HH:MM:SS") → HHMM (or HHMMSS). */
export function formatTime(time: string, field = 'time'): string {
  const m = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(time);
  if (!m) throw new X12BuildError('INVALID_INPUT', field, 'expected HH:MM or HH:MM:SS');
  return `${m[1]}${m[2]}${m[3] ?? ''}`;
}

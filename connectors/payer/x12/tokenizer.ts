// Tokenizer and serializer for an X12 interchange. Our own on purpose: X12's lexical layer is tiny, and a
// tokenizer we own gives typed, PHI-free errors with segment positions, linear time on garbage input and no
// shared parser state between documents.
//
// Delimiters are never assumed: they are read from the fixed-width ISA segment (106 characters). Element
// separator = 4th character, repetition separator = ISA11 (83rd), component separator = ISA16 (105th),
// segment terminator = 106th.

import { X12ParseError } from './errors.js';
import { plainDate, plainDecimal } from './values.js';

export interface Delimiters {
  element: string;
  component: string;
  /** Absent when ISA11 holds a code (4010 style "U") instead of a separator character. */
  repetition: string | undefined;
  segment: string;
}

/** The delimiters most clearinghouses use; callers may pass others when generating. */
export const DEFAULT_DELIMITERS: Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };

/** A segment: its tag and its elements, `elements[0]` being XX01. Values are raw (composites unsplit). */
export interface Segment {
  id: string;
  elements: string[];
}

/**
 * A tokenized segment: its tag, its 0-based position in the interchange (kept so errors can point at it) and
 * its elements. The tokenizer records only where each element ends in the interchange text; an element becomes
 * a string when a parser reads it (`element(n)`), and money and dates are read straight from the text
 * (`decimalAt`, `dateAt`), so a large file is not first copied into tens of thousands of small strings.
 * `elements` builds the whole array on first use for callers that want it. The text itself is kept in a
 * private field: a segment never serializes more than its own elements.
 */
export class PositionedSegment implements Segment {
  readonly #text: string;
  /** Shared by all segments of the interchange: `bounds[first]` is the separator before XX01, then ends. */
  readonly #bounds: Int32Array;
  readonly #first: number;
  readonly #count: number;
  #elements: string[] | undefined;

  constructor(
    readonly id: string,
    readonly index: number,
    text: string,
    bounds: Int32Array,
    first: number,
    count: number,
  ) {
    this.#text = text;
    this.#bounds = bounds;
    this.#first = first;
    this.#count = count;
  }

  /** How many elements the segment has, trailing empty ones included. */
  get elementCount(): number {
    return this.#count;
  }

  /** All elements, `elements[0]` being XX01; raw values (composites unsplit). */
  get elements(): string[] {
    if (this.#elements === undefined) {
      const out: string[] = [];
      for (let n = 1; n <= this.#count; n++) out.push(this.element(n));
      this.#elements = out;
    }
    return this.#elements;
  }

  /** Element n (1-based), '' when absent. */
  element(n: number): string {
    if (n < 1 || n > this.#count) return '';
    const k = this.#first + n;
    return this.#text.slice((this.#bounds[k - 1] ?? 0) + 1, this.#bounds[k]);
  }

  /** Length of element n (1-based), 0 when absent. */
  elementLength(n: number): number {
    if (n < 1 || n > this.#count) return 0;
    const k = this.#first + n;
    return (this.#bounds[k] ?? 0) - (this.#bounds[k - 1] ?? 0) - 1;
  }

  /** Whether element n equals `value`, without building a string. */
  elementIs(n: number, value: string): boolean {
    if (this.elementLength(n) !== value.length) return false;
    return value.length === 0 || this.#text.startsWith(value, (this.#bounds[this.#first + n - 1] ?? 0) + 1);
  }

  /** The components of composite element n split on `separator` ([] when the element is empty). */
  componentsOf(n: number, separator: string): string[] {
    const out: string[] = [];
    if (this.elementLength(n) === 0) return out;
    const k = this.#first + n;
    const end = this.#bounds[k] ?? 0;
    const code = separator.charCodeAt(0);
    let from = (this.#bounds[k - 1] ?? 0) + 1;
    // A character loop bounded by the element (indexOf could run on into later segments).
    for (let i = from; i < end; i++) {
      if (this.#text.charCodeAt(i) === code) {
        out.push(this.#text.slice(from, i));
        from = i + 1;
      }
    }
    out.push(this.#text.slice(from, end));
    return out;
  }

  /** Element n read as a plain decimal scaled by 10^scale, or undefined when it is not one (see values.ts). */
  decimalAt(n: number, scale: number): number | undefined {
    if (n < 1 || n > this.#count) return undefined;
    const k = this.#first + n;
    return plainDecimal(this.#text, scale, (this.#bounds[k - 1] ?? 0) + 1, this.#bounds[k] ?? 0);
  }

  /** Element n read as a CCYYMMDD calendar date ("yyyy-mm-dd"), or undefined when it is not one. */
  dateAt(n: number): string | undefined {
    if (this.elementLength(n) !== 8) return undefined;
    return plainDate(this.#text, (this.#bounds[this.#first + n - 1] ?? 0) + 1);
  }

  /** What JSON.stringify shows: the segment's own tag, elements and position, never the rest of the text. */
  toJSON(): { id: string; elements: string[]; index: number } {
    return { id: this.id, elements: this.elements, index: this.index };
  }
}

export const ISA_LENGTH = 106;
/** 0-based offsets of the 16 element separators inside the fixed-width ISA. */
const ISA_SEPARATOR_OFFSETS = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103];

function isDelimiterCandidate(ch: string): boolean {
  // Letters, digits and spaces occur inside data; a delimiter drawn from them would make the file ambiguous.
  return ch.length === 1 && !/[A-Za-z0-9 ]/.test(ch);
}

/** Strips a BOM and leading whitespace, which some transports add before the ISA. */
function leadingJunkLength(text: string): number {
  const m = /^\uFEFF?[\s]*/.exec(text);
  return m ? m[0].length : 0;
}

/** Reads and validates the delimiters from the ISA at the start of `text`. */
export function readDelimiters(text: string): Delimiters {
  const start = leadingJunkLength(text);
  if (text.length - start === 0) throw new X12ParseError('EMPTY_INPUT', 'no data');
  if (!text.startsWith('ISA', start)) {
    throw new X12ParseError('NOT_X12', 'input does not start with an ISA segment', { segmentIndex: 0 });
  }
  if (text.length - start < ISA_LENGTH) {
    throw new X12ParseError('TRUNCATED', 'ISA is shorter than 106 characters', {
      segmentIndex: 0,
      segmentId: 'ISA',
    });
  }
  const isa = text.slice(start, start + ISA_LENGTH);
  const element = isa[3] ?? '';
  const repetitionChar = isa[82] ?? '';
  const component = isa[104] ?? '';
  const segment = isa[105] ?? '';
  for (const offset of ISA_SEPARATOR_OFFSETS) {
    if (isa[offset] !== element) {
      throw new X12ParseError('INVALID_ISA', 'ISA is not fixed-width (element separator misplaced)', {
        segmentIndex: 0,
        segmentId: 'ISA',
      });
    }
  }
  // ISA11 may be a 4010-style code letter ("U"): then there is no repetition separator.
  const repetition = isDelimiterCandidate(repetitionChar) ? repetitionChar : undefined;
  const used = [element, component, segment, ...(repetition === undefined ? [] : [repetition])];
  const distinct = new Set(used).size === used.length;
  if (
    !distinct ||
    ![element, component].every(isDelimiterCandidate) ||
    !(isDelimiterCandidate(segment) || segment === '\n')
  ) {
    throw new X12ParseError('INVALID_DELIMITERS', 'delimiters must be distinct non-alphanumeric characters', {
      segmentIndex: 0,
      segmentId: 'ISA',
    });
  }
  return { element, component, repetition, segment };
}

export interface TokenizedInterchange {
  delimiters: Delimiters;
  segments: PositionedSegment[];
}

function isUpperOrDigit(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** A segment tag ([A-Z][A-Z0-9]{1,2}) between two offsets, one string per distinct tag; undefined if malformed. */
function segmentId(text: string, from: number, to: number, seen: Map<number, string>): string | undefined {
  const length = to - from;
  if (length < 2 || length > 3) return undefined;
  const c0 = text.charCodeAt(from);
  const c1 = text.charCodeAt(from + 1);
  const c2 = length === 3 ? text.charCodeAt(from + 2) : 0;
  if (c0 < 65 || c0 > 90 || !isUpperOrDigit(c1) || (length === 3 && !isUpperOrDigit(c2))) return undefined;
  const key = (c0 << 16) | (c1 << 8) | c2;
  let id = seen.get(key);
  if (id === undefined) {
    // The string table's copy of the tag, so that comparing it with a tag literal compares pointers.
    id = Object.keys({ [text.slice(from, to)]: 0 })[0] ?? text.slice(from, to);
    seen.set(key, id);
  }
  return id;
}

/**
 * Splits an interchange into segments. Tolerates CR/LF (or any whitespace) after each terminator, as
 * files are often wrapped one segment per line. Stops at the IEA: anything after it is ignored only if
 * it is whitespace, otherwise it is reported (a second interchange must be parsed separately).
 *
 * One pass with indexOf: the next terminator and the next element separator are each searched from where the
 * last search ended, so every character is looked at about once (linear also on garbage input). Segments record
 * element boundaries in one array shared by the interchange; no element string is made here.
 */
export function tokenize(text: string): TokenizedInterchange {
  const delimiters = readDelimiters(text);
  const start = leadingJunkLength(text);
  const segments: PositionedSegment[] = [];
  // Element boundaries of all segments; grown by doubling (a segment's separators are at most its length).
  let bounds = new Int32Array(Math.max(64, text.length >> 1));
  let used = 0;
  const ids = new Map<number, string>();
  const separator = delimiters.element;
  const terminator = delimiters.segment;
  const end = text.length;
  let nextSeparator = -1;
  let pos = start;
  while (pos < end) {
    // Skip line breaks and blanks between segments (unless the terminator itself is a newline).
    let c = text.charCodeAt(pos);
    while (c === 13 || c === 10 || c === 32 || c === 9) c = text.charCodeAt(++pos);
    if (pos >= end) break;
    const index = segments.length;
    let stop = text.indexOf(terminator, pos);
    if (stop === -1) {
      throw new X12ParseError('TRUNCATED', 'last segment has no terminator', { segmentIndex: index });
    }
    // The ISA is fixed width: its component separator may equal nothing else, but take it by length.
    if (index === 0) stop = pos + ISA_LENGTH - 1;
    const after = stop + 1;
    if (terminator === '\n' && stop > pos && text.charCodeAt(stop - 1) === 13) stop--;
    if (nextSeparator < pos) {
      nextSeparator = text.indexOf(separator, pos);
      if (nextSeparator === -1) nextSeparator = end;
    }
    const idEnd = nextSeparator < stop ? nextSeparator : stop;
    const id = segmentId(text, pos, idEnd, ids);
    if (id === undefined) {
      throw new X12ParseError('INVALID_SEGMENT_ID', 'malformed segment tag', { segmentIndex: index });
    }
    if (used + (stop - pos) + 2 > bounds.length) {
      const grown = new Int32Array(Math.max(bounds.length * 2, used + (stop - pos) + 2));
      grown.set(bounds.subarray(0, used));
      bounds = grown;
    }
    const first = used;
    let count = 0;
    if (idEnd < stop) {
      bounds[used++] = idEnd;
      for (;;) {
        nextSeparator = text.indexOf(separator, nextSeparator + 1);
        if (nextSeparator === -1) nextSeparator = end;
        if (nextSeparator >= stop) break;
        bounds[used++] = nextSeparator;
        count++;
      }
      bounds[used++] = stop;
      count++;
    }
    segments.push(new PositionedSegment(id, index, text, bounds, first, count));
    pos = after;
    if (id === 'IEA') {
      if (text.slice(pos).trim() !== '') {
        throw new X12ParseError('UNEXPECTED_SEGMENT', 'data after IEA', { segmentIndex: index + 1 });
      }
      break;
    }
  }
  return { delimiters, segments };
}

/** Splits a composite element into its components. */
export function components(value: string, d: Delimiters): string[] {
  return value === '' ? [] : value.split(d.component);
}

/** Splits a repeating element into its repetitions. */
export function repetitions(value: string, d: Delimiters): string[] {
  if (value === '') return [];
  return d.repetition === undefined ? [value] : value.split(d.repetition);
}

/** Drops trailing empty elements, which X12 forbids ("NM1*IL*1*DOE****" is invalid). */
function trimTrailing(values: string[]): string[] {
  let n = values.length;
  while (n > 0 && values[n - 1] === '') n--;
  return values.slice(0, n);
}

/** Serializes one segment. The ISA is kept verbatim: it is fixed-width and must not be trimmed. */
export function serializeSegment(seg: Segment, d: Delimiters): string {
  const elements = seg.id === 'ISA' ? seg.elements : trimTrailing(seg.elements);
  return [seg.id, ...elements].join(d.element) + d.segment;
}

/** Serializes segments; `lineBreaks` adds "\n" after each terminator for readable files. */
export function serializeSegments(segs: readonly Segment[], d: Delimiters, lineBreaks = false): string {
  const sep = lineBreaks && d.segment !== '\n' ? '\n' : '';
  return segs.map((s) => serializeSegment(s, d)).join(sep) + sep;
}

// Tokenizer and serializer for an X12 interchange. Our own on purpose: X12's lexical layer is tiny, and a
// tokenizer we own gives typed, PHI-free errors with segment positions, linear time on garbage input and no
// shared parser state between documents.
//
// Delimiters are never assumed: they are read from the fixed-width ISA segment (106 characters). Element
// separator = 4th character, repetition separator = ISA11 (83rd), component separator = ISA16 (105th),
// segment terminator = 106th.

import { X12ParseError } from './errors.js';

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

/** A segment plus its 0-based position in the interchange, kept so errors can point at it. */
export interface PositionedSegment extends Segment {
  index: number;
}

export const ISA_LENGTH = 106;
/** 0-based offsets of the 16 element separators inside the fixed-width ISA. */
const ISA_SEPARATOR_OFFSETS = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103];
const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;

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

/**
 * Splits an interchange into segments. Tolerates CR/LF (or any whitespace) after each terminator, as
 * files are often wrapped one segment per line. Stops at the IEA: anything after it is ignored only if
 * it is whitespace, otherwise it is reported (a second interchange must be parsed separately).
 */
export function tokenize(text: string): TokenizedInterchange {
  const delimiters = readDelimiters(text);
  const start = leadingJunkLength(text);
  const segments: PositionedSegment[] = [];
  let pos = start;
  const end = text.length;
  while (pos < end) {
    // Skip line breaks and blanks between segments (unless the terminator itself is a newline).
    while (pos < end && (text[pos] === '\r' || text[pos] === '\n' || text[pos] === ' ' || text[pos] === '\t'))
      pos++;
    if (pos >= end) break;
    const index = segments.length;
    let stop = text.indexOf(delimiters.segment, pos);
    if (stop === -1) {
      throw new X12ParseError('TRUNCATED', 'last segment has no terminator', { segmentIndex: index });
    }
    // The ISA is fixed width: its component separator may equal nothing else, but take it by length.
    if (index === 0) stop = pos + ISA_LENGTH - 1;
    let raw = text.slice(pos, stop);
    pos = stop + 1;
    if (delimiters.segment === '\n' && raw.endsWith('\r')) raw = raw.slice(0, -1);
    // The tag is everything before the first element separator; splitting the rest avoids an O(n) shift().
    const cut = raw.indexOf(delimiters.element);
    const id = cut === -1 ? raw : raw.slice(0, cut);
    const elements = cut === -1 ? [] : raw.slice(cut + 1).split(delimiters.element);
    if (!SEGMENT_ID.test(id)) {
      throw new X12ParseError('INVALID_SEGMENT_ID', 'malformed segment tag', { segmentIndex: index });
    }
    segments.push({ id, elements, index });
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

// A cursor over the segments of one transaction set, used by every loop-grammar parser. Loops in X12 are
// not delimited: a loop ends where a segment that cannot belong to it appears. The parsers therefore
// peek at the next tag (and sometimes its qualifier) to decide, which this small API makes explicit.
// All errors come out with the absolute segment position and tag, never element values.

import { X12ParseError, type X12ParseErrorCode } from './errors.js';
import type { Delimiters, PositionedSegment } from './tokenizer.js';
import { repetitions as splitRepetitions } from './tokenizer.js';
import {
  parseDate,
  parseDateByFormat,
  parseMoney,
  parseQuantity,
  parseTime,
  type DateRange,
  type ValueSite,
} from './values.js';

export class SegmentReader {
  private pos = 0;

  constructor(
    readonly segments: readonly PositionedSegment[],
    readonly delimiters: Delimiters,
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.segments.length;
  }

  peek(): PositionedSegment | undefined {
    return this.segments[this.pos];
  }

  /** True when the next segment has this tag and, if given, this first element (qualifier). */
  is(id: string, qualifier?: string | readonly string[]): boolean {
    const s = this.segments[this.pos];
    if (s === undefined || s.id !== id) return false;
    if (qualifier === undefined) return true;
    if (typeof qualifier === 'string') return s.elementIs(1, qualifier);
    return qualifier.includes(s.element(1));
  }

  next(): PositionedSegment {
    const s = this.segments[this.pos];
    if (s === undefined) throw this.errorAtEnd('MISSING_SEGMENT', 'transaction ended early');
    this.pos++;
    return s;
  }

  /** Consumes a required segment. */
  expect(id: string, qualifier?: string | readonly string[]): PositionedSegment {
    if (!this.is(id, qualifier)) {
      const s = this.peek();
      if (s === undefined) throw this.errorAtEnd('MISSING_SEGMENT', `expected ${id}`);
      throw new X12ParseError('UNEXPECTED_SEGMENT', `expected ${id}`, {
        segmentIndex: s.index,
        segmentId: s.id,
      });
    }
    return this.next();
  }

  /** Consumes the segment if it matches, else returns undefined. */
  take(id: string, qualifier?: string | readonly string[]): PositionedSegment | undefined {
    return this.is(id, qualifier) ? this.next() : undefined;
  }

  /** Skips one segment the grammar does not model (situational segments we do not need). */
  skip(): void {
    this.next();
  }

  private errorAtEnd(code: X12ParseErrorCode, detail: string): X12ParseError {
    const last = this.segments[this.segments.length - 1];
    return new X12ParseError(code, detail, last === undefined ? {} : { segmentIndex: last.index + 1 });
  }
}

/** Helpers reading element n (1-based) of a segment, with positioned errors. */
export function site(seg: PositionedSegment, position: number): ValueSite {
  return { segmentIndex: seg.index, segmentId: seg.id, elementPosition: position };
}

/** Element n (1-based) or '' when absent. */
export function el(seg: PositionedSegment, n: number): string {
  return seg.element(n);
}

/** Element n or undefined when empty. */
export function opt(seg: PositionedSegment, n: number): string | undefined {
  return seg.elementLength(n) === 0 ? undefined : seg.element(n);
}

/** Element n, which the implementation guide requires. */
export function req(seg: PositionedSegment, n: number): string {
  if (seg.elementLength(n) === 0) {
    throw new X12ParseError('MISSING_ELEMENT', 'required element is empty', site(seg, n));
  }
  return seg.element(n);
}

// Money, quantities and dates are read in place when they have the plain shape (the common case); anything
// else goes through the general parser in values.ts, which accepts the rarer shapes and throws the typed error.

export function money(seg: PositionedSegment, n: number): number {
  return seg.decimalAt(n, 2) ?? parseMoney(req(seg, n), site(seg, n));
}

export function optMoney(seg: PositionedSegment, n: number): number | undefined {
  if (seg.elementLength(n) === 0) return undefined;
  return seg.decimalAt(n, 2) ?? parseMoney(seg.element(n), site(seg, n));
}

export function optQuantity(seg: PositionedSegment, n: number): number | undefined {
  if (seg.elementLength(n) === 0) return undefined;
  const thousandths = seg.decimalAt(n, 3);
  return thousandths === undefined ? parseQuantity(seg.element(n), site(seg, n)) : thousandths / 1000;
}

export function date(seg: PositionedSegment, n: number): string {
  return seg.dateAt(n) ?? parseDate(req(seg, n), site(seg, n));
}

export function time(seg: PositionedSegment, n: number): string {
  return parseTime(req(seg, n), site(seg, n));
}

/** DTP-style date: element `fmt` holds D8/RD8, element `fmt + 1` the value. */
export function dateRange(seg: PositionedSegment, fmt: number): DateRange {
  return parseDateByFormat(req(seg, fmt), req(seg, fmt + 1), site(seg, fmt + 1));
}

export function comps(seg: PositionedSegment, n: number, d: Delimiters): string[] {
  return seg.componentsOf(n, d.component);
}

export function reps(seg: PositionedSegment, n: number, d: Delimiters): string[] {
  return splitRepetitions(el(seg, n), d);
}

/** Checks that a coded element holds one of the allowed codes. */
export function code<T extends string>(seg: PositionedSegment, n: number, allowed: readonly T[]): T {
  const v = req(seg, n);
  if (!(allowed as readonly string[]).includes(v)) {
    throw new X12ParseError('INVALID_VALUE', 'code not allowed here', site(seg, n));
  }
  return v as T;
}

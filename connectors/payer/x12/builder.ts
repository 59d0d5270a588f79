// Segment builder for the generators. It refuses values that contain a delimiter (they would silently
// shift every following element) and drops trailing empty elements/components as X12 requires. Errors
// name the element position ("NM103"), never the value.

import { X12BuildError } from './errors.js';
import type { Delimiters, Segment } from './tokenizer.js';

/** One element: a simple value, a composite (components in order), repeated values (ISA11), or absent. */
export type ElementInput =
  string | undefined | readonly (string | undefined)[] | { repeat: readonly string[] };

export class SegmentBuilder {
  readonly segments: Segment[] = [];
  /** Any delimiter or line break: one test per value (the generators call it for every element). */
  private readonly forbidden: RegExp;

  constructor(private readonly delimiters: Delimiters) {
    this.forbidden = forbiddenCharacters(delimiters);
  }

  /** Appends a segment; `undefined` elements become empty (and are trimmed when trailing). */
  add(id: string, ...elements: ElementInput[]): this {
    const values: string[] = new Array<string>(elements.length);
    for (let i = 0; i < elements.length; i++) values[i] = this.element(id, i + 1, elements[i]);
    this.segments.push({ id, elements: values });
    return this;
  }

  /** Number of segments so far; the generators use it for SE01. */
  get count(): number {
    return this.segments.length;
  }

  private element(id: string, position: number, el: ElementInput): string {
    if (el === undefined) return '';
    if (typeof el === 'string') return this.check(el, id, position);
    if ('repeat' in el) {
      const sep = this.delimiters.repetition;
      if (sep === undefined && el.repeat.length > 1)
        throw new X12BuildError(
          'INVALID_INPUT',
          fieldName(id, position),
          'repeated values need an ISA11 repetition separator',
        );
      return el.repeat.map((v, i) => this.check(v, id, position, `[${i + 1}]`)).join(sep ?? '');
    }
    const parts = el.map((c, i) => (c === undefined ? '' : this.check(c, id, position, `-${i + 1}`)));
    let n = parts.length;
    while (n > 0 && parts[n - 1] === '') n--;
    return parts.slice(0, n).join(this.delimiters.component);
  }

  /** The value unchanged, or an error naming the element (e.g. "NM103", "SV101-2"), never the value. */
  private check(value: string, id: string, position: number, suffix = ''): string {
    if (!this.forbidden.test(value)) return value;
    const field = `${fieldName(id, position)}${suffix}`;
    const d = this.delimiters;
    for (const ch of [d.element, d.component, d.segment, d.repetition]) {
      if (ch !== undefined && value.includes(ch)) {
        throw new X12BuildError('DELIMITER_IN_VALUE', field, 'value contains a delimiter character');
      }
    }
    throw new X12BuildError('DELIMITER_IN_VALUE', field, 'value contains a line break');
  }
}

const FORBIDDEN = new Map<string, RegExp>();

/** A character class of the delimiters and line breaks, compiled once per delimiter set. */
function forbiddenCharacters({ element, component, segment, repetition }: Delimiters): RegExp {
  const chars = [element, component, segment, repetition ?? '', '\r', '\n'].join('');
  let re = FORBIDDEN.get(chars);
  if (re === undefined) {
    re = new RegExp(`[${chars.replace(/[\\\]^-]/g, '\\$&')}]`);
    FORBIDDEN.set(chars, re);
  }
  return re;
}

/** The element's name in error messages: segment id and two-digit position ("NM103"). */
function fieldName(id: string, position: number): string {
  return `${id}${String(position).padStart(2, '0')}`;
}

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

  constructor(private readonly delimiters: Delimiters) {}

  /** Appends a segment; `undefined` elements become empty (and are trimmed when trailing). */
  add(id: string, ...elements: ElementInput[]): this {
    const values = elements.map((el, i) => this.element(id, i + 1, el));
    this.segments.push({ id, elements: values });
    return this;
  }

  /** Number of segments so far; the generators use it for SE01. */
  get count(): number {
    return this.segments.length;
  }

  private element(id: string, position: number, el: ElementInput): string {
    const field = `${id}${String(position).padStart(2, '0')}`;
    if (el === undefined) return '';
    if (typeof el === 'string') return this.check(el, field);
    if ('repeat' in el) {
      const sep = this.delimiters.repetition;
      if (sep === undefined && el.repeat.length > 1)
        throw new X12BuildError('INVALID_INPUT', field, 'repeated values need an ISA11 repetition separator');
      return el.repeat.map((v, i) => this.check(v, `${field}[${i + 1}]`)).join(sep ?? '');
    }
    const parts = el.map((c, i) => (c === undefined ? '' : this.check(c, `${field}-${i + 1}`)));
    let n = parts.length;
    while (n > 0 && parts[n - 1] === '') n--;
    return parts.slice(0, n).join(this.delimiters.component);
  }

  private check(value: string, field: string): string {
    const d = this.delimiters;
    for (const ch of [d.element, d.component, d.segment, d.repetition]) {
      if (ch !== undefined && value.includes(ch)) {
        throw new X12BuildError('DELIMITER_IN_VALUE', field, 'value contains a delimiter character');
      }
    }
    if (/[\r\n]/.test(value))
      throw new X12BuildError('DELIMITER_IN_VALUE', field, 'value contains a line break');
    return value;
  }
}

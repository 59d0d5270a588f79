// The request guard against U+0000 (api/app.ts pathOfNul): PostgreSQL text and jsonb cannot store it.
import { describe, expect, it } from 'vitest';
import { pathOfNul } from '../../api/app.js';

describe('pathOfNul', () => {
  it('finds the first string value or key holding U+0000 and answers its path', () => {
    expect(pathOfNul({ a: 'ok', b: { c: ['x', 'y\u0000z'] } })).toEqual(['b', 'c', 1]);
    expect(pathOfNul({ ['k\u0000']: 1 })).toEqual(['k\u0000']);
    expect(pathOfNul('\u0000')).toEqual([]);
  });
  it('answers nothing for data without it', () => {
    expect(pathOfNul({ a: 'ok', b: [1, true, null, { c: 'fine' }] })).toBeUndefined();
    expect(pathOfNul(undefined)).toBeUndefined();
  });
});

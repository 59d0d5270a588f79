// API-ERR-2: validation issues of real zod schemas → field errors that name the field (RFC 6901 pointer), what
// is expected (type, allowed values, bounds, format, pattern) and an unknown key by name — and never the value.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrors, jsonPointer, validationProblem, type FieldError } from '../../api/problem.js';

const CANARY = 'ZZCANARY-submitted';

function errorsOf(schema: z.ZodType, input: unknown, where: FieldError['in'] = 'body'): FieldError[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  const errors = result.error!.issues.flatMap((issue) => fieldErrors(where, issue));
  expect(JSON.stringify(validationProblem(errors))).not.toContain('ZZCANARY');
  return errors;
}

describe('fieldErrors', () => {
  const schema = z.strictObject({
    id: z.uuid(),
    kind: z.enum(['a', 'b']),
    count: z.number().int().min(1).max(5),
    code: z.string().regex(/^[A-Z]{2}$/),
    tags: z.array(z.string()).min(1),
    nested: z.strictObject({ name: z.string().max(3) }).optional(),
    icd: z
      .string()
      .refine((s) => s.startsWith('M'), 'expected an ICD-10-CM code')
      .optional(),
  });
  const valid = { id: '3f0c1a52-5d7e-4b8a-9c1d-2e3f4a5b6c7d', kind: 'a', count: 2, code: 'IL', tags: ['x'] };

  it('names each bad field with what it expects', () => {
    const errors = errorsOf(schema, {
      id: CANARY,
      kind: CANARY,
      count: 7.5,
      code: CANARY,
      tags: [],
      nested: { name: CANARY },
      icd: CANARY,
    });
    const at = (pointer: string) => errors.filter((e) => e.pointer === pointer);
    expect(at('/id')).toEqual([expect.objectContaining({ code: 'invalid_format', format: 'uuid' })]);
    expect(at('/kind')).toEqual([expect.objectContaining({ code: 'invalid_value', allowed: ['a', 'b'] })]);
    expect(at('/count')).toContainEqual(
      expect.objectContaining({ code: 'invalid_type', expected: 'integer' }),
    );
    expect(at('/code')).toEqual([expect.objectContaining({ code: 'invalid_format', pattern: '^[A-Z]{2}$' })]);
    expect(at('/tags')).toEqual([expect.objectContaining({ code: 'too_small', minimum: 1 })]);
    expect(at('/tags')[0]!.detail).toBe('Must have at least 1 item.');
    expect(at('/nested/name')).toEqual([expect.objectContaining({ code: 'too_big', maximum: 3 })]);
    expect(at('/icd')).toEqual([
      expect.objectContaining({ code: 'custom', detail: 'expected an ICD-10-CM code.' }),
    ]);
  });

  it('says a missing field is required, and names unknown keys one by one', () => {
    const { id: _id, ...noId } = valid;
    expect(errorsOf(schema, { ...noId, extra: CANARY, other: 1 })).toEqual([
      expect.objectContaining({
        pointer: '/id',
        code: 'invalid_type',
        detail: 'Required field: expected string.',
      }),
      expect.objectContaining({ pointer: '/extra', code: 'unrecognized_keys', key: 'extra' }),
      expect.objectContaining({ pointer: '/other', code: 'unrecognized_keys', key: 'other' }),
    ]);
    const query = errorsOf(z.strictObject({ limit: z.coerce.number() }), { limit: '1', zz: CANARY }, 'query');
    expect(query).toEqual([expect.objectContaining({ in: 'query', pointer: '/zz', key: 'zz' })]);
    expect(query[0]!.detail).toBe('Unknown query parameter "zz".');
  });

  it('never repeats a key that is not a plain name; it escapes pointers as RFC 6901 says', () => {
    const errors = errorsOf(schema, { ...valid, [`${CANARY} <b>`]: 1 });
    expect(errors).toEqual([expect.objectContaining({ pointer: '', code: 'unrecognized_keys' })]);
    expect(errors[0]).not.toHaveProperty('key');
    expect(jsonPointer(['a', 0, 'b'])).toBe('/a/0/b');
    expect(jsonPointer([])).toBe('');
    expect(jsonPointer([`${CANARY}/x`])).toBe('/*');
  });

  it('names the discriminator of a union and its options', () => {
    const union = z.discriminatedUnion('action', [
      z.strictObject({ action: z.literal('resubmit') }),
      z.strictObject({ action: z.literal('cancel') }),
    ]);
    expect(errorsOf(union, { action: CANARY })).toEqual([
      expect.objectContaining({ pointer: '/action', code: 'invalid_value', allowed: ['resubmit', 'cancel'] }),
    ]);
  });

  it('summarises the first errors in the problem detail', () => {
    const errors = errorsOf(schema, {});
    const p = validationProblem(errors);
    expect(p).toMatchObject({ status: 400, title: 'Bad Request', errors });
    expect(p.detail).toMatch(/^The request is not valid\. body \/id: Required field: expected string\./);
    expect(p.detail).toMatch(/\(\+\d+ more\)$/);
  });
});

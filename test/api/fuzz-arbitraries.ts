// fast-check arbitraries for the API fuzz harness, generated from the OpenAPI document the app serves (which
// is generated from the zod route schemas): values that follow each JSON Schema, and mutations of them — wrong
// types, dropped and extra fields, unicode and oversized strings, random JSON.
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** Strings the schemas themselves define (enum and const values): an error naming one is not an echo. */
export const schemaLiterals = new Set<string>();

const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  switch (s.format) {
    case 'uuid':
      return fc.uuid({ version: 4 });
    case 'date':
      return isoDate.map((d) => d.slice(0, 10));
    case 'date-time':
      return isoDate;
    case 'uri':
      return fc.oneof(
        fc.constant('https://forms.example.test/q/1'),
        fc.webUrl({ validSchemes: ['https'] }).filter((u) => u.length <= (s.maxLength ?? 100)),
      );
    case 'email':
      return fc.emailAddress();
  }
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
  return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40) });
}

/** A value that follows the schema (cross-field refinements aside). */
export function valueFor(s: JsonSchema): fc.Arbitrary<unknown> {
  if (s.const !== undefined) {
    if (typeof s.const === 'string') schemaLiterals.add(s.const);
    return fc.constant(s.const);
  }
  if (s.enum) {
    for (const v of s.enum) if (typeof v === 'string') schemaLiterals.add(v);
    return fc.constantFrom(...s.enum);
  }
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map(valueFor));
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => valueFor({ ...s, type })));
  switch (s.type) {
    case 'object': {
      const props = s.properties ?? {};
      const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueFor(v)]));
      return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
    }
    case 'array':
      return fc.array(s.items ? valueFor(s.items) : fc.jsonValue(), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)),
      });
    case 'string':
      return stringFor(s);
    case 'integer':
      return fc.integer({
        min: Math.max(s.minimum ?? -1_000_000, -1_000_000),
        max: Math.min(s.maximum ?? 1_000_000, 1_000_000),
      });
    case 'number':
      return fc.double({
        min: Math.max(s.minimum ?? -1e6, -1e6),
        max: Math.min(s.maximum ?? 1e6, 1e6),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue();
  }
}

/** Awkward strings: unicode (astral, combining, RTL, NUL), JSON/SQL/HTML metacharacters, very long ones. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', minLength: 8, maxLength: 60 }),
  fc.constantFrom(
    "ZZCANARY-fuzz'; DROP TABLE tasks;--",
    'ZZCANARY-<script>alert(1)</script>',
    'ZZCANARY-\u0000\u202e\ud83d\ude00\u0301',
    'ZZCANARY-{"$ne":null}',
    '../../../../etc/passwd-ZZCANARY',
  ),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => `ZZCANARY-${'\u00e9x'.repeat(n)}`),
);

function leafPaths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => leafPaths(x, [...at, i]))];
  if (typeof v === 'object' && v !== null) {
    return [at, ...Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k]))];
  }
  return [at];
}

function setAt(v: unknown, path: (string | number)[], replace: (old: unknown) => unknown): unknown {
  if (path.length === 0) return replace(v);
  const [head, ...rest] = path;
  if (Array.isArray(v)) return v.map((x, i) => (i === head ? setAt(x, rest, replace) : x));
  if (typeof v === 'object' && v !== null) {
    const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    copy[head as string] = setAt(copy[head as string], rest, replace);
    return copy;
  }
  return v;
}

const DROP = Symbol('drop');
function withoutDropped(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== DROP).map(withoutDropped);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== DROP)
        .map(([k, x]) => [k, withoutDropped(x)]),
    );
  }
  return v;
}

/** One mutation of a valid value: a node replaced by the wrong type or a nasty string, dropped, or extended. */
export function mutationOf(valid: unknown): fc.Arbitrary<unknown> {
  const paths = leafPaths(valid);
  const wrong = fc.oneof(
    nastyString,
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(null, true, -1, 1e308, [], {}, '', '0'),
  );
  return fc.record({ path: fc.constantFrom(...paths), replacement: wrong, how: fc.nat(3) }).map((m) => {
    if (m.how === 0 && m.path.length > 0) return withoutDropped(setAt(valid, m.path, () => DROP));
    if (m.how === 1) {
      return setAt(valid, m.path, (old) =>
        typeof old === 'object' && old !== null && !Array.isArray(old)
          ? { ...old, zzExtra: m.replacement }
          : m.replacement,
      );
    }
    return setAt(valid, m.path, () => m.replacement);
  });
}

/**
 * Every string value in a request body, for the echo check. Object keys are left out: validation problems
 * carry JSON pointers by design (API-ERR-2: `errors: [{ pointer, code }]`), and a pointer into a free-form
 * record names the caller's key.
 */
export function stringsIn(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(stringsIn);
  return [];
}

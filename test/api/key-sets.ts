// Helpers for the minimum-necessary tests (SEC-AC-6): the sorted key paths of a JSON value, and a "maximal"
// value of a response schema — every optional field present, plus a foreign key at every object level — so a
// role view shows exactly which fields it lets through.
import type { z } from 'zod';

export const FOREIGN_KEY = 'zzForeign';
export const FOREIGN_VALUE = 'ZZCANARY-foreign';

/** `a`, `b.c`, `d[].e`: the set of key paths of a JSON value, sorted. */
export function keyPaths(value: unknown, prefix = ''): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v)) {
      for (const item of v) walk(item, `${at}[]`);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const path = at ? `${at}.${k}` : k;
        out.add(path);
        walk(child, path);
      }
    }
  };
  walk(value, prefix);
  return [...out].sort();
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
  format?: string;
}

/** A value of the schema's output type with every optional field filled and a foreign key in each object. */
export function maximal(schema: z.ZodType): unknown {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  switch (def.type) {
    case 'object':
      return {
        ...Object.fromEntries(Object.entries(def.shape ?? {}).map(([k, s]) => [k, maximal(s)])),
        [FOREIGN_KEY]: FOREIGN_VALUE,
      };
    case 'array':
      return [maximal(def.element!)];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return maximal(def.innerType!);
    case 'union':
      return maximal(def.options![0]!);
    case 'string':
      return def.format === 'uuid' ? '00000000-0000-4000-8000-000000000001' : 'text';
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'enum':
      return Object.values(def.entries ?? {})[0];
    case 'literal':
      return def.values?.[0];
    case 'record':
      return {};
    default:
      throw new Error(`maximal(): unsupported zod type ${def.type}`);
  }
}

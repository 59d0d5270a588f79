// The API client commands check their configuration and options by hand (no zod on their start-up path, issue
// 15). These tests hold the hand-written checks to the zod schemas they replaced: same accepted values, same
// variable or field named, same issue codes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadApiClientConfig } from '../../cli/api-client-config.js';
import { checkTasksOptions } from '../../cli/commands/api-commands.js';
import { ConfigError } from '../../cli/config-error.js';
import { ConfigError as ConfigErrorOfConfig } from '../../cli/config.js';
import { staffRoles } from '../../domain/task-core.js';

/** The schema `loadApiClientConfig` used before (cli/config.ts, until issue 15). */
const formerSchema = z.object({
  PTFLOW_API_URL: z
    .url({ error: 'must be a URL such as http://127.0.0.1:3000' })
    .refine((v) => /^https?:\/\//.test(v), 'must be an http:// or https:// URL')
    .default('http://127.0.0.1:3000'),
  PTFLOW_API_KEY: z
    .string()
    .regex(/^\S+$/, 'must be a single token (the key printed by ptflow apikey create)')
    .optional(),
});

function former(env: Record<string, string | undefined>) {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = formerSchema.safeParse(cleaned);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    return { error: `${String(issue?.path[0])} ${issue?.message}` };
  }
  return { apiUrl: parsed.data.PTFLOW_API_URL.replace(/\/+$/, ''), apiKey: parsed.data.PTFLOW_API_KEY };
}

function current(env: Record<string, string | undefined>) {
  try {
    return loadApiClientConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { error: `${err.variable} ${err.reason}` };
  }
}

describe('loadApiClientConfig (hand-checked)', () => {
  it('defaults, trims trailing slashes and names the bad variable without its value', () => {
    expect(loadApiClientConfig({})).toEqual({ apiUrl: 'http://127.0.0.1:3000', apiKey: undefined });
    expect(
      loadApiClientConfig({ PTFLOW_API_URL: 'https://api.example/', PTFLOW_API_KEY: 'ptf_a_b' }),
    ).toEqual({
      apiUrl: 'https://api.example',
      apiKey: 'ptf_a_b',
    });
    expect(loadApiClientConfig({ PTFLOW_API_URL: '', PTFLOW_API_KEY: '' }).apiKey).toBeUndefined();
    expect(() => loadApiClientConfig({ PTFLOW_API_URL: 'ftp://x' })).toThrow(/PTFLOW_API_URL/);
    const err = (() => {
      try {
        loadApiClientConfig({ PTFLOW_API_KEY: 'two secret-words' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.variable).toBe('PTFLOW_API_KEY');
    expect(err?.message).not.toContain('secret');
    // cli/config.ts re-exports the same class: `instanceof` holds whichever module a caller imported.
    expect(ConfigErrorOfConfig).toBe(ConfigError);
  });

  it('accepts and refuses exactly what the former zod schema did, with the same message', () => {
    const examples = [
      'http://127.0.0.1:3000',
      'https://ptflow.example.org/base/',
      'http://[::1]:3000',
      'HTTP://x',
      'ftp://x',
      'mailto:a@b',
      'not a url',
      'http://',
      'http//x',
      '127.0.0.1:3000',
      'https://x y',
    ];
    for (const url of examples)
      expect(current({ PTFLOW_API_URL: url }), url).toEqual(former({ PTFLOW_API_URL: url }));
    fc.assert(
      fc.property(
        fc.option(fc.oneof(fc.string(), fc.webUrl(), fc.constantFrom('http://', 'https://a', 'ftp://b'))),
        fc.option(fc.oneof(fc.string(), fc.stringMatching(/^ptf_[a-z0-9]{4}_\S{0,8}$/))),
        (url, key) => {
          const env = { PTFLOW_API_URL: url ?? undefined, PTFLOW_API_KEY: key ?? undefined };
          expect(current(env)).toEqual(former(env));
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** The schema `runTasks` used before. */
const formerTasksOptions = z.strictObject({
  role: z.enum(staffRoles).optional(),
  status: z.enum(['open', 'escalated', 'completed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(512).optional(),
});

const issuesOf = (r: ReturnType<typeof checkTasksOptions>) =>
  Array.isArray(r) ? r.map((i) => `/${i.path.join('/')} (${i.code})`).sort() : r;

describe('ptflow tasks options (hand-checked)', () => {
  it('gives the former schema’s result or issue codes for any options', () => {
    const limit = fc.oneof(
      fc.integer({ min: -5, max: 120 }).map(String),
      fc.constantFrom('', ' 7 ', '1e1', '0x10', 'abc', '1.5', 'Infinity', '-0', '100', '101'),
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            role: fc.oneof(fc.constantFrom(...staffRoles), fc.string()),
            status: fc.oneof(fc.constantFrom('open', 'escalated', 'completed', 'cancelled'), fc.string()),
            limit,
            cursor: fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 510, maxLength: 515 })),
            other: fc.string(),
          },
          { requiredKeys: [] },
        ),
        (opts) => {
          const parsed = formerTasksOptions.safeParse(opts);
          const expected = parsed.success
            ? parsed.data
            : parsed.error.issues.map((i) => `/${i.path.join('/')} (${i.code})`).sort();
          expect(issuesOf(checkTasksOptions(opts))).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

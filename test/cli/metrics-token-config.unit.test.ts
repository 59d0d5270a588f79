// METRICS_TOKEN (cli/config.ts, cli/services.ts): the bearer token of the API's GET /metrics. Too short or with
// spaces → one line naming the variable, never its value; `ptflow api` in production refuses to start without it
// (before it connects anything); development runs without one (an open /metrics, as documented).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiProductionProblems, ConfigError, loadConfig } from '../../cli/config.js';
import { startApiService } from '../../cli/services.js';

const load = (env: Record<string, string>) => loadConfig({ HOME: '/home/x', ...env }, '/repo');

describe('METRICS_TOKEN', () => {
  it('is read from the environment or a METRICS_TOKEN_FILE', () => {
    const token = randomBytes(32).toString('base64');
    expect(load({ METRICS_TOKEN: token }).METRICS_TOKEN).toBe(token);
    expect(load({}).METRICS_TOKEN).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-metrics-token-'));
    try {
      const file = path.join(dir, 'metrics-token');
      fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
      expect(load({ METRICS_TOKEN_FILE: file }).METRICS_TOKEN).toBe(token);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a short or spaced token naming the variable, not the value', () => {
    for (const bad of ['short-token', `${'a'.repeat(20)} ${'b'.repeat(20)}`]) {
      let caught: unknown;
      try {
        load({ METRICS_TOKEN: bad });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).variable).toBe('METRICS_TOKEN');
      expect((caught as ConfigError).message).not.toContain(bad);
    }
  });

  it('is required by `ptflow api` in production only', async () => {
    const dev = load({});
    expect(apiProductionProblems(dev)).toEqual([]);
    const production = { ...dev, NODE_ENV: 'production' as const };
    expect(apiProductionProblems(production)).toEqual(['METRICS_TOKEN']);
    expect(
      apiProductionProblems({ ...production, METRICS_TOKEN: randomBytes(32).toString('base64') }),
    ).toEqual([]);
    const refused = await startApiService(production, 'postgres://nobody@127.0.0.1:1/none').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).variable).toBe('METRICS_TOKEN');
  });
});

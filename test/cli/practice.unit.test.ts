// `ptflow practice …` checks its input with the API's own schemas before touching the database or the API: a bad
// NPI or zone is named by field, a bad fee schedule CSV by line and column, and nothing is sent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiCliError, type ApiClient } from '../../cli/commands/api-client.js';
import { parseAddressOption, runFeeScheduleImport, runPracticeCreate } from '../../cli/commands/practice.js';
import { loadConfig, type ApiClientConfig } from '../../cli/config.js';

const never: ApiClient = {
  get: () => Promise.reject(new Error('nothing may be sent')),
  post: () => Promise.reject(new Error('nothing may be sent')),
};
const apiConfig = { apiUrl: 'http://127.0.0.1:9', apiKey: 'ptf_test' } as ApiClientConfig;

describe('ptflow practice', () => {
  it('create names the invalid fields before opening any database', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none', LOG_LEVEL: 'silent' });
    const err = await runPracticeCreate(
      config,
      () => undefined,
      () => undefined,
      {
        name: 'X',
        npi: '1234567890',
        timezone: 'CST',
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCliError);
    expect((err as ApiCliError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/\/npi .*\/timezone/);
  });

  it('fee-schedule import reports every bad row by line and column and sends nothing', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-fees-')), 'fees.csv');
    fs.writeFileSync(file, 'code,charge\n97110,65\n97140,abc\nXYZ,70\n');
    const err = await runFeeScheduleImport(
      apiConfig,
      () => undefined,
      file,
      { payer: '*', from: '2026-01-01' },
      never,
    ).catch((e: unknown) => e);
    expect((err as Error).message.split('\n').slice(0, 2)).toEqual([
      `${file}: line 3, column charge (2): not a positive dollar amount (e.g. 65.00)`,
      `${file}: line 4, column code (1): not a CPT or HCPCS code (five characters, e.g. 97110 or G0283)`,
    ]);
  });

  it('reads addresses written on one line', () => {
    expect(parseAddressOption('2200 Lakeshore Dr, Madison, WI, 53703', 'service-address')).toEqual({
      line1: '2200 Lakeshore Dr',
      city: 'Madison',
      state: 'WI',
      postalCode: '53703',
    });
    expect(parseAddressOption('1 Main St, Suite 4, Madison, WI, 53703', 'service-address')).toMatchObject({
      line2: 'Suite 4',
      city: 'Madison',
    });
    expect(() => parseAddressOption('somewhere', 'pay-to-address')).toThrow(/--pay-to-address/);
  });
});

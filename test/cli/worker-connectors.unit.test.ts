// The production worker's connectors from configuration (issue #14): NAME_FILE variables, the list of what is
// missing, the connectors built from a complete configuration, and `ptflow worker` refusing to start in
// production with one line that names every missing variable (and no value).
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveFileVariables } from '../../cli/config.js';
import {
  missingWorkerConnectorVariables,
  productionConnectors,
  productionPhysicianDelivery,
  WORKER_CONNECTORS,
} from '../../cli/worker-connectors.js';
import type { Database } from '../../db/connection.js';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-worker-conn-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const pkcs8 = (type: 'rsa' | 'ec') =>
  (type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-384' })
  ).privateKey
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
const rsaPem = pkcs8('rsa');
const b64 = () => randomBytes(32).toString('base64');

const productionKeys = {
  NODE_ENV: 'production',
  // Plaintext to Temporal, chosen explicitly (production requires the choice, SEC-TX-1).
  TEMPORAL_TLS: 'false',
  PTFLOW_PAYLOAD_KEYS: `p1:${b64()}`,
  PTFLOW_ACTIVE_PAYLOAD_KEY_ID: 'p1',
  PTFLOW_DATA_KEYS: `d1:${b64()}`,
  PTFLOW_ACTIVE_DATA_KEY_ID: 'd1',
  PTFLOW_BLIND_INDEX_KEY: b64(),
  PTFLOW_CURSOR_SECRET: b64(),
};

const connectors = {
  EMR_FHIR_BASE_URL: 'https://emr.example.com/fhir/r4',
  EMR_SMART_TOKEN_URL: 'https://emr.example.com/oauth2/token',
  EMR_SMART_CLIENT_ID: 'ptflow',
  EMR_SMART_SCOPE: 'system/Patient.cruds',
  EMR_SMART_KEY_ID: 'k1',
  EMR_SMART_PRIVATE_KEY: rsaPem,
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'ZZCANARY-twilio-token',
  TWILIO_FROM: '+15555550100',
  SMTP_HOST: 'smtp.example.com',
  SMTP_FROM: 'no-reply@clinic.example',
  SMTP_MESSAGE_ID_DOMAIN: 'clinic.example',
  CLEARINGHOUSE_URL: 'https://clearinghouse.example.com',
  CLEARINGHOUSE_USERNAME: 'ptflow',
  CLEARINGHOUSE_PASSWORD: 'ZZCANARY-ch-password',
  CLEARINGHOUSE_SUBMITTER_ID: 'CLINIC01',
  PHYSICIAN_DELIVERY_URL: 'https://fax-gateway.example.com/',
  PHYSICIAN_DELIVERY_TOKEN: 'ZZCANARY-gateway-token',
};

function missing(env: Record<string, string>): string[] {
  return missingWorkerConnectorVariables(
    loadConfig(env, scratch),
    new Set(Object.keys(resolveFileVariables(env))),
  );
}

describe('NAME_FILE variables', () => {
  it('reads the value from the file, without the trailing line break', () => {
    const file = path.join(scratch, 'cursor');
    const secret = b64();
    fs.writeFileSync(file, `${secret}\n`);
    expect(resolveFileVariables({ PTFLOW_CURSOR_SECRET_FILE: file }).PTFLOW_CURSOR_SECRET).toBe(secret);
    const pemFile = path.join(scratch, 'key.pem');
    fs.writeFileSync(pemFile, rsaPem);
    expect(loadConfig({ EMR_SMART_PRIVATE_KEY_FILE: pemFile }, scratch).EMR_SMART_PRIVATE_KEY).toBe(
      rsaPem.replace(/\n+$/, ''),
    );
  });

  it('refuses NAME and NAME_FILE together, an unreadable file and an empty one, naming the variable', () => {
    const file = path.join(scratch, 'empty');
    fs.writeFileSync(file, '\n');
    const cases: [Record<string, string>, string][] = [
      [{ SMTP_PASSWORD: 'x', SMTP_PASSWORD_FILE: file }, 'SMTP_PASSWORD'],
      [{ SMTP_PASSWORD_FILE: path.join(scratch, 'absent') }, 'SMTP_PASSWORD_FILE'],
      [{ SMTP_PASSWORD_FILE: file }, 'SMTP_PASSWORD_FILE'],
    ];
    for (const [env, variable] of cases) {
      let error: unknown;
      try {
        resolveFileVariables(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
    }
  });
});

describe('missingWorkerConnectorVariables', () => {
  it('lists every variable of every connector when none is configured', () => {
    expect(missing({})).toEqual(Object.values(WORKER_CONNECTORS).flat());
  });

  it('is empty for a complete configuration; a Messaging Service SID stands in for TWILIO_FROM', () => {
    expect(missing(connectors)).toEqual([]);
    const { TWILIO_FROM: _from, ...rest } = connectors;
    expect(missing(rest)).toEqual(['TWILIO_FROM']);
    expect(missing({ ...rest, TWILIO_MESSAGING_SERVICE_SID: `MG${'b'.repeat(32)}` })).toEqual([]);
  });

  it('counts the development submitter id as missing and SMTP credentials as a pair', () => {
    const { CLEARINGHOUSE_SUBMITTER_ID: _id, ...rest } = connectors;
    expect(missing(rest)).toEqual(['CLEARINGHOUSE_SUBMITTER_ID']);
    expect(missing({ ...connectors, SMTP_USERNAME: 'relay' })).toEqual(['SMTP_PASSWORD']);
  });
});

describe('productionConnectors', () => {
  // Building them makes no call (tokens are fetched on first use); the database is only read when sending.
  const noDatabase = {} as Database;

  it('builds the FHIR EMR with SMART backend auth and messaging with SMS and e-mail transports', async () => {
    const deps = await productionConnectors(
      loadConfig({ ...productionKeys, ...connectors }, scratch),
      noDatabase,
    );
    expect(deps.emr.constructor.name).toBe('FhirEmr');
    expect(typeof deps.messaging.send).toBe('function');
    expect(deps.keys.blindIndexKey).toHaveLength(32);
  });

  it('refuses a key that does not fit EMR_SMART_ALG, naming the variable', async () => {
    const config = loadConfig(
      { ...productionKeys, ...connectors, EMR_SMART_PRIVATE_KEY: pkcs8('ec') },
      scratch,
    );
    await expect(productionConnectors(config, noDatabase)).rejects.toMatchObject({
      variable: 'EMR_SMART_PRIVATE_KEY',
    });
  });
});

describe('ptflow worker in production', { timeout: 60_000 }, () => {
  const run = (env: Record<string, string>) =>
    spawnSync(tsx, ['cli/main.ts', 'worker'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 50_000,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: scratch,
        PTFLOW_DATA_DIR: scratch,
        // Unreachable: recording the refusal for /readyz fails quietly; the check runs before the worker connects.
        DATABASE_URL: 'postgres://ptflow:x@127.0.0.1:1/ptflow',
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        ...productionKeys,
        ...env,
      },
    });

  it('refuses to start without its connectors: exit 2, one line naming every missing variable', () => {
    const { EMR_SMART_PRIVATE_KEY: _key, TWILIO_AUTH_TOKEN: _token, ...partial } = connectors;
    const result = run(partial);
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^ptflow: EMR_SMART_PRIVATE_KEY, TWILIO_AUTH_TOKEN are required by the worker's connectors/,
    );
    expect(result.stderr).not.toContain('ZZCANARY');
    expect(result.stdout).toBe('');
  });

  it('refuses to start without the fax/Direct gateway of the POC signature process, naming the variable', () => {
    const { PHYSICIAN_DELIVERY_TOKEN: _token, ...partial } = connectors;
    const result = run(partial);
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ptflow: PHYSICIAN_DELIVERY_TOKEN is required by the worker's connectors/);
    expect(result.stderr).not.toContain('ZZCANARY');
  });
});

describe('productionPhysicianDelivery', () => {
  it('builds the gateway adapter (fax and Direct) from PHYSICIAN_DELIVERY_*; names what is missing', () => {
    const delivery = productionPhysicianDelivery(loadConfig({ ...productionKeys, ...connectors }, scratch));
    expect(delivery.channels).toEqual(['fax', 'direct']);
    const { PHYSICIAN_DELIVERY_URL: _url, ...rest } = connectors;
    expect(() => productionPhysicianDelivery(loadConfig({ ...productionKeys, ...rest }, scratch))).toThrow(
      expect.objectContaining({ variable: 'PHYSICIAN_DELIVERY_URL' }),
    );
  });
});

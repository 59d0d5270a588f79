// A worker that refuses to start says why on the API's /readyz (issue #14): `ptflow worker` in production with
// a connector variable missing, and with a key missing, exits 2 with one line naming the variables, records them
// (names and reason, never a value) in worker_start_refusals, and the real `ptflow api` composition reports them
// under `warnings` (check `workerStart`). A worker that then starts clears it.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { startApiService, type ApiService } from '../../cli/services.js';
import { freePort } from '../../devtools/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { uniqueTaskQueue } from '../helpers/temporal.js';
import { productionConnectorEnv, productionKeyEnv } from '../helpers/production-env.js';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-worker-refusal-'));
const CANARY = 'ZZCANARY-secret-value';
const taskQueue = uniqueTaskQueue('worker-refusal');
let db: TestDatabase;
let api: ApiService;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApiService(
    loadConfig({
      PTFLOW_DATA_DIR: scratch,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    }),
    db.url,
  );
});
afterAll(async () => {
  await api?.stop();
  await db?.drop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

function productionEnv(): Record<string, string> {
  const keyFile = path.join(scratch, 'emr-smart-private-key.pem');
  fs.writeFileSync(
    keyFile,
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    { mode: 0o600 },
  );
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: scratch,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PTFLOW_DATA_DIR: scratch,
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TLS: 'false',
    TEMPORAL_TASK_QUEUE: taskQueue,
    PTFLOW_SCHEDULES: 'off',
    ...productionKeyEnv(),
    ...productionConnectorEnv(keyFile, {
      twilioAuthToken: `${CANARY}-twilio`,
      clearinghousePassword: `${CANARY}-clearinghouse`,
    }),
  };
}

function runWorker(env: Record<string, string>) {
  const child = spawn(tsx, ['cli/main.ts', 'worker'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

interface Readiness {
  status: string;
  checks: Record<string, string>;
  warnings?: { check: string; hint: string }[];
}
async function readyz(): Promise<{ code: number; body: Readiness; raw: string }> {
  const res = await fetch(`${api.url}/readyz`);
  const raw = await res.text();
  return { code: res.status, body: JSON.parse(raw) as Readiness, raw };
}

describe('a worker that refuses to start, seen from /readyz', { timeout: 300_000 }, () => {
  it('names the missing connector variables, then a missing key, and clears once a worker starts', async () => {
    // 1. Two connector variables missing: exit 2, one line naming both.
    const env = productionEnv();
    delete env.EMR_SMART_KEY_ID;
    delete env.SMTP_HOST;
    const connectors = runWorker(env);
    expect(await connectors.exited).toBe(2);
    expect(connectors.stderr()).toContain('EMR_SMART_KEY_ID, SMTP_HOST are required');
    let ready = await readyz();
    // The API is ready (Temporal and the database answer); the worker's problem is a warning naming them.
    expect(ready.code).toBe(200);
    expect(ready.body.checks).toMatchObject({ worker: 'unavailable', workerStart: 'unavailable' });
    const hint = ready.body.warnings?.find((w) => w.check === 'workerStart')?.hint;
    expect(hint).toContain(`a worker of task queue ${taskQueue} refused to start at `);
    expect(hint).toContain("EMR_SMART_KEY_ID, SMTP_HOST are required by the worker's connectors");
    expect(ready.raw).not.toContain(CANARY);

    // 2. A key missing stops the configuration itself (before any connector check): named the same way.
    const keyless = productionEnv();
    delete keyless.PTFLOW_BLIND_INDEX_KEY;
    const keys = runWorker(keyless);
    expect(await keys.exited).toBe(2);
    expect(keys.stderr()).toContain('PTFLOW_BLIND_INDEX_KEY');
    ready = await readyz();
    const keyHint = ready.body.warnings?.find((w) => w.check === 'workerStart')?.hint ?? '';
    expect(keyHint).toContain('PTFLOW_BLIND_INDEX_KEY');
    expect(keyHint).not.toContain('EMR_SMART_KEY_ID');
    // No secret value of the worker's environment (keys, passwords, tokens, the database URL) reaches /readyz.
    const secrets = Object.entries(keyless).filter(([name]) =>
      /(KEYS?|SECRET|PASSWORD|TOKEN|DATABASE_URL)$/.test(name),
    );
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const [name, value] of secrets) expect(ready.raw, name).not.toContain(value);

    // 3. The environment fixed: the worker starts, polls, and the warnings are gone.
    const fixed = runWorker(productionEnv());
    try {
      await expect
        .poll(() => fixed.stderr(), { timeout: 90_000, interval: 250 })
        .toContain(`worker polling task queue ${taskQueue}`);
      await expect
        .poll(async () => (await readyz()).body, { timeout: 30_000, interval: 500 })
        .toMatchObject({ status: 'ready', checks: { worker: 'ok', workerStart: 'ok' } });
      // Only the calendar-dependent rule-data advisory may remain (it depends on today's date, not the worker).
      expect(((await readyz()).body.warnings ?? []).filter((w) => w.check !== 'ruleData')).toEqual([]);
      fixed.child.kill('SIGTERM');
      expect(await fixed.exited).toBe(0);
    } finally {
      if (fixed.child.exitCode === null) fixed.child.kill('SIGKILL');
    }
  });
});

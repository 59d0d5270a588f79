// `ptflow worker` in production with its connectors from the environment and a mounted key file (issue #14):
// the real CLI on the shared dev server and a test database starts, polls its task queue (what the API's
// /readyz advisory sees) and drains on SIGTERM. Connector endpoints are not called at start (tokens and
// connections are made on first use), so example URLs are enough here.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hasWorkflowPollers } from '../../temporal/client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, uniqueTaskQueue } from '../helpers/temporal.js';
import { productionConnectorEnv, productionKeyEnv } from '../helpers/production-env.js';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-worker-prod-'));
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('ptflow worker in production', { timeout: 120_000 }, () => {
  it('starts with every connector configured (private key from EMR_SMART_PRIVATE_KEY_FILE), polls, drains on SIGTERM', async () => {
    const keyFile = path.join(scratch, 'emr-smart-private-key.pem');
    fs.writeFileSync(
      keyFile,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
      { mode: 0o600 },
    );
    const taskQueue = uniqueTaskQueue('worker-prod');
    const child = spawn(tsx, ['cli/main.ts', 'worker'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
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
        ...productionConnectorEnv(keyFile),
      },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const temporal = await devServerClient();
    try {
      await expect
        .poll(() => stderr, { timeout: 90_000, interval: 250 })
        .toContain(`worker polling task queue ${taskQueue}`);
      expect(stderr).not.toContain('connectors incomplete');
      await expect.poll(() => hasWorkflowPollers(temporal.client, taskQueue), { timeout: 30_000 }).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await temporal.close();
    }
  });
});

// `ptflow onboard|status|tasks|task complete` against a real API listening on a free port (real Temporal dev
// server, PostgreSQL, sandbox connectors): tables on success, one clear line and a distinct exit code for a
// bad file, a bad key, an unknown id and an API that is not running.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCliError, EXIT } from '../../cli/commands/api-client.js';
import {
  runClaimCorrect,
  runOnboard,
  runStatus,
  runTaskComplete,
  runTasks,
} from '../../cli/commands/api-commands.js';
import { loadApiClientConfig, type ApiClientConfig } from '../../cli/config.js';
import { claimBody, onboardingBody, startApiStack, type ApiStack } from '../api/stack.js';

let stack: ApiStack;
let apiUrl: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-cli-api-'));

beforeAll(async () => {
  stack = await startApiStack();
  apiUrl = await stack.app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function config(role: 'admin' | 'front_desk' | 'biller' = 'front_desk'): ApiClientConfig {
  return loadApiClientConfig({ PTFLOW_API_URL: apiUrl, PTFLOW_API_KEY: stack.keys.own[role] });
}

function capture() {
  let text = '';
  return { out: (t: string) => void (text += t), text: () => text };
}

async function failure(run: Promise<unknown>): Promise<ApiCliError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiCliError);
  return err as ApiCliError;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('ptflow API client commands', () => {
  it('onboard validates the file, starts once per file content, and status finds it by bare or prefixed id', async () => {
    const file = path.join(dir, 'intake.json');
    fs.writeFileSync(file, JSON.stringify(onboardingBody(), null, 2));
    const first = capture();
    const started = await runOnboard(config(), first.out, file);
    expect(first.text()).toMatch(/^ID\s+STATUS\s+LINK\n-+/);
    expect(first.text()).toContain(started.id);
    expect(started.status).toBe('started');
    // The same file again (a retry): the same onboarding, not a second one.
    const again = await runOnboard(config(), capture().out, file);
    expect(again.id).toBe(started.id);

    const status = capture();
    const found = await runStatus(config(), status.out, started.id);
    expect(found.kind).toBe('onboarding');
    expect(status.text()).toMatch(/^FIELD\s+VALUE\n/);
    expect(status.text()).toMatch(new RegExp(`onboardingId\\s+${started.id}`));
    // A biller may not read onboardings: the bare id is looked up in its kinds only → not found.
    const asBiller = await failure(runStatus(config('biller'), capture().out, started.id));
    expect(asBiller.exitCode).toBe(EXIT.notFound);
    expect(asBiller.message).toContain('among the kinds your role may read');
    expect((await runStatus(config(), capture().out, `onboarding:${started.id}`)).kind).toBe('onboarding');

    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({ ...onboardingBody(), preferredChannel: 'pigeon', patientId: 'ZZCANARY-1' }),
    );
    const invalid = await failure(runOnboard(config(), capture().out, bad));
    expect(invalid.exitCode).toBe(EXIT.input);
    expect(invalid.message).toContain('/preferredChannel');
    expect(invalid.message).toContain('/patientId');
    expect(invalid.message).not.toContain('ZZCANARY');
    expect(invalid.message).not.toContain('pigeon');
    const notJson = path.join(dir, 'not.json');
    fs.writeFileSync(notJson, '{ nope');
    expect((await failure(runOnboard(config(), capture().out, notJson))).exitCode).toBe(EXIT.input);
  });

  it('lists tasks as a table, completes one, and reports the second completion as a conflict', async () => {
    const taskId = await stack.startTask('front_desk');
    const listing = capture();
    const rows = await runTasks(config('admin'), listing.out, { role: 'front_desk' });
    expect(rows.map((t) => t.id)).toContain(taskId);
    expect(listing.text()).toMatch(/^ID\s+KIND\s+ROLE\s+STATUS\s+DUE\s+PROCESS\s+TITLE\n/);
    expect(listing.text()).toContain(taskId);

    const done = capture();
    await runTaskComplete(config(), done.out, taskId, { outcome: '{"reached":true}' });
    expect(done.text()).toMatch(new RegExp(`${taskId}\\s+completing`));
    // Completed: the next try is a 409 once the task row closes (or the task is still closing: also 409).
    let conflict: ApiCliError | undefined;
    for (let i = 0; i < 50 && !conflict; i++) {
      const err = await runTaskComplete(config(), capture().out, taskId, {}).then(
        () => undefined,
        (e: unknown) => e as ApiCliError,
      );
      if (err?.status === 409) conflict = err;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(conflict?.exitCode).toBe(EXIT.failed);
    expect(conflict?.message).toMatch(/^409 Conflict: The task is no longer open\./);

    const badOutcome = await failure(runTaskComplete(config(), capture().out, taskId, { outcome: '[1' }));
    expect(badOutcome.exitCode).toBe(EXIT.input);
    const badRole = await failure(runTasks(config(), capture().out, { role: 'nobody' }));
    expect(badRole.exitCode).toBe(EXIT.input);
  });

  it('claim correct sends a held claim the data its finding names; a bad file names the field only', async () => {
    const body = claimBody();
    const start = await stack.app.inject({
      method: 'POST',
      url: '/v1/claims',
      headers: { ...stack.auth.own.biller, 'idempotency-key': `claim-${body.visit.id}` },
      payload: body,
    });
    expect(start.statusCode).toBe(202);
    const id = body.visit.id;
    const state = async () =>
      (
        (
          await stack.app.inject({ method: 'GET', url: `/v1/claims/${id}`, headers: stack.auth.own.biller })
        ).json() as { state: string }
      ).state;
    let s = await state();
    for (let i = 0; i < 100 && s !== 'needs_correction'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await state();
    }
    expect(s).toBe('needs_correction');

    const bad = path.join(dir, 'bad-correction.json');
    fs.writeFileSync(bad, JSON.stringify({ referringProvider: { name: 'NGUYEN', npi: 'ZZCANARY' } }));
    const invalid = await failure(runClaimCorrect(config('biller'), capture().out, id, bad));
    expect(invalid.exitCode).toBe(EXIT.input);
    expect(invalid.message).toContain('/referringProvider/npi');
    expect(invalid.message).not.toContain('ZZCANARY');

    const file = path.join(dir, 'correction.json');
    fs.writeFileSync(file, JSON.stringify({ referringProvider: { name: 'NGUYEN', npi: '1679576722' } }));
    const done = capture();
    expect(await runClaimCorrect(config('biller'), done.out, `claim:${id}`, file)).toEqual({
      id,
      status: 'accepted',
    });
    expect(done.text()).toContain('accepted');
    // Re-coded, re-scrubbed and sent: the claim leaves the hold (this stack polls the payer mailbox rarely).
    for (let i = 0; i < 150 && !['submitted', 'acknowledged', 'paid'].includes(s); i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await state();
    }
    expect(['submitted', 'acknowledged', 'paid']).toContain(s);
  });

  it('turns 401, 404 and an unreachable API into one line each with its own exit code', async () => {
    const wrongKey = loadApiClientConfig({ PTFLOW_API_URL: apiUrl, PTFLOW_API_KEY: 'ptf_nope_notakey' });
    const unauthorized = await failure(runTasks(wrongKey, capture().out, {}));
    expect(unauthorized.exitCode).toBe(EXIT.auth);
    expect(unauthorized.message).toMatch(
      /^401 Unauthorized: Valid credentials are required\. — check PTFLOW_API_KEY/,
    );
    expect(unauthorized.message).not.toContain('\n');

    const missing = await failure(runStatus(config('admin'), capture().out, `claim:${randomUUID()}`));
    expect(missing.exitCode).toBe(EXIT.notFound);
    expect(missing.message).toMatch(/^404 Not Found/);
    expect((await failure(runStatus(config(), capture().out, 'not-an-id'))).exitCode).toBe(EXIT.input);

    const down = loadApiClientConfig({
      PTFLOW_API_URL: `http://127.0.0.1:${await freePort()}`,
      PTFLOW_API_KEY: stack.keys.own.admin,
    });
    const refused = await failure(runTasks(down, capture().out, {}));
    expect(refused.exitCode).toBe(EXIT.unreachable);
    expect(refused.message).toMatch(
      /^cannot reach the ptflow API at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/,
    );

    const noKey = loadApiClientConfig({ PTFLOW_API_URL: apiUrl });
    expect((await failure(runTasks(noKey, capture().out, {}))).message).toMatch(/PTFLOW_API_KEY is not set/);
    expect(loadApiClientConfig({}).apiUrl).toBe('http://127.0.0.1:3000');
    expect(() => loadApiClientConfig({ PTFLOW_API_URL: 'ftp://x' })).toThrow(/PTFLOW_API_URL/);
  });
});

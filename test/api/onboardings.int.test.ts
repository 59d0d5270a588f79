// Onboarding driven through the API alone, with the same sandbox EMR and messaging `ptflow dev` wires in and
// the sandbox payer over HTTP: start → eligibility verified → forms sent → evaluation booked → forms completed
// through the API → cancel through the API releases the slot.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { buildApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { loadConfig } from '../../cli/config.js';
import { devOnboardingConnectors } from '../../cli/dev-sandboxes.js';
import type { SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

let db: TestDatabase;
let app: FastifyInstance;
let sandbox: SandboxServer;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let worker: Awaited<ReturnType<typeof devServerWorker>>;
let stopSandboxes: () => Promise<void>;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-onb-api-'));
let auth: { authorization: string };

/** A patient zone where it is daytime now, so quiet hours do not defer the messages during the test. */
function daytimeZone(): string {
  for (const z of ['America/Chicago', 'Europe/London', 'Asia/Tokyo', 'Pacific/Honolulu', 'Asia/Kolkata']) {
    const hour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: z, hour: 'numeric', hourCycle: 'h23' }).format(new Date()),
    );
    if (hour >= 9 && hour < 19) return z;
  }
  return 'Pacific/Kiritimati';
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  const payer = await sandboxPayer(db.sql);
  sandbox = payer.server;
  const sandboxes = await devOnboardingConnectors(
    loadConfig({ PTFLOW_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
    db.url,
    db.db,
  );
  stopSandboxes = sandboxes.stop;
  temporal = await devServerClient();
  const taskQueue = uniqueTaskQueue('onboarding-api');
  worker = await devServerWorker(
    taskQueue,
    createActivities({ db: db.db, payerConnector: payer.connector, onboarding: sandboxes.deps }),
  );
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: temporal.client,
    taskQueue,
    cursorKey: Buffer.alloc(32, 3),
    readiness: {},
  });
  auth = {
    authorization: `Bearer ${(await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'front_desk', label: 'desk' })).key}`,
  };
});
afterAll(async () => {
  await app?.close();
  await worker?.close();
  await temporal?.close();
  await stopSandboxes?.();
  await sandbox?.close();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function statusOf(id: string) {
  return (await app.inject({ method: 'GET', url: `/v1/onboardings/${id}`, headers: auth })).json() as {
    state: string;
    forms: { state: string };
    coverages: { outcome?: string }[];
    appointment?: { emrAppointmentId: string };
  };
}

async function until(id: string, ok: (s: Awaited<ReturnType<typeof statusOf>>) => boolean) {
  let s = await statusOf(id);
  for (let i = 0; i < 200 && !ok(s); i++) {
    await new Promise((r) => setTimeout(r, 150));
    s = await statusOf(id);
  }
  return s;
}

describe('onboarding through the API', () => {
  it('starts, verifies, books, takes the forms and cancels through the API', async () => {
    const start = await app.inject({
      method: 'POST',
      url: '/v1/onboardings',
      headers: auth,
      payload: {
        patientId: randomUUID(),
        clinicTimeZone: 'America/Chicago',
        patientTimeZone: daytimeZone(),
        demographics: {
          given: ['Ana'],
          family: 'Rivera',
          birthDate: '1961-02-03',
          sex: 'female',
          phone: '(312) 555-0177',
        },
        preferredChannel: 'sms',
        messagingConsent: true,
        coverages: [
          { coverageId: randomUUID(), payerId: 'commercial-ama', memberId: 'SBX-PR3-API1', priority: 1 },
        ],
        evaluation: { acuity: 'acute', bodyRegion: 'knee', leadDays: 3 },
        intakeFormLink: 'https://forms.riverside.example/i/abc',
        insuranceUpdateLink: 'https://forms.riverside.example/ins/abc',
      },
    });
    expect(start.statusCode).toBe(202);
    const { id } = start.json() as { id: string };

    // Booking and the intake link are parallel tracks of the process: wait for both.
    const booked = await until(id, (s) => s.appointment !== undefined && s.forms.state !== 'not_sent');
    expect(booked.coverages[0]?.outcome).toBe('active');
    expect(booked.forms.state).toBe('sent');

    const forms = await app.inject({
      method: 'POST',
      url: `/v1/onboardings/${id}/intake-forms`,
      headers: auth,
      payload: {
        responseId: randomUUID(),
        questionnaire: 'https://forms.riverside.example/q/intake-v1',
        authored: new Date().toISOString(),
        items: [{ linkId: 'pain-now', answers: [4] }],
      },
    });
    expect(forms.statusCode).toBe(202);
    expect((await until(id, (s) => s.forms.state === 'completed')).forms.state).toBe('completed');

    const bad = await app.inject({
      method: 'POST',
      url: `/v1/onboardings/${id}/cancel`,
      headers: auth,
      payload: { reason: 'because' },
    });
    expect(bad.statusCode).toBe(400);
    const cancel = await app.inject({
      method: 'POST',
      url: `/v1/onboardings/${id}/cancel`,
      headers: auth,
      payload: { reason: 'patient_request' },
    });
    expect(cancel.statusCode).toBe(202);
    expect((await until(id, (s) => s.state === 'cancelled')).state).toBe('cancelled');
  });
});

// Issue 18 §1/§2 end to end on the real stack: the sandbox EMR sends signed webhooks over real HTTP to the real
// Fastify app, the EMR event router (dev server) starts the missed-visit follow-up and the waitlist fill, the
// worker talks to the sandbox EMR and the real messaging service (consent, quiet hours, outbox), and patients
// answer by SMS through the signed Twilio webhook. Scenarios: a no-show → rebooking offer → the patient books
// by reply → the EMR has the new appointment; a second no-show → front-desk task and the pattern flagged; no
// reply by the deadline → task; two concurrent YES replies for one freed slot → exactly one EMR booking; an
// offer that nobody answers lapses. Plus the waitlist API's validation (problem+json naming the field).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { and, eq, like } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createVisitActivities } from '../../activities/visits/index.js';
import { uuidFromKey } from '../../activities/shared/derived-ids.js';
import { startIdempotently } from '../../activities/shared/process-starter.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { buildApp } from '../../api/app.js';
import { createEmrEventRouter, eventWorkflowUuid } from '../../api/webhooks/emr-router.js';
import { deliveryDedupeKey } from '../../api/webhooks/signed.js';
import { loadConfig } from '../../cli/config.js';
import { devOnboardingConnectors, devPracticeProfile } from '../../cli/dev-sandboxes.js';
import { messagingBasics } from '../../cli/messaging-sink.js';
import { dataKeys } from '../../cli/keyrings.js';
import type { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { appointments as emrAppointments, webhookDeliveries } from '../../connectors/emr/sandbox/schema.js';
import { createSandboxMessaging } from '../../connectors/messaging/sandbox/index.js';
import { computeTwilioSignature } from '../../connectors/messaging/sms/twilio-signature.js';
import type { Messaging } from '../../connectors/messaging/types.js';
import { generateWebhookSecret, signedWebhookHeaders } from '../../connectors/webhooks/standard-webhooks.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { waitlistFills } from '../../db/repositories/visits.js';
import { locations, messages, missedVisits, tasks, waitlistEntries } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import {
  PLAN_OF_CARE_WORKFLOW_TYPE,
  planOfCareStatusQuery,
  type PlanOfCareWorkflow,
} from '../../workflows/plan-of-care/messages.js';
import type { EventRouteResult } from '../../workflows/emr-events/messages.js';
import {
  MISSED_VISIT_WORKFLOW_TYPE,
  missedVisitStatusQuery,
  WAITLIST_FILL_WORKFLOW_TYPE,
  waitlistFillStatusQuery,
  type MissedVisitResult,
  type MissedVisitWorkflow,
  type WaitlistFillResult,
  type WaitlistFillWorkflow,
} from '../../workflows/visits/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const secret = generateWebhookSecret();
const AUTH_TOKEN = 'twilio-visits-auth-token-0123456789';
const TWILIO_URL = 'https://api.example.test/v1/webhooks/messaging/twilio';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-visits-'));
const config = loadConfig({ PTFLOW_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const taskQueue = uniqueTaskQueue('visits');

/**
 * A zone where it is early afternoon now, so no message of the test falls into quiet hours (08:00–21:00 local)
 * whenever the suite runs. `Etc/GMT+5` is UTC−5 (the sign is POSIX's).
 */
const DAYTIME_TZ = (() => {
  const offset = 13 - new Date().getUTCHours(); // local hour ≈ 13
  const wrapped = ((offset + 11 + 24) % 24) - 11; // −11 … +12
  return wrapped === 0 ? 'UTC' : `Etc/GMT${wrapped > 0 ? '-' : '+'}${Math.abs(wrapped)}`;
})();

let db: TestDatabase;
let app: FastifyInstance;
let baseUrl: string;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let client: Client;
let worker: Awaited<ReturnType<typeof devServerWorker>>;
let emr: SandboxEmr;
let messaging: Messaging;
let stopSandboxes: () => Promise<void>;
let frontDesk: { authorization: string };
let downtown: string;
let northside: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db, dataKeys(config).keyring);
  temporal = await devServerClient();
  client = temporal.client;
  // The API's messaging sink: the same service (store and address hash) the worker sends through.
  const sink = createSandboxMessaging({ ...messagingBasics(config, db.db, dataKeys(config)), db: db.db });
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: client,
    taskQueue,
    cursorKey: Buffer.alloc(32, 7),
    readiness: {},
    webhooks: {
      settings: {
        perMinute: 10_000,
        sources: {
          emr: { sandbox: { tenant: DEMO_PRACTICE_ID, secrets: [secret] } },
          payer: {},
          messaging: { twilio: { tenant: DEMO_PRACTICE_ID, authToken: AUTH_TOKEN, publicUrl: TWILIO_URL } },
        },
      },
      router: createEmrEventRouter({ temporal: client, taskQueue }),
      messaging: sink,
    },
  });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const sandboxes = await devOnboardingConnectors(config, db.url, db.db, {
    webhookTarget: { url: `${baseUrl}/v1/webhooks/emr/sandbox`, secrets: [secret] },
  });
  emr = sandboxes.emr;
  messaging = sandboxes.deps.messaging;
  stopSandboxes = sandboxes.stop;
  worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      temporal: client,
      onboarding: sandboxes.deps,
      eventRouting: { practiceProfile: devPracticeProfile, claimPollMinutes: 0.01 },
    }),
  );
  const { key } = await createApiKey(db.db, {
    practiceId: DEMO_PRACTICE_ID,
    role: 'front_desk',
    label: 'visits',
  });
  frontDesk = { authorization: `Bearer ${key}` };
  const locs = await db.db.select().from(locations).where(eq(locations.practiceId, DEMO_PRACTICE_ID));
  downtown = locs.find((l) => l.name.startsWith('Downtown'))!.id;
  northside = locs.find((l) => l.name.startsWith('Northside'))!.id;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await worker?.close();
  await temporal?.close();
  await stopSandboxes?.();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// ─── helpers ───────────────────────────────────────────────────────────────────────────────────────────────

let phoneSeq = 100;
/** A patient ptflow registered (EMR record with our id, encrypted mirror), who agreed to texts. */
async function patient(language: 'en' | 'es' = 'en') {
  const keys = dataKeys(config);
  const patientId = randomUUID();
  const phone = `+1312555${String(phoneSeq++).padStart(4, '0')}`;
  const demographics = {
    given: ['Ada'],
    family: 'Okafor',
    birthDate: '1958-03-04',
    sex: 'female' as const,
    phone,
    preferredLanguage: language,
  };
  const { emrId } = await emr.upsertPatient({ patientId, demographics });
  await createPatientRepository(db.db, keys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics,
    emrPatientId: emrId,
    preferredChannel: 'sms',
    language,
    timezone: DAYTIME_TZ,
  });
  await messaging.recordConsent({
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    channel: 'sms',
    status: 'granted',
    source: 'intake',
    address: phone,
  });
  return { patientId, emrPatientId: emrId, phone };
}

/** Books a treatment slot in the sandbox EMR between `fromDays` and `toDays` from now (negative: past). */
async function booked(emrPatientId: string, fromDays: number, toDays: number, locationId?: string) {
  const [slot] = await emr.searchFreeSlots({
    from: new Date(Date.now() + fromDays * 86_400_000).toISOString(),
    to: new Date(Date.now() + toDays * 86_400_000).toISOString(),
    ...(locationId ? { locationId } : {}),
    limit: 1,
  });
  if (!slot) throw new Error('no free slot in the sandbox EMR');
  return emr.bookAppointment({
    appointmentId: randomUUID(),
    slotId: slot.slotId,
    emrPatientId,
    kind: 'treatment',
  });
}

async function deliverQueued() {
  expect(await emr.webhooks.deliverDue()).toMatchObject({ retrying: 0, failed: 0 });
}

/** The patient texts `body` back: a signed Twilio inbound webhook over real HTTP. */
async function reply(from: string, body: string) {
  const params = {
    MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
    AccountSid: `AC${randomUUID().replace(/-/g, '')}`,
    From: from,
    To: '+15555550100',
    Body: body,
  };
  const res = await fetch(`${baseUrl}/v1/webhooks/messaging/twilio`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': computeTwilioSignature(AUTH_TOKEN, TWILIO_URL, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.status).toBe(200);
}

/** The sandbox EMR's queued deliveries of one type that mention `needle`. */
async function deliveriesOf(type: string, needle: string) {
  return emr.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.eventType, type), like(webhookDeliveries.body, `%${needle}%`)));
}
const routerHandle = (webhookId: string) =>
  client.workflow.getHandle(
    workflowId('event', eventWorkflowUuid(deliveryDedupeKey(DEMO_PRACTICE_ID, 'emr:sandbox', webhookId))),
  );
/** The router's result for the (delivered) event of `type` about `needle`. */
async function routerResult(type: string, needle: string): Promise<EventRouteResult> {
  const [delivery] = await deliveriesOf(type, needle);
  return (await routerHandle(delivery!.id).result()) as EventRouteResult;
}

/**
 * With SAVE_VISIT_HISTORIES=1 the scenario runs are written to test/histories (replayed by
 * test/workflows/replay.int.test.ts ever after): the follow-up that rebooked by reply, the router run that started
 * it (behind its patch marker), the waitlist fill that raced two confirmations and the one whose offers lapsed.
 */
async function saveHistory(type: string, version: string, handle: { fetchHistory(): Promise<unknown> }) {
  if (process.env.SAVE_VISIT_HISTORIES !== '1') return;
  const file = path.join(fileURLToPath(new URL('../histories', import.meta.url)), type, `${version}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    `${historyToJSON((await handle.fetchHistory()) as Parameters<typeof historyToJSON>[0])}\n`,
  );
}

const missedHandle = (emrAppointmentId: string) =>
  client.workflow.getHandle(
    workflowId('missed', uuidFromKey('missed-visit', DEMO_PRACTICE_ID, emrAppointmentId)),
  );

async function sentTemplates(patientId: string) {
  const rows = await db.db
    .select({ template: messages.template, status: messages.status, direction: messages.direction })
    .from(messages)
    .where(eq(messages.patientId, patientId));
  return rows.filter((r) => r.direction === 'outbound').map((r) => `${r.template}:${r.status}`);
}

// ─── missed visits ─────────────────────────────────────────────────────────────────────────────────────────

describe('missed-visit follow-up', () => {
  it('a no-show → rebooking offer by SMS → the patient books slot 2 by reply → the EMR has it; a second no-show → task', async () => {
    const p = await patient('es');
    // The patient's open plan of care: it is told the visit does not count.
    const episodeId = randomUUID();
    const pocId = await startIdempotently<PlanOfCareWorkflow>(client, {
      taskQueue,
      kind: 'poc',
      processKind: 'planOfCare',
      id: episodeId,
      workflow: PLAN_OF_CARE_WORKFLOW_TYPE,
      args: [
        {
          episodeId,
          practiceId: DEMO_PRACTICE_ID,
          patientId: p.patientId,
          referringPractitionerId: randomUUID(),
          timezone: 'America/Chicago',
          firstTreatmentDate: new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10),
        },
      ],
      practiceId: DEMO_PRACTICE_ID,
      patientId: p.patientId,
    });
    await expect
      .poll(
        async () => {
          let n = 0;
          const q = `PatientId = '${p.patientId}' AND ProcessKind = 'planOfCare' AND ExecutionStatus = 'Running'`;
          for await (const _ of client.workflow.list({ query: q })) n++;
          return n;
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe(1);

    const first = await booked(p.emrPatientId, -9, -5, downtown);
    await emr.markNoShow(first.emrAppointmentId);
    await deliverQueued();

    const followUp = missedHandle(first.emrAppointmentId);
    await expect
      .poll(async () => (await followUp.query(missedVisitStatusQuery).catch(() => undefined))?.state, {
        timeout: 30_000,
        interval: 300,
      })
      .toBe('awaiting_reply');
    const status = await followUp.query(missedVisitStatusQuery);
    expect(status.offeredSlots).toBeGreaterThanOrEqual(2);
    expect(await sentTemplates(p.patientId)).toContain('visit_rebook_offer:sent');
    // The Spanish offer lists the slots with their numbers.
    const [offerRow] = await db.sql`
      select o.body from sandbox.sandbox_outbox o join messages m on m.provider_message_id = 'sandbox-' || o.id::text
      where m.patient_id = ${p.patientId} and m.template = 'visit_rebook_offer'`;
    expect(offerRow?.body).toMatch(/no pudimos verle.*1\).*2\)/s);

    await reply(p.phone, '2');
    const result = (await followUp.result()) as MissedVisitResult;
    expect(result).toMatchObject({ outcome: 'rebooked', missesInEpisode: 1, pattern: false });
    expect(result.steps).toEqual(expect.arrayContaining(['plan_of_care:told', 'message:sent', 'emr:booked']));
    // The EMR has the new appointment for the patient, in the future, and the miss row says how it ended.
    const rebooked = await emr.getAppointment(result.rebookedEmrAppointmentId!);
    expect(rebooked).toMatchObject({ emrPatientId: p.emrPatientId, status: 'booked' });
    expect(Date.parse(rebooked.start)).toBeGreaterThan(Date.now());
    const [miss] = await db.db
      .select()
      .from(missedVisits)
      .where(eq(missedVisits.emrAppointmentId, first.emrAppointmentId));
    expect(miss).toMatchObject({ kind: 'no_show', outcome: 'rebooked', episodeWorkflowId: pocId });
    expect(await sentTemplates(p.patientId)).toContain('visit_booked:sent');
    await saveHistory('missedVisitFollowUp', 'v1', followUp);
    const [noShowDelivery] = await deliveriesOf('appointment.no_show', first.emrAppointmentId);
    await saveHistory('emrEventRouter', 'v2-missed-visit', routerHandle(noShowDelivery!.id));
    // The plan of care recorded the miss and counted no treatment day for it.
    const poc = await client.workflow.getHandle(pocId).query(planOfCareStatusQuery);
    expect(poc).toMatchObject({ missedVisits: 1, visitsCounted: 0 });

    // A second no-show in the same episode, within 14 days: the front desk calls, the pattern is flagged.
    const second = await booked(p.emrPatientId, -4, -1, downtown);
    await emr.markNoShow(second.emrAppointmentId);
    await deliverQueued();
    // The router starts the follow-up once it has routed the delivery (a moment after the 202).
    await expect
      .poll(
        async () =>
          (
            await missedHandle(second.emrAppointmentId)
              .describe()
              .catch(() => undefined)
          )?.status.name,
        {
          timeout: 30_000,
          interval: 300,
        },
      )
      .toBeDefined();
    const repeat = (await missedHandle(second.emrAppointmentId).result()) as MissedVisitResult;
    expect(repeat).toMatchObject({ outcome: 'front_desk', missesInEpisode: 2, pattern: true });
    expect(repeat.explanation).toContain('episode is at risk');
    const taskRows = await expect
      .poll(
        () =>
          db.db
            .select()
            .from(tasks)
            .where(and(eq(tasks.patientId, p.patientId), eq(tasks.kind, 'missed_visit_pattern'))),
        { timeout: 20_000, interval: 300 },
      )
      .toHaveLength(1);
    void taskRows;
    const [task] = await db.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.patientId, p.patientId), eq(tasks.kind, 'missed_visit_pattern')));
    expect(task).toMatchObject({ assigneeRole: 'front_desk', status: 'open' });
    expect(task!.title).toMatch(/call the patient/);
    expect(task!.details).toMatchObject({ missesInEpisode: 2, pattern: true });
    expect(String((task!.details as Record<string, unknown>).howToResolve)).toMatch(
      /book the new visit in the EMR/,
    );
    // No PHI in the follow-up's id or search attributes.
    const described = await missedHandle(second.emrAppointmentId).describe();
    expect(described.workflowId).toMatch(/^missed:[0-9a-f-]{36}$/);
    expect(JSON.stringify(described.searchAttributes)).not.toMatch(/Ada|Okafor|1958|\+1312/);
    expect((await client.workflow.getHandle(pocId).query(planOfCareStatusQuery)).missedVisits).toBe(2);
    await client.workflow.getHandle(pocId).terminate('test done');
  });

  it('a late cancellation with no reply by the deadline → a front-desk task that says how to resolve it', async () => {
    const p = await patient();
    const appt = await booked(p.emrPatientId, -6, -2, northside);
    const followUpId = randomUUID();
    const handle = await client.workflow.start<MissedVisitWorkflow>(MISSED_VISIT_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: workflowId('missed', followUpId),
      args: [
        {
          followUpId,
          practiceId: DEMO_PRACTICE_ID,
          patientId: p.patientId,
          emrPatientId: p.emrPatientId,
          emrAppointmentId: appt.emrAppointmentId,
          kind: 'late_cancel',
          therapistId: appt.therapistId!,
          locationId: appt.locationId!,
          appointmentKind: 'treatment',
          start: appt.start,
          end: appt.end,
          replyDeadlineSeconds: 3,
        },
      ],
    });
    const result = (await handle.result()) as MissedVisitResult;
    expect(result).toMatchObject({ outcome: 'front_desk', missesInEpisode: 1 });
    expect(result.steps).toEqual(expect.arrayContaining(['message:sent', 'task:missed_visit_no_reply']));
    await expect
      .poll(
        async () =>
          (
            await db.db
              .select()
              .from(tasks)
              .where(and(eq(tasks.patientId, p.patientId), eq(tasks.kind, 'missed_visit_no_reply')))
          ).length,
        { timeout: 20_000, interval: 300 },
      )
      .toBe(1);
  });

  it('a cancellation by the clinic is no missed visit (only the freed slot goes to the waitlist)', async () => {
    const p = await patient();
    const appt = await booked(p.emrPatientId, 1, 6, northside);
    await emr.cancelAppointment(appt.emrAppointmentId, 'clinic');
    await deliverQueued();
    const routed = await routerResult('appointment.cancelled', appt.emrAppointmentId);
    expect(routed.outcome).toBe('routed');
    // (The appointments mirror's step comes first: test/api/emr-router.int.test.ts checks it.)
    expect(routed.steps.filter((s) => !s.startsWith('mirror:'))).toEqual(['waitlist:started']);
    await expect(missedHandle(appt.emrAppointmentId).describe()).rejects.toThrow();
    // The same cancellation by the patient 20 minutes before the start would have been a late one.
    const late = await patient();
    const soon = await booked(late.emrPatientId, 1, 6, northside);
    await emr.cancelAppointment(soon.emrAppointmentId, 'patient');
    const [delivery] = await deliveriesOf('appointment.cancelled', soon.emrAppointmentId);
    const body = JSON.parse(delivery!.body) as { timestamp: string; data: { start: string } };
    body.timestamp = new Date(Date.parse(body.data.start) - 20 * 60_000).toISOString();
    await emr.db.delete(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id));
    const webhookId = `msg_${randomUUID().replace(/-/g, '')}`;
    const raw = JSON.stringify(body);
    const res = await fetch(`${baseUrl}/v1/webhooks/emr/sandbox`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signedWebhookHeaders({ id: webhookId, timestamp: Math.floor(Date.now() / 1000), body: raw }, [
          secret,
        ]),
      },
      body: raw,
    });
    expect(res.status).toBe(202);
    const lateRouted = (await routerHandle(webhookId).result()) as EventRouteResult;
    expect(lateRouted.steps.filter((s) => !s.startsWith('mirror:'))).toEqual([
      'waitlist:started',
      'missed_visit:late_cancel',
    ]);
    expect(lateRouted.steps[0]).toMatch(/^mirror:late_cancelled:/);
    await missedHandle(soon.emrAppointmentId).terminate('test done');
  });
});

// ─── waitlist ──────────────────────────────────────────────────────────────────────────────────────────────

async function waitlist(body: unknown) {
  return fetch(`${baseUrl}/v1/waitlist`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...frontDesk },
    body: JSON.stringify(body),
  });
}

describe('waitlist auto-fill', () => {
  it('the waitlist API validates with problem+json naming the field', async () => {
    const bad = await waitlist({ patientId: randomUUID(), locationId: downtown, acuity: 7 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(await bad.json())).toContain('/acuity');
    const unknown = await waitlist({ patientId: randomUUID(), locationId: downtown });
    expect(unknown.status).toBe(422);
    const problem = (await unknown.json()) as { errors: { pointer: string }[] };
    expect(problem.errors[0]?.pointer).toBe('/patientId');
  });

  it('two concurrent YES replies for one freed slot → exactly one EMR booking; the others are told', async () => {
    // Three waiting patients at Downtown; the one whose authorization ends soonest is ranked first.
    const waiting = [await patient(), await patient(), await patient()];
    const authEnds = ['2099-03-01', '2099-01-15', undefined];
    for (const [i, w] of waiting.entries()) {
      const res = await waitlist({
        patientId: w.patientId,
        locationId: downtown,
        acuity: 2,
        minutes: 30,
        ...(authEnds[i] ? { authorizationEndsOn: authEnds[i] } : {}),
      });
      expect(res.status).toBe(201);
    }
    const listed = (await (
      await fetch(`${baseUrl}/v1/waitlist?locationId=${downtown}`, { headers: frontDesk })
    ).json()) as {
      items: { patientId: string }[];
    };
    expect(listed.items.map((i) => i.patientId)).toEqual(
      expect.arrayContaining(waiting.map((w) => w.patientId)),
    );

    // Another patient cancels a slot two days ahead (not late): the slot is freed.
    const canceller = await patient();
    const appt = await booked(canceller.emrPatientId, 2, 6, downtown);
    await emr.cancelAppointment(appt.emrAppointmentId, 'patient');
    await deliverQueued();
    const fill = client.workflow.getHandle(
      workflowId('waitfill', uuidFromKey('waitlist-fill', DEMO_PRACTICE_ID, appt.therapistId!, appt.start)),
    );
    await expect
      .poll(async () => (await fill.query(waitlistFillStatusQuery).catch(() => undefined))?.offers.length, {
        timeout: 30_000,
        interval: 300,
      })
      .toBe(3);
    const offers = (await fill.query(waitlistFillStatusQuery)).offers;
    // Fair order: authorization ending soonest first, then the later one, then none; each explained.
    expect(offers.map((o) => o.patientId)).toEqual([
      waiting[1]!.patientId,
      waiting[0]!.patientId,
      waiting[2]!.patientId,
    ]);
    expect(offers[0]!.explanation).toMatch(/^#1: authorization ends 2099-01-15/);

    // Patients 2 and 3 (ranks 1 and 3) answer YES at the same moment.
    await Promise.all([reply(waiting[1]!.phone, 'YES'), reply(waiting[2]!.phone, 'si')]);
    const result = (await fill.result()) as WaitlistFillResult;
    expect(result.outcome).toBe('filled');
    await saveHistory('waitlistFill', 'v1', fill);
    const states = result.offers.map((o) => o.state).sort();
    expect(states).toEqual(['booked', 'taken', 'taken']);
    // The EMR holds exactly one active appointment in the slot.
    const inSlot = await emr.db
      .select()
      .from(emrAppointments)
      .where(
        and(
          eq(emrAppointments.therapistId, appt.therapistId!),
          eq(emrAppointments.startAt, new Date(appt.start)),
        ),
      );
    expect(inSlot.filter((a) => a.status === 'booked')).toHaveLength(1);
    const winner = result.offers.find((o) => o.state === 'booked')!;
    const [entry] = await db.db.select().from(waitlistEntries).where(eq(waitlistEntries.id, winner.entryId));
    expect(entry).toMatchObject({ status: 'filled', filledEmrAppointmentId: result.emrAppointmentId });
    for (const w of waiting) {
      expect(await sentTemplates(w.patientId)).toContain(
        w.patientId === winner.patientId ? 'visit_booked:sent' : 'waitlist_slot_gone:sent',
      );
    }
    expect(
      await waitlistFills(db.db, {
        practiceId: DEMO_PRACTICE_ID,
        locationId: downtown,
        from: new Date(Date.now() - 3_600_000),
        to: new Date(Date.now() + 3_600_000),
      }),
    ).toBe(1);
  });

  it('the EMR is the arbiter: eight concurrent bookings of one slot → exactly one appointment', async () => {
    const visits = createVisitActivities({ db: db.db, emr, keys: dataKeys(config) });
    const [slot] = await emr.searchFreeSlots({
      from: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      to: new Date(Date.now() + 9 * 86_400_000).toISOString(),
      locationId: northside,
      limit: 1,
    });
    const racers = await Promise.all(Array.from({ length: 8 }, () => patient()));
    const answers = await Promise.all(
      racers.map((r) =>
        visits.bookVisitSlot({
          practiceId: DEMO_PRACTICE_ID,
          patientId: r.patientId,
          appointmentId: randomUUID(),
          slotId: slot!.slotId,
          kind: 'treatment',
        }),
      ),
    );
    expect(answers.filter((a) => a.booked)).toHaveLength(1);
    expect(answers.filter((a) => !a.booked).map((a) => !a.booked && a.reason)).toEqual(
      Array(7).fill('slot_taken'),
    );
  });

  it('an offer nobody answers lapses; the patient is told and stays on the waitlist', async () => {
    const w = await patient();
    expect((await waitlist({ patientId: w.patientId, locationId: northside, minutes: 30 })).status).toBe(201);
    const [slot] = await emr.searchFreeSlots({
      from: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      to: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      locationId: northside,
      limit: 1,
    });
    const fillId = randomUUID();
    const handle = await client.workflow.start<WaitlistFillWorkflow>(WAITLIST_FILL_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: workflowId('waitfill', fillId),
      args: [
        {
          fillId,
          practiceId: DEMO_PRACTICE_ID,
          therapistId: slot!.therapistId,
          locationId: northside,
          start: slot!.start,
          end: slot!.end,
          appointmentKind: 'treatment',
          offerSeconds: 2,
        },
      ],
    });
    const result = (await handle.result()) as WaitlistFillResult;
    expect(result.outcome).toBe('expired');
    await saveHistory('waitlistFill', 'v1-expired', handle);
    const mine = result.offers.find((o) => o.patientId === w.patientId);
    expect(mine?.state).toBe('expired');
    expect(await sentTemplates(w.patientId)).toEqual(
      expect.arrayContaining(['waitlist_offer:sent', 'waitlist_slot_gone:sent']),
    );
    const [entry] = await db.db
      .select()
      .from(waitlistEntries)
      .where(eq(waitlistEntries.patientId, w.patientId));
    expect(entry?.status).toBe('waiting');
    // A YES after the offer lapsed books nothing.
    await reply(w.phone, 'YES');
    const free = await emr.searchFreeSlots({
      from: slot!.start,
      to: slot!.end,
      therapistId: slot!.therapistId,
      limit: 5,
    });
    expect(free.some((s) => s.start === slot!.start)).toBe(true);
  });

  it('a patient taken off the waitlist while an offer is out is not booked on a late YES', async () => {
    const w = await patient();
    const added = await waitlist({ patientId: w.patientId, locationId: northside, minutes: 30 });
    expect(added.status).toBe(201);
    const { id: entryId } = (await added.json()) as { id: string };
    const [slot] = await emr.searchFreeSlots({
      from: new Date(Date.now() + 15 * 86_400_000).toISOString(),
      to: new Date(Date.now() + 19 * 86_400_000).toISOString(),
      locationId: northside,
      limit: 1,
    });
    const fillId = randomUUID();
    const handle = await client.workflow.start<WaitlistFillWorkflow>(WAITLIST_FILL_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: workflowId('waitfill', fillId),
      args: [
        {
          fillId,
          practiceId: DEMO_PRACTICE_ID,
          therapistId: slot!.therapistId,
          locationId: northside,
          start: slot!.start,
          end: slot!.end,
          appointmentKind: 'treatment',
          offerSeconds: 8,
        },
      ],
    });
    await expect
      .poll(
        async () =>
          (await handle.query(waitlistFillStatusQuery)).offers.find((o) => o.entryId === entryId)?.state,
        { timeout: 30_000, interval: 200 },
      )
      .toBe('offered');
    // The front desk takes the patient off the list; the patient's YES arrives afterwards.
    const removed = await fetch(`${baseUrl}/v1/waitlist/${entryId}`, {
      method: 'DELETE',
      headers: frontDesk,
    });
    expect(removed.status).toBe(200);
    await reply(w.phone, 'YES');
    const result = (await handle.result()) as WaitlistFillResult;
    const mine = result.offers.find((o) => o.entryId === entryId)!;
    expect(mine.state).toBe('taken');
    expect(result.steps).toContain(`entry_not_waiting:${mine.rank}`);
    expect(result.winnerEntryId).not.toBe(entryId);
    // Nothing was asked of the EMR for this patient: the slot holds no appointment of theirs.
    const inSlot = await emr.db
      .select()
      .from(emrAppointments)
      .where(
        and(
          eq(emrAppointments.therapistId, slot!.therapistId),
          eq(emrAppointments.startAt, new Date(slot!.start)),
        ),
      );
    expect(inSlot.filter((a) => a.patientId === w.emrPatientId)).toEqual([]);
    const [entry] = await db.db.select().from(waitlistEntries).where(eq(waitlistEntries.id, entryId));
    expect(entry?.status).toBe('removed');
  });
});

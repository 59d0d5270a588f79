// Progress reports to the referring physician (issue 17 point 3), end to end on the shared dev server: the
// therapist signs a progress report in the sandbox EMR, which queues a Standard-Webhooks-signed `report.signed`;
// it is POSTed over real HTTP to the real Fastify app, verified and handed to the emrEventRouter workflow, which
// starts progressReportDelivery; the worker reads the signed report (EMR), our encrypted patient mirror, the
// outcome scores and the authorization's visit count, renders the PDF, stores it encrypted in PostgreSQL and
// hands it to the PhysicianDelivery port. Checked: the PDF the gateway received opens (pdfjs), says the goals,
// the scores with MCID flags, visits used of authorized and the plan, has ≤ 2 pages and carries no data it
// should not; the delivery and the PDF read are on the audit chain and the chain verifies; the encrypted column
// holds no clear text. Failure path: the gateway is down → bounded retries → a front-desk task; completing it
// with "send by e-mail link" delivers on the e-mail channel.
//
// The PhysicianDelivery implementation here is a recording gateway in the test process (it implements the port
// from connectors/physician-delivery; the fax/Direct sandbox gateway is helper "poc"'s work): everything else is
// real — HTTP, webhook signatures, Temporal, PostgreSQL, encryption, audit chain.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { and, eq, like } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { progressReportIdFor } from '../../activities/progress-reports/index.js';
import { buildApp } from '../../api/app.js';
import { createEmrEventRouter, eventWorkflowUuid } from '../../api/webhooks/emr-router.js';
import { deliveryDedupeKey } from '../../api/webhooks/signed.js';
import { loadConfig } from '../../cli/config.js';
import { devOnboardingConnectors, devPracticeProfile } from '../../cli/dev-sandboxes.js';
import { dataKeys } from '../../cli/keyrings.js';
import type { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { SANDBOX_THERAPISTS } from '../../connectors/emr/sandbox/seed.js';
import { webhookDeliveries } from '../../connectors/emr/sandbox/schema.js';
import {
  PhysicianDeliveryUnavailable,
  type DeliveryChannel,
  type PhysicianDelivery,
  type PhysicianDeliveryReceipt,
  type PhysicianDeliveryRequest,
  type PhysicianDeliveryState,
} from '../../connectors/physician-delivery/index.js';
import { GatewayPhysicianDelivery } from '../../connectors/physician-delivery/gateway/adapter.js';
import {
  startSandboxGateway,
  type SandboxGateway,
} from '../../connectors/physician-delivery/sandbox/server.js';
import { generateWebhookSecret, signedWebhookHeaders } from '../../connectors/webhooks/standard-webhooks.js';
import { verifyAuditChain } from '../../db/audit/verify.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { createProgressReportRepository } from '../../db/repositories/progress-reports.js';
import { auditEvents, progressReports, tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import type { EventRouteResult } from '../../workflows/emr-events/messages.js';
import {
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  priorAuthorizationStatusQuery,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import {
  progressReportDeliveryStatusQuery,
  type ProgressReportDeliveryStatus,
} from '../../workflows/progress-reports/messages.js';
import { completeTaskSignal } from '../../workflows/tasks/messages.js';
import { startIdempotently } from '../../activities/shared/process-starter.js';
import type { AuthorizationPayerPort } from '../../activities/prior-authorization/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { parsePdf } from '../helpers/pdf-text.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const TZ = 'America/Chicago';
const secret = generateWebhookSecret();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-progress-reports-'));
const config = loadConfig({ PTFLOW_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const taskQueue = uniqueTaskQueue('progress-reports');
const REFERRING_NPI = '1245319599';

/** A gateway implementing the PhysicianDelivery port that records what it was given; scripted outages. */
class RecordingGateway implements PhysicianDelivery {
  readonly channels: readonly DeliveryChannel[] = ['fax', 'direct', 'email'];
  readonly sent: (PhysicianDeliveryRequest & { deliveryId: string; channelUsed: DeliveryChannel })[] = [];
  readonly attempts: { key: string; channel?: DeliveryChannel }[] = [];
  /** Sends on these channels fail as "unavailable" (with a short Retry-After, as a gateway would say). */
  readonly down = new Set<DeliveryChannel>();
  /** Status checks answer `queued` this many times before `delivered`. */
  queuedChecks = 1;
  private readonly checks = new Map<string, number>();
  private readonly byKey = new Map<string, PhysicianDeliveryReceipt>();

  async send(req: PhysicianDeliveryRequest): Promise<PhysicianDeliveryReceipt> {
    const channel = req.channel ?? 'fax';
    this.attempts.push({ key: req.idempotencyKey, ...(req.channel ? { channel: req.channel } : {}) });
    if (this.down.has(channel)) {
      throw new PhysicianDeliveryUnavailable('gateway unavailable (503)', { retryAfterMs: 50, status: 503 });
    }
    const known = this.byKey.get(`${req.idempotencyKey}|${channel}`);
    if (known) return { ...known, duplicate: true };
    const deliveryId = `dlv-${randomUUID()}`;
    const receipt: PhysicianDeliveryReceipt = {
      deliveryId,
      channel,
      status: 'queued',
      acceptedAt: new Date().toISOString(),
      duplicate: false,
    };
    this.byKey.set(`${req.idempotencyKey}|${channel}`, receipt);
    this.sent.push({ ...req, deliveryId, channelUsed: channel });
    return receipt;
  }

  async status(deliveryId: string): Promise<PhysicianDeliveryState> {
    const sent = this.sent.find((s) => s.deliveryId === deliveryId);
    if (!sent) throw new Error('unknown delivery');
    const n = (this.checks.get(deliveryId) ?? 0) + 1;
    this.checks.set(deliveryId, n);
    const delivered = n > this.queuedChecks;
    return {
      deliveryId,
      channel: sent.channelUsed,
      status: delivered ? 'delivered' : 'queued',
      updatedAt: new Date().toISOString(),
      ...(delivered ? { deliveredAt: new Date().toISOString() } : {}),
    };
  }

  async listReturns() {
    return { returns: [], nextCursor: '' };
  }

  async acknowledgeReturns() {}
}

const gateway = new RecordingGateway();
/** The port the worker uses: the recording gateway, or (last scenario) the sandbox gateway over HTTP. */
let current: PhysicianDelivery = gateway;
const switchable: PhysicianDelivery = {
  channels: ['fax', 'direct', 'email'],
  send: (req, opts) => current.send(req, opts),
  status: (id, opts) => current.status(id, opts),
  listReturns: (after, opts) => current.listReturns(after, opts),
  acknowledgeReturns: (ids, opts) => current.acknowledgeReturns(ids, opts),
};
let recipientFax = '+12175550199';
let sandboxGateway: SandboxGateway | undefined;
const authPayer: AuthorizationPayerPort = {
  submit: async (request) => ({
    outcome: 'approved',
    authNumber: `AUTH${request.authorizationId.slice(0, 6).toUpperCase()}`,
    visitsAuthorized: request.requestedVisits,
    startDate: request.startDate,
  }),
  status: async () => ({ outcome: 'pended' }),
};

let db: TestDatabase;
let app: FastifyInstance;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let client: Client;
let worker: Awaited<ReturnType<typeof devServerWorker>>;
let emr: SandboxEmr;
let stopSandboxes: () => Promise<void>;
let webhookUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  temporal = await devServerClient();
  client = temporal.client;
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: client,
    taskQueue,
    cursorKey: Buffer.alloc(32, 5),
    readiness: {},
    webhooks: {
      settings: {
        perMinute: 10_000,
        sources: {
          emr: { sandbox: { tenant: DEMO_PRACTICE_ID, secrets: [secret] } },
          payer: {},
          messaging: {},
        },
      },
      router: createEmrEventRouter({ temporal: client, taskQueue }),
    },
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  webhookUrl = `${address}/v1/webhooks/emr/sandbox`;
  const sandboxes = await devOnboardingConnectors(config, db.url, db.db, {
    webhookTarget: { url: webhookUrl, secrets: [secret] },
  });
  emr = sandboxes.emr;
  stopSandboxes = sandboxes.stop;
  // The demo practice's profile (legal name, tax id under the sandbox data keys): the report's header.
  await seedDemoPractice(db.db, sandboxes.deps.keys.keyring);
  worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      temporal: client,
      payer: authPayer,
      onboarding: sandboxes.deps,
      eventRouting: { practiceProfile: devPracticeProfile },
      progressReports: {
        delivery: switchable,
        recipient: async ({ npi }) =>
          npi === REFERRING_NPI
            ? {
                practitionerId: randomUUID(),
                npi,
                displayName: 'Dr. Greg House',
                fax: recipientFax,
                email: 'frontoffice@house-clinic.example',
              }
            : undefined,
      },
    }),
  );
});
afterAll(async () => {
  await sandboxGateway?.close();
  await app?.close();
  await worker?.close();
  await temporal?.close();
  await stopSandboxes?.();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// ─── helpers ───────────────────────────────────────────────────────────────────────────────────────────────

const newWebhookId = () => `msg_${randomUUID().replace(/-/g, '')}`;

/** POSTs the sandbox EMR's queued `report.signed` for this report over HTTP, signed; returns the router's result. */
async function deliverReportEvent(reportId: string): Promise<EventRouteResult> {
  const [row] = await emr.db
    .select()
    .from(webhookDeliveries)
    .where(
      and(eq(webhookDeliveries.eventType, 'report.signed'), like(webhookDeliveries.body, `%${reportId}%`)),
    );
  if (!row) throw new Error('no queued report.signed');
  const id = newWebhookId();
  const res = await fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signedWebhookHeaders({ id, timestamp: Math.floor(Date.now() / 1000), body: row.body }, [secret]),
    },
    body: row.body,
  });
  expect(res.status).toBe(202);
  const key = deliveryDedupeKey(DEMO_PRACTICE_ID, 'emr:sandbox', id);
  return (await client.workflow
    .getHandle(workflowId('event', eventWorkflowUuid(key)))
    .result()) as EventRouteResult;
}

/** A patient ptflow registered (encrypted mirror + coverage; EMR record with our id) with a referral on file. */
async function knownPatient(n: number) {
  const keys = dataKeys(config);
  const patientId = randomUUID();
  const demographics = {
    given: ['Ada'],
    family: `Okafor${n}`,
    birthDate: '1958-03-04',
    sex: 'female' as const,
    phone: '+13125550142',
    email: `zzcanary-${n}-mail@example.com`,
    preferredLanguage: 'en' as const,
  };
  const address = { line1: `ZZCANARY-${n}-STREET`, city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' };
  const { emrId } = await emr.upsertPatient({ patientId, demographics: { ...demographics, address } });
  await createPatientRepository(db.db, keys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics,
    emrPatientId: emrId,
    preferredChannel: 'sms',
    language: 'en',
    timezone: TZ,
  });
  await createCoverageRepository(db.db, keys).upsert({
    coverageId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    payerId: 'commercial-ama',
    priority: 1,
    memberId: `ZZCANARY-${n}-MEMBER`,
  });
  await emr.receiveReferral(emrId, REFERRING_NPI, ['M54.50'], { lastName: 'HOUSE', firstName: 'GREG' });
  return { patientId, emrPatientId: emrId, family: demographics.family };
}

async function scores(
  emrPatientId: string,
  rows: [instrument: 'ODI' | 'NPRS', score: number, date: string][],
) {
  for (const [instrument, score, date] of rows) {
    await emr.writeOutcome({
      observationId: randomUUID(),
      emrPatientId,
      instrument,
      score,
      effective: `${date}T15:00:00Z`,
    });
  }
}

/** A running authorization of `visits` visits with `used` of them recorded (found by the router's visibility query). */
async function authorization(patientId: string, visits: number, used: number) {
  const authorizationId = randomUUID();
  const id = await startIdempotently<PriorAuthorizationWorkflow>(client, {
    taskQueue,
    kind: 'auth',
    processKind: 'priorAuthorization',
    id: authorizationId,
    workflow: PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
    args: [
      {
        authorizationId,
        practiceId: DEMO_PRACTICE_ID,
        patientId,
        coverageId: randomUUID(),
        payerId: 'commercial-ama',
        timezone: TZ,
        requestedVisits: visits,
        startDate: '2026-10-01',
        urgency: 'standard',
        planOfCareContinues: true,
      },
    ],
    practiceId: DEMO_PRACTICE_ID,
    patientId,
  });
  const handle = client.workflow.getHandle(id);
  await expect
    .poll(async () => (await handle.query(priorAuthorizationStatusQuery)).visitsAuthorized, {
      timeout: 30_000,
    })
    .toBe(visits);
  for (let i = 0; i < used; i++) {
    await handle.executeUpdate('recordVisit', {
      args: [{ visitId: randomUUID(), dos: `2026-10-${String(2 + i).padStart(2, '0')}`, units: 3 }],
    });
  }
  await expect
    .poll(
      async () => {
        const ids: string[] = [];
        const query = `PatientId = '${patientId}' AND ProcessKind = 'priorAuthorization' AND ExecutionStatus = 'Running'`;
        for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
        return ids.length;
      },
      { timeout: 30_000 },
    )
    .toBe(1);
  return handle;
}

// ─── scenarios ─────────────────────────────────────────────────────────────────────────────────────────────

describe('progress report to the referring physician', () => {
  it('signed in the EMR → PDF rendered, stored encrypted, delivered, audited; minimum necessary', async () => {
    const ada = await knownPatient(1);
    const other = await knownPatient(2);
    await scores(ada.emrPatientId, [
      ['ODI', 42, '2026-10-01'],
      ['ODI', 28, '2026-11-20'],
      ['NPRS', 6, '2026-10-01'],
      ['NPRS', 5, '2026-11-20'],
      // After the report date: not on this report.
      ['ODI', 10, '2026-12-30'],
    ]);
    await scores(other.emrPatientId, [['ODI', 77, '2026-10-01']]);
    const auth = await authorization(ada.patientId, 12, 3);

    const report = await emr.signReport({
      emrPatientId: ada.emrPatientId,
      therapistId: SANDBOX_THERAPISTS.whitfield,
      kind: 'progress_report',
      reportDate: '2026-11-20',
      goals: [
        { text: 'Sit 60 minutes at work with pain at most 3/10', status: 'progressing' },
        { text: 'Lift 20 lb floor to waist with correct mechanics', status: 'met' },
      ],
      assessment: 'Improving lumbar stability; tolerance to sitting up from 20 to 45 minutes.',
      plan: 'Continue 2x/week for 4 weeks: stabilization, graded lifting, home program progression.',
    });
    // The other patient's report, signed too (its data must not appear in Ada's PDF).
    await emr.signReport({
      emrPatientId: other.emrPatientId,
      therapistId: SANDBOX_THERAPISTS.ortega,
      kind: 'discharge_summary',
      reportDate: '2026-11-21',
      goals: [{ text: 'ZZCANARY-2-GOAL walk 1 mile', status: 'met' }],
      plan: 'ZZCANARY-2-PLAN discharge to home program.',
    });

    const routed = await deliverReportEvent(report.reportId);
    const reportId = progressReportIdFor(DEMO_PRACTICE_ID, report.reportId);
    const reportWorkflowId = workflowId('report', reportId);
    expect(routed).toMatchObject({ type: 'report.signed', outcome: 'routed', patientId: ada.patientId });
    expect(routed.steps).toEqual(['progress_report:started']);
    expect(routed.workflowIds).toEqual([reportWorkflowId]);

    const handle = client.workflow.getHandle(reportWorkflowId);
    const final = (await handle.result()) as ProgressReportDeliveryStatus;
    expect(final).toMatchObject({ state: 'delivered', rounds: 1, channel: 'fax', pageCount: 1 });

    // The gateway got one PDF for this report, for the referring physician of the referral.
    const sent = gateway.sent.filter((s) => s.reference === reportId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      kind: 'progress_report',
      practiceId: DEMO_PRACTICE_ID,
      idempotencyKey: `${reportWorkflowId}:send:1`,
      recipient: { npi: REFERRING_NPI },
      signatureRequested: false,
    });
    const document = sent[0]!.document;
    if (document.type !== 'pdf') throw new Error('expected PDF bytes');
    const pdf = await parsePdf(document.bytes);
    expect(pdf.pageCount).toBeLessThanOrEqual(2);
    const text = pdf.text;
    expect(text).toContain('RIVERSIDE PHYSICAL THERAPY');
    expect(text).toContain('Physical Therapy Progress Report');
    expect(text).toContain(`${ada.family}, Ada`);
    expect(text).toContain('Year of birth: 1958');
    expect(text).toContain('GREG HOUSE (NPI 1245319599)');
    expect(text).toMatch(/Referral of \d{4}-\d{2}-\d{2} +Report date: 2026-11-20/);
    expect(text).toMatch(/Sit 60 minutes at work with pain at most 3\/10 . Progressing/);
    expect(text).toMatch(/Lift 20 lb floor to waist with correct mechanics . Met/);
    expect(text).toMatch(/ODI: 42 on 2026-10-01 -> 28 on 2026-11-20; change \+14 .*MCID 10: REACHED/);
    expect(text).toMatch(/NPRS: 6 on 2026-10-01 -> 5 on 2026-11-20; change \+1 .*MCID 2: not reached/);
    expect(text).toContain('Visits used: 3 of 12 authorized (9 remaining');
    expect(text).toContain('Continue 2x/week for 4 weeks');
    expect(text).toContain('Dana Whitfield');
    // Minimum necessary: no full DOB, no contact data, no member id, nothing of the other patient.
    expect(text).not.toContain('1958-03-04');
    expect(text).not.toMatch(/zzcanary/i);
    expect(text).not.toContain(other.family);
    expect(text).not.toContain('77');
    expect(text).not.toMatch(/\b\d{3}-\d{2}-\d{4}\b/); // nothing shaped like an SSN
    expect(text).not.toContain('-> 10 on 2026-12-30');
    const raw = Buffer.from(document.bytes).toString('latin1');
    expect(raw).not.toMatch(/zzcanary/i);

    // Stored encrypted: the raw row holds no clear text of the PDF (neither the literal nor pdf-lib's hex form).
    const [row] = await db.sql`
      select encode(pdf_enc, 'escape') as enc, encode(pdf_enc, 'hex') as enc_hex, status, channel, transmission_id,
             delivery_rounds, page_count, key_id
      from progress_reports where id = ${reportId}`;
    expect(row).toMatchObject({ status: 'delivered', channel: 'fax', delivery_rounds: 1, page_count: 1 });
    expect(row!.transmission_id).toBe(final.deliveryId);
    expect(document.bytes.length).toBeGreaterThan(500);
    // The clear PDF's structure and a slice of its (compressed) page content: none of it is in the stored bytes.
    const clear = Buffer.from(document.bytes);
    const contentSlice = clear.subarray(Math.floor(clear.length / 2), Math.floor(clear.length / 2) + 24);
    expect(raw).toContain('%PDF-1.7');
    expect(raw).toContain('/FlateDecode');
    const enc = Buffer.from(String(row!.enc_hex), 'hex');
    expect(enc.length).toBeGreaterThan(clear.length); // header + IV + tag around the ciphertext
    for (const needle of [
      Buffer.from('%PDF'),
      Buffer.from('/FlateDecode'),
      Buffer.from('/Title'),
      contentSlice,
    ]) {
      expect(enc.includes(needle)).toBe(false);
    }
    for (const word of [ada.family, 'Progress Report', 'HOUSE', '%PDF']) {
      expect(String(row!.enc)).not.toContain(word);
    }
    // … and decrypts back to exactly what was delivered.
    const stored = await createProgressReportRepository(db.db, dataKeys(config).keyring).pdf(
      DEMO_PRACTICE_ID,
      reportId,
    );
    expect(Buffer.from(stored!.pdf).equals(Buffer.from(document.bytes))).toBe(true);
    // No other column is PHI: the clear columns are ids, dates, counts and states.
    const [clearColumns] = await db.db
      .select({ kind: progressReports.kind, reportDate: progressReports.reportDate })
      .from(progressReports)
      .where(eq(progressReports.id, reportId));
    expect(clearColumns).toEqual({ kind: 'progress_report', reportDate: '2026-11-20' });

    // Audited: the disclosure (who: the process; what: field names), the PDF read and the patient mirror read.
    const audit = await db.db.select().from(auditEvents).where(eq(auditEvents.workflowId, reportWorkflowId));
    const delivery = audit.filter((a) => a.resourceType === 'progress_report_delivery');
    expect(delivery).toHaveLength(1);
    expect(delivery[0]).toMatchObject({
      action: 'E',
      actorType: 'service',
      resourceId: reportId,
      patientRef: ada.patientId,
      purposeOfUse: 'TREAT',
      outcome: 'success',
    });
    expect(delivery[0]!.fieldsDisclosed).toEqual(
      expect.arrayContaining(['report.goals', 'outcomes', 'visits']),
    );
    expect(audit.filter((a) => a.resourceType === 'progress_reports' && a.action === 'R')).not.toHaveLength(
      0,
    );
    expect(audit.some((a) => a.resourceType === 'patients' && a.patientRef === ada.patientId)).toBe(true);
    expect(JSON.stringify(audit)).not.toMatch(/zzcanary|okafor/i);
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true });

    // The same event again (a redelivery under a new webhook id): the finished process is not started again.
    const again = await deliverReportEvent(report.reportId);
    expect(again.steps).toEqual(['progress_report:already_done']);
    expect(gateway.sent.filter((s) => s.reference === reportId)).toHaveLength(1);
    await auth.terminate('test done');
  });

  it('the gateway is down: bounded retries, then a front-desk task; "send by e-mail link" delivers', async () => {
    const pat = await knownPatient(3);
    await scores(pat.emrPatientId, [['ODI', 50, '2026-10-01']]);
    const report = await emr.signReport({
      emrPatientId: pat.emrPatientId,
      therapistId: SANDBOX_THERAPISTS.nguyen,
      kind: 'recertification',
      reportDate: '2026-12-01',
      goals: [{ text: 'Return to running 5 km', status: 'partially_met' }],
      plan: 'Recertify for 6 more weeks, 2x/week.',
    });
    gateway.down.add('fax');
    const attemptsBefore = gateway.attempts.length;
    const routed = await deliverReportEvent(report.reportId);
    expect(routed.outcome).toBe('routed');
    const reportId = progressReportIdFor(DEMO_PRACTICE_ID, report.reportId);
    const reportWorkflowId = workflowId('report', reportId);
    const handle = client.workflow.getHandle(reportWorkflowId);

    // The round's retries are exhausted (six attempts with the same key), then the process waits for staff.
    await expect
      .poll(async () => (await handle.query(progressReportDeliveryStatusQuery)).state, {
        timeout: 60_000,
        interval: 250,
      })
      .toBe('waiting_for_staff');
    const tried = gateway.attempts
      .slice(attemptsBefore)
      .filter((a) => a.key === `${reportWorkflowId}:send:1`);
    expect(tried).toHaveLength(6);
    expect(await handle.query(progressReportDeliveryStatusQuery)).toMatchObject({
      rounds: 1,
      lastFailure: 'PhysicianDeliveryUnavailable',
    });
    const [failed] = await db.db.select().from(progressReports).where(eq(progressReports.id, reportId));
    expect(failed).toMatchObject({ status: 'failed', lastFailure: 'PhysicianDeliveryUnavailable' });
    await expect
      .poll(
        async () =>
          (
            await db.db
              .select({ kind: tasks.kind, role: tasks.assigneeRole })
              .from(tasks)
              .where(and(eq(tasks.workflowId, reportWorkflowId), eq(tasks.status, 'open')))
          )[0],
        { timeout: 30_000 },
      )
      .toEqual({ kind: 'progress_report_delivery_failed', role: 'front_desk' });
    const [open] = await db.db.select().from(tasks).where(eq(tasks.workflowId, reportWorkflowId));
    // Every failed attempt is on the audit chain as an error (the disclosure may have happened).
    const errors = await db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.workflowId, reportWorkflowId), eq(auditEvents.outcome, 'error')));
    expect(errors).toHaveLength(6);

    // The front desk chooses the e-mail link: round 2 goes out on the e-mail channel.
    await client.workflow
      .getHandle(workflowId('task', open!.id))
      .signal(completeTaskSignal, { completedBy: 'user:frontdesk-1', outcome: { sendByEmailLink: true } });
    const final = (await handle.result()) as ProgressReportDeliveryStatus;
    expect(final).toMatchObject({ state: 'delivered', rounds: 2, channel: 'email' });
    const sent = gateway.sent.filter((s) => s.reference === reportId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: 'email', idempotencyKey: `${reportWorkflowId}:send:2` });
    const document = sent[0]!.document;
    if (document.type !== 'pdf') throw new Error('expected PDF bytes');
    const { text, pageCount } = await parsePdf(document.bytes);
    expect(pageCount).toBeLessThanOrEqual(2);
    expect(text).toContain('Physical Therapy Recertification');
    expect(text).toContain('Return to running 5 km — Partially met');
    expect(text).toContain('no open plan of care');
    const [row] = await db.db.select().from(progressReports).where(eq(progressReports.id, reportId));
    expect(row).toMatchObject({
      status: 'delivered',
      channel: 'email',
      deliveryRounds: 2,
      lastFailure: null,
    });
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true });
    gateway.down.delete('fax');
    // This run (failed round with retries, a child task, a second round) is the committed replay history of the
    // workflow (test/workflows/replay.int.test.ts replays it); re-record with UPDATE_HISTORIES=1.
    if (process.env.UPDATE_HISTORIES === '1') {
      const file = fileURLToPath(new URL('../histories/progressReportDelivery/v1.json', import.meta.url));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${historyToJSON(await handle.fetchHistory())}\n`);
    }
  });

  it('over HTTP to the sandbox fax gateway: delivered; a busy fax fails the round and raises the task', async () => {
    sandboxGateway = await startSandboxGateway({ token: 'gw-token', testHooks: true });
    current = new GatewayPhysicianDelivery({
      baseUrl: sandboxGateway.url,
      token: 'gw-token',
      timeoutMs: 3_000,
    });
    const pat = await knownPatient(4);
    const sign = (reportDate: string) =>
      emr.signReport({
        emrPatientId: pat.emrPatientId,
        therapistId: SANDBOX_THERAPISTS.whitfield,
        kind: 'progress_report',
        reportDate,
        goals: [{ text: 'Walk 30 minutes without a cane', status: 'progressing' }],
        plan: 'Continue 2x/week.',
      });

    const ok = await sign('2026-12-02');
    await deliverReportEvent(ok.reportId);
    const okId = progressReportIdFor(DEMO_PRACTICE_ID, ok.reportId);
    const delivered = (await client.workflow
      .getHandle(workflowId('report', okId))
      .result()) as ProgressReportDeliveryStatus;
    expect(delivered).toMatchObject({ state: 'delivered', rounds: 1, channel: 'fax' });
    const atGateway = sandboxGateway.deliveries().filter((d) => d.reference === okId);
    const stored = await createProgressReportRepository(db.db, dataKeys(config).keyring).pdf(
      DEMO_PRACTICE_ID,
      okId,
    );
    expect(atGateway).toEqual([
      expect.objectContaining({
        kind: 'progress_report',
        status: 'delivered',
        deliveryId: delivered.deliveryId,
        documentBytes: stored!.pdf.length,
        pages: 1,
      }),
    ]);

    // A fax number that is always busy (the sandbox's scenario): accepted, then failed → the front desk decides.
    recipientFax = '+12175550486';
    const busy = await sign('2026-12-03');
    await deliverReportEvent(busy.reportId);
    const busyId = progressReportIdFor(DEMO_PRACTICE_ID, busy.reportId);
    const handle = client.workflow.getHandle(workflowId('report', busyId));
    await expect
      .poll(async () => (await handle.query(progressReportDeliveryStatusQuery)).state, {
        timeout: 60_000,
        interval: 250,
      })
      .toBe('waiting_for_staff');
    expect(await handle.query(progressReportDeliveryStatusQuery)).toMatchObject({
      rounds: 1,
      lastFailure: 'DeliveryFailed',
    });
    expect(sandboxGateway.deliveries().filter((d) => d.reference === busyId)).toEqual([
      expect.objectContaining({ status: 'failed', failureCode: 'busy' }),
    ]);
    await expect
      .poll(
        async () =>
          (
            await db.db
              .select({ kind: tasks.kind })
              .from(tasks)
              .where(and(eq(tasks.workflowId, workflowId('report', busyId)), eq(tasks.status, 'open')))
          ).map((t) => t.kind),
        { timeout: 30_000 },
      )
      .toEqual(['progress_report_delivery_failed']);
    recipientFax = '+12175550199';
    current = gateway;
    await handle.terminate('test done');
  });
});

// The progress-report activities one by one (WF-2, WF-3) under MockActivityEnvironment, on real PostgreSQL and the
// sandbox EMR (no Temporal server): preparing twice stores one rendering; a send without a delivery address is a
// non-retryable PhysicianDeliveryNoRoute whose attempt is audited; the same round always uses the same
// idempotency key; the gateway's states map to DeliveryPending (benign, retried), DeliveryFailed (final) and a
// delivered row; an EMR that cannot read signed reports is ReportNotAvailable. Failure messages carry no PHI.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProgressReportActivities,
  progressReportIdFor,
  type ProgressReportDeps,
} from '../../activities/progress-reports/index.js';
import { auditPhiReads } from '../../activities/phi-read-audit.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { SANDBOX_THERAPISTS, seedSandboxEmr } from '../../connectors/emr/sandbox/seed.js';
import type {
  DeliveryStatus,
  PhysicianDelivery,
  PhysicianDeliveryRequest,
} from '../../connectors/physician-delivery/index.js';
import { verifyAuditChain } from '../../db/audit/verify.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { auditEvents, progressReports } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const keys = { keyring: generateKeyring('d1'), blindIndexKey: Buffer.alloc(32, 7) };
let db: TestDatabase;
let sql: postgres.Sql;
let emr: SandboxEmr;

/** A PhysicianDelivery that answers status from a script and records the keys it was sent. */
function scriptedGateway(status: DeliveryStatus[]): PhysicianDelivery & { keys: string[] } {
  const keysSeen: string[] = [];
  let n = 0;
  return {
    channels: ['fax'],
    keys: keysSeen,
    async send(req: PhysicianDeliveryRequest) {
      keysSeen.push(req.idempotencyKey);
      return {
        deliveryId: 'dlv-1',
        channel: 'fax',
        status: 'queued',
        acceptedAt: new Date().toISOString(),
        duplicate: false,
      };
    },
    async status(deliveryId: string) {
      const s = status[Math.min(n++, status.length - 1)]!;
      return {
        deliveryId,
        channel: 'fax',
        status: s,
        updatedAt: new Date().toISOString(),
        ...(s === 'failed' ? { failureCode: 'busy' } : {}),
      };
    },
    async listReturns() {
      return { returns: [], nextCursor: '' };
    },
    async acknowledgeReturns() {},
  };
}

/** As the worker registers them: wrapped so their PHI reads go to the audit chain. */
const activities = (over: Partial<ProgressReportDeps> = {}) =>
  auditPhiReads(db.db, createProgressReportActivities({ db: db.db, emr, keys, ...over }));

const run = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment({
    workflowExecution: { workflowId: 'report:test', runId: randomUUID() },
    workflowType: 'progressReportDelivery',
  }).run(fn, ...args) as Promise<R>;

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  await seedSandboxEmr(sql, new Date());
  emr = new SandboxEmr(sql, { practiceId: DEMO_PRACTICE_ID });
});
afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await db?.drop();
});

async function signedReport() {
  const patientId = randomUUID();
  const demographics = {
    given: ['Lena'],
    family: 'ZZCANARY-9-Lindqvist',
    birthDate: '1970-05-06',
    sex: 'female' as const,
    phone: '+13125550111',
    preferredLanguage: 'en' as const,
  };
  const { emrId } = await emr.upsertPatient({ patientId, demographics });
  await createPatientRepository(db.db, keys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics,
    emrPatientId: emrId,
    preferredChannel: 'sms',
    language: 'en',
    timezone: 'America/Chicago',
  });
  const report = await emr.signReport({
    emrPatientId: emrId,
    therapistId: SANDBOX_THERAPISTS.whitfield,
    kind: 'discharge_summary',
    reportDate: '2026-11-30',
    goals: [{ text: 'Climb two flights of stairs', status: 'met' }],
    plan: 'Discharged to a home program.',
  });
  const input = {
    reportId: progressReportIdFor(DEMO_PRACTICE_ID, report.reportId),
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    emrPatientId: emrId,
    emrReportId: report.reportId,
    kind: 'discharge_summary' as const,
    reportDate: '2026-11-30',
  };
  return input;
}

describe('progress report activities', () => {
  it('prepare is idempotent: a retry keeps the first stored rendering', async () => {
    const input = await signedReport();
    const a = activities();
    expect(await run(a.prepareProgressReport, input)).toEqual({ pageCount: 1, stored: true });
    const [first] = await db.db.select().from(progressReports).where(eq(progressReports.id, input.reportId));
    expect(await run(a.prepareProgressReport, input)).toEqual({ pageCount: 1, stored: false });
    const rows = await db.db.select().from(progressReports).where(eq(progressReports.id, input.reportId));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.pdfEnc.equals(first!.pdfEnc)).toBe(true);
    // The patient mirror read is on the audit chain (purpose TREAT: the process kind's purpose of use).
    const reads = await db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.resourceType, 'patients'), eq(auditEvents.patientRef, input.patientId)));
    expect(reads[0]).toMatchObject({ action: 'R', purposeOfUse: 'TREAT', workflowId: 'report:test' });
  });

  it('no delivery address: non-retryable PhysicianDeliveryNoRoute, the attempt audited, no PHI in the failure', async () => {
    const input = await signedReport();
    const gateway = scriptedGateway(['delivered']);
    const a = activities({ delivery: gateway, recipient: async () => undefined });
    await run(a.prepareProgressReport, input);
    const failure = await failureOf(
      run(a.sendProgressReport, {
        reportId: input.reportId,
        practiceId: DEMO_PRACTICE_ID,
        emrPatientId: input.emrPatientId,
        round: 1,
      }),
    );
    expect(failure).toMatchObject({ type: 'PhysicianDeliveryNoRoute', nonRetryable: true });
    expect(JSON.stringify({ m: failure.message, d: failure.details })).not.toMatch(/zzcanary|lindqvist/i);
    expect(gateway.keys).toEqual([]);
    const audit = await db.db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.resourceType, 'progress_report_delivery'),
          eq(auditEvents.resourceId, input.reportId),
        ),
      );
    expect(audit).toEqual([expect.objectContaining({ outcome: 'error', action: 'E' })]);
  });

  it('a round always sends with its own key; gateway states map to pending, failed and delivered', async () => {
    const input = await signedReport();
    const gateway = scriptedGateway(['queued', 'failed', 'delivered']);
    const a = activities({
      delivery: gateway,
      recipient: async ({ practiceId }) => ({ practitionerId: practiceId, displayName: 'Dr. X', fax: '+1' }),
    });
    await run(a.prepareProgressReport, input);
    const q = { reportId: input.reportId, practiceId: DEMO_PRACTICE_ID, emrPatientId: input.emrPatientId };
    await run(a.sendProgressReport, { ...q, round: 1 });
    await run(a.sendProgressReport, { ...q, round: 1 });
    await run(a.sendProgressReport, { ...q, round: 2 });
    expect(gateway.keys).toEqual([
      `report:${input.reportId}:send:1`,
      `report:${input.reportId}:send:1`,
      `report:${input.reportId}:send:2`,
    ]);
    const confirm = { reportId: input.reportId, practiceId: DEMO_PRACTICE_ID, deliveryId: 'dlv-1' };
    const pending = await failureOf(run(a.confirmProgressReportDelivery, { ...confirm, channel: 'fax' }));
    expect(pending).toMatchObject({ type: 'DeliveryPending', nonRetryable: false, category: 'BENIGN' });
    const failed = await failureOf(run(a.confirmProgressReportDelivery, { ...confirm, channel: 'fax' }));
    expect(failed).toMatchObject({ type: 'DeliveryFailed', nonRetryable: true });
    expect(await run(a.confirmProgressReportDelivery, { ...confirm, channel: 'fax' })).toHaveProperty(
      'deliveredAt',
    );
    const [row] = await db.db.select().from(progressReports).where(eq(progressReports.id, input.reportId));
    expect(row).toMatchObject({ status: 'delivered', transmissionId: 'dlv-1', channel: 'fax' });
    // A late failure report never undoes the delivery.
    await run(a.recordProgressReportFailure, { ...confirm, channel: 'fax', failure: 'Late' });
    const [after] = await db.db.select().from(progressReports).where(eq(progressReports.id, input.reportId));
    expect(after).toMatchObject({ status: 'delivered', lastFailure: null });
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true });
  });

  it('an EMR without signed reports: ReportNotAvailable, not retried; no delivery connector: ConnectorNotConfigured', async () => {
    const input = await signedReport();
    const withoutReports = Object.assign(Object.create(emr) as SandboxEmr, { getSignedReport: undefined });
    const failure = await failureOf(run(activities({ emr: withoutReports }).prepareProgressReport, input));
    expect(failure).toMatchObject({ type: 'ReportNotAvailable', nonRetryable: true });
    await run(activities().prepareProgressReport, input);
    const notConfigured = await failureOf(
      run(activities().sendProgressReport, {
        reportId: input.reportId,
        practiceId: DEMO_PRACTICE_ID,
        emrPatientId: input.emrPatientId,
        round: 1,
      }),
    );
    expect(notConfigured).toMatchObject({ type: 'ConnectorNotConfigured', nonRetryable: true });
  });
});

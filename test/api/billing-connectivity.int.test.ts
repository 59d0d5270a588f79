// Over 350 lines: one real stack (dev server, PostgreSQL, sandbox EMR, worker, API over HTTP) shared by both halves of point 4.
// Billing-system connectivity (issue 17 point 4) on the real stack: the Temporal dev server, PostgreSQL, the
// sandbox EMR (notes signed through its own booking, check-in and signing), a worker, and the API over HTTP.
// - The nightly reconciliation schedule, triggered twice: seeded discrepancies (a missed charge, a charge without a
//   note that a payer paid, a units difference) plus a clean visit give exactly one biller task each, the second
//   run none; a fixed discrepancy is resolved and, when it comes back, gets one new task (the documented decision).
// - The charge export: the CSV parses back (Python's csv module) with exactly the columns docs/billing-export.md
//   documents; the 837P batch passes pyx12; bad input is problem+json naming the field; roles; the CLI.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorClaimCoding } from '../../activities/claim/claim-rows.js';
import type { ClaimCase } from '../../activities/claim/types.js';
import { createActivities } from '../../activities/index.js';
import { buildApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { openGrant } from '../../api/break-glass/grants.js';
import { runBillingExport } from '../../cli/commands/billing.js';
import { ApiCliError } from '../../cli/commands/api-client.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { seedSandboxEmr } from '../../connectors/emr/sandbox/seed.js';
import type { SignedVisit } from '../../connectors/emr/types.js';
import { createAddressHasher, createSandboxMessaging } from '../../connectors/messaging/index.js';
import { sandboxPayerDirectory } from '../../connectors/payer/sandbox/plans.js';
import { parse837P } from '../../connectors/payer/x12/index.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { billingDiscrepancies, claimCodings, claimRemittances, claims, tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { CHARGE_CSV_COLUMNS } from '../../domain/billing/charge-export.js';
import { ClaimSchema } from '../../domain/model/claim.js';
import type { ReconcileBillingResult } from '../../workflows/schedules/messages.js';
import { ensureSchedules, scheduleDeclarations, type ScheduleDeclaration } from '../../temporal/schedules.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const TZ = 'America/Chicago';
const PAYER = 'commercial-ama';
const keys = { keyring: generateKeyring('recon'), blindIndexKey: randomBytes(32) };
const quiet = { info: () => undefined, warn: () => undefined };
const practiceContact = async () => ({ practiceName: 'Riverside PT', practicePhone: '+1 555 555 0100' });

let db: TestDatabase;
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let worker: Awaited<ReturnType<typeof devServerWorker>>;
let app: FastifyInstance;
let apiUrl: string;
let billerKey: string;
let adminKey: string;
let adminPrincipalId: string;
let deskKey: string;
const taskQueue = uniqueTaskQueue('recon');
const declaration: ScheduleDeclaration = {
  ...scheduleDeclarations.find((d) => d.name === 'billing-reconciliation')!,
  scheduleId: `ptflow-billing-reconciliation-${randomUUID().slice(0, 8)}`,
};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-recon-'));

/** The sandbox EMR as the worker reads it, and a second handle whose clock is a day back (notes signed then). */
let emr: SandboxEmr;
let signer: SandboxEmr;
let patientId: string;
let emrPatientId: string;
const visits: Record<'clean' | 'missed' | 'units', SignedVisit> = {} as never;
const undocumentedVisitId = randomUUID();
const claimIds: Record<'clean' | 'units' | 'undocumented', string> = {
  clean: randomUUID(),
  units: randomUUID(),
  undocumented: randomUUID(),
};

/** A treatment visit in the last week: booked, checked in and signed in the sandbox EMR (a day ago). */
async function signedVisit(minutes97110: number): Promise<SignedVisit> {
  const now = Date.now();
  const [slot] = await signer.searchFreeSlots({
    from: new Date(now - 8 * 86_400_000).toISOString(),
    to: new Date(now - 2 * 86_400_000).toISOString(),
    limit: 1,
  });
  if (!slot) throw new Error('no free slot in the sandbox EMR');
  const appt = await signer.bookAppointment({
    appointmentId: randomUUID(),
    slotId: slot.slotId,
    emrPatientId,
    kind: 'treatment',
  });
  await signer.checkIn(appt.emrAppointmentId);
  return signer.signNote(
    appt.emrAppointmentId,
    [
      { code: '97110', minutes: minutes97110, furnishedBy: 'PT' },
      { code: '97140', minutes: 15, furnishedBy: 'PT' },
    ],
    ['M54.50', 'M25.561'],
  );
}

/** A claim as the claim process mirrors it: the `claims` row and, through the pipeline's writer, its coding. */
async function billedClaim(
  claimId: string,
  visitId: string,
  dos: string,
  units97110: number,
  status = 'submitted',
): Promise<void> {
  await db.db.insert(claims).values({
    id: claimId,
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    visitId,
    payerId: PAYER,
    serviceDate: dos,
    patientControlNumber: `PCN${claimId.replace(/-/g, '').slice(0, 16).toUpperCase()}`,
    status,
    chargeCents: 0,
    workflowId: `claim:${claimId}`,
  });
  const claim = ClaimSchema.parse({
    id: claimId,
    visitId,
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    payerId: PAYER,
    patientControlNumber: 'unused',
    billingProvider: { npi: '1234567893' },
    renderingProvider: { npi: '1987654328', lastName: 'WHITFIELD', firstName: 'DANA' },
    referringProvider: { npi: '1245319599' },
    diagnoses: ['M54.50', 'M25.561'],
    lines: [
      {
        lineNumber: 1,
        code: '97110',
        modifiers: ['GP'],
        units: units97110,
        chargeCents: 4000 * units97110,
        diagnosisPointers: [1, 2],
        dos,
      },
      {
        lineNumber: 2,
        code: '97140',
        modifiers: ['GP'],
        units: 1,
        chargeCents: 3850,
        diagnosisPointers: [1],
        dos,
      },
    ],
  });
  const claimCase = {
    claimId,
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    parties: { referringProvider: { name: 'SMITH', firstName: 'JANE', npi: '1245319599' } },
  } as unknown as ClaimCase;
  await mirrorClaimCoding(db.db, claimCase, claim);
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db, keys.keyring);
  await seedSandboxEmr(db.sql, new Date());
  emr = new SandboxEmr(db.sql, { practiceId: DEMO_PRACTICE_ID });
  signer = new SandboxEmr(db.sql, {
    practiceId: DEMO_PRACTICE_ID,
    now: () => new Date(Date.now() - 86_400_000),
  });

  // A patient ptflow registered: encrypted mirror, coverage, and the EMR record carrying our id.
  patientId = randomUUID();
  const demographics = {
    given: ['Ada'],
    family: 'Okafor',
    birthDate: '1958-03-04',
    sex: 'female' as const,
    preferredLanguage: 'en' as const,
    address: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' },
  };
  emrPatientId = (await emr.upsertPatient({ patientId, demographics })).emrId;
  await createPatientRepository(db.db, keys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics,
    emrPatientId,
    preferredChannel: 'sms',
    language: 'en',
    timezone: TZ,
  });
  await createCoverageRepository(db.db, keys).upsert({
    coverageId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    patientId,
    payerId: PAYER,
    priority: 1,
    memberId: 'MBR900100',
  });

  // Notes: 30 + 15 minutes (AMA: 97110 2 units, 97140 1) on three visits.
  visits.clean = await signedVisit(30);
  visits.missed = await signedVisit(30);
  visits.units = await signedVisit(30);
  // Charges: the clean visit as documented; the units visit with 3 units of 97110; a paid claim with no note.
  await billedClaim(claimIds.clean, visits.clean.visitId, visits.clean.dateOfService, 2);
  await billedClaim(claimIds.units, visits.units.visitId, visits.units.dateOfService, 3);
  await billedClaim(claimIds.undocumented, undocumentedVisitId, visits.clean.dateOfService, 2, 'paid');
  await db.db.insert(claimRemittances).values({
    id: randomUUID(),
    claimId: claimIds.undocumented,
    paymentTrace: 'TRN-RECON-1',
    claimStatusCode: '1',
    paidCents: 9800,
    patientResponsibilityCents: 2050,
    adjustments: [],
  });

  temporal = await devServerClient();
  const messaging = createSandboxMessaging({
    db: db.db,
    hashAddress: createAddressHasher(randomBytes(32)),
    logger: quiet,
    practiceContact,
  });
  worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      temporal: temporal.client,
      onboarding: { emr, messaging, keys, practiceContact },
    }),
  );
  await ensureSchedules(temporal.client, { taskQueue, timeZone: TZ, paused: true }, [declaration]);

  app = await buildApp({
    logLevel: process.env.RECON_DEBUG ? 'error' : 'silent',
    db: db.db,
    temporal: temporal.client,
    taskQueue,
    cursorKey: Buffer.alloc(32, 7),
    readiness: { database: async () => true },
    billingExport: {
      keys,
      payers: sandboxPayerDirectory(),
      submitter: { name: 'PTFLOW BILLING', id: 'PTFLOWTEST', contactName: 'BILLING', phone: '5555550100' },
    },
  });
  apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  billerKey = (await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'biller', label: 'recon' }))
    .key;
  const admin = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'admin', label: 'recon' });
  adminKey = admin.key;
  adminPrincipalId = `apikey:${admin.prefix}`;
  deskKey = (await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'front_desk', label: 'recon' }))
    .key;
}, 180_000);

afterAll(async () => {
  await temporal?.client.schedule
    .getHandle(declaration.scheduleId)
    .delete()
    .catch(() => undefined);
  await app?.close();
  await worker?.close();
  await temporal?.close();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Trigger the schedule and wait for the run it started; returns the run's result. */
async function triggerAndWait(): Promise<ReconcileBillingResult> {
  const handle = temporal.client.schedule.getHandle(declaration.scheduleId);
  const before = (await handle.describe()).info.numActionsTaken;
  await handle.trigger();
  for (let i = 0; i < 300; i++) {
    const desc = await handle.describe();
    const last = desc.info.recentActions.at(-1);
    if (desc.info.numActionsTaken > before && last) {
      return (await temporal.client.workflow
        .getHandle(last.action.workflow.workflowId)
        .result()) as ReconcileBillingResult;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the reconciliation schedule did not start a run');
}

const reconTasks = () =>
  db.db
    .select({
      id: tasks.id,
      kind: tasks.kind,
      role: tasks.assigneeRole,
      details: tasks.details,
      title: tasks.title,
    })
    .from(tasks)
    .where(and(eq(tasks.practiceId, DEMO_PRACTICE_ID), like(tasks.kind, 'billing_%')));

async function untilTasks(n: number) {
  for (let i = 0; i < 200; i++) {
    const rows = await reconTasks();
    if (rows.length >= n) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  return reconTasks();
}

describe('nightly billing reconciliation (Temporal Schedule on the dev server)', () => {
  it('is declared like the other schedules: nightly, overlap SKIP, in the configured zone', async () => {
    const desc = await temporal.client.schedule.getHandle(declaration.scheduleId).describe();
    expect(desc.action).toMatchObject({ workflowType: 'reconcileBilling', taskQueue });
    expect(desc.policies.overlap).toBe('SKIP');
    expect(desc.spec.timezone).toBe(TZ);
    expect(desc.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 1, end: 1, step: 1 }] });
  });

  it('raises exactly one biller task per seeded discrepancy, none for the clean visit, and none on a second run', async () => {
    const first = await triggerAndWait();
    expect(first).toMatchObject({ found: 3, raised: 3, alreadyRaised: 0, notReconciled: 0 });
    expect(first.notes).toBeGreaterThanOrEqual(3);
    const raised = await untilTasks(3);
    const byKind = Object.fromEntries(raised.map((t) => [t.kind, t]));
    expect(Object.keys(byKind).sort()).toEqual([
      'billing_charge_without_documentation',
      'billing_missed_charge',
      'billing_units_mismatch',
    ]);
    expect(raised.every((t) => t.role === 'biller')).toBe(true);
    expect(byKind.billing_missed_charge!.details).toMatchObject({ visitId: visits.missed.visitId });
    expect(byKind.billing_units_mismatch!.details).toMatchObject({
      visitId: visits.units.visitId,
      claimId: claimIds.units,
      units: '97110: documented 2, billed 3',
    });
    expect(byKind.billing_charge_without_documentation!.details).toMatchObject({
      claimId: claimIds.undocumented,
      paid: true,
    });
    expect(byKind.billing_charge_without_documentation!.title).toMatch(/refund/);
    // The clean visit has no task; no task names a patient (titles and details are PHI-free).
    expect(JSON.stringify(raised)).not.toContain(visits.clean.visitId);
    expect(JSON.stringify(raised)).not.toMatch(/Okafor|MBR900100|1958-03-04/);
    // One row per discrepancy, keyed by the hash (unique index), its task id derived from it.
    const rows = await db.db.select().from(billingDiscrepancies);
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.taskId))).toEqual(new Set(raised.map((t) => t.id)));

    const second = await triggerAndWait();
    expect(second).toMatchObject({ found: 3, raised: 0, alreadyRaised: 3, recurred: 0 });
    expect(await reconTasks()).toHaveLength(3);
    expect(await db.db.select().from(billingDiscrepancies)).toHaveLength(3);
  });

  it('a fixed discrepancy is resolved; when it comes back it gets one new task (and only one)', async () => {
    // The biller corrects the units claim: the next run finds it gone.
    await db.db
      .update(claimCodings)
      .set({
        lines: (
          await db.db.select().from(claimCodings).where(eq(claimCodings.claimId, claimIds.units))
        )[0]!.lines.map((l) => (l.code === '97110' ? { ...l, units: 2 } : l)),
      })
      .where(eq(claimCodings.claimId, claimIds.units));
    const fixed = await triggerAndWait();
    expect(fixed).toMatchObject({ found: 2, resolved: 1, raised: 0 });
    const [resolved] = await db.db
      .select()
      .from(billingDiscrepancies)
      .where(eq(billingDiscrepancies.kind, 'units_mismatch'));
    expect(resolved).toMatchObject({ status: 'resolved', occurrence: 1 });

    // The claim is replaced with 4 units: the discrepancy is back, a second occurrence, one new task.
    await billedUnits(claimIds.units, 4);
    const back = await triggerAndWait();
    expect(back).toMatchObject({ found: 3, recurred: 1, raised: 1 });
    const again = await untilTasks(4);
    expect(again.filter((t) => t.kind === 'billing_units_mismatch')).toHaveLength(2);
    const [reopened] = await db.db
      .select()
      .from(billingDiscrepancies)
      .where(eq(billingDiscrepancies.kind, 'units_mismatch'));
    expect(reopened).toMatchObject({ status: 'open', occurrence: 2 });
    expect((await triggerAndWait()).raised).toBe(0);
    expect(await reconTasks()).toHaveLength(4);
  });
});

async function billedUnits(claimId: string, units: number) {
  const [row] = await db.db.select().from(claimCodings).where(eq(claimCodings.claimId, claimId));
  await db.db
    .update(claimCodings)
    .set({ lines: row!.lines.map((l) => (l.code === '97110' ? { ...l, units } : l)) })
    .where(eq(claimCodings.claimId, claimId));
}

const venvPython = path.join(
  process.env.PTFLOW_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'ptflow'),
  'x12-venv',
  'bin',
  'python',
);
const validator = fileURLToPath(new URL('../helpers/x12_validate.py', import.meta.url));

/** GET the export over HTTP as `key`. */
function exportOf(query: string, key = billerKey) {
  return fetch(`${apiUrl}/v1/billing/charges?${query}`, { headers: { authorization: `Bearer ${key}` } });
}

/** Parses CSV with Python's csv module (an independent reader): header and rows as dicts. */
function parseCsvIndependently(text: string): { header: string[]; rows: Record<string, string>[] } {
  const file = path.join(dir, `export-${randomUUID()}.csv`);
  fs.writeFileSync(file, text);
  const script =
    'import csv,json,sys\n' +
    'with open(sys.argv[1], newline="") as f:\n' +
    '    r = csv.DictReader(f)\n' +
    '    rows = list(r)\n' +
    '    print(json.dumps({"header": r.fieldnames, "rows": rows}))\n';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as {
    header: string[];
    rows: Record<string, string>[];
  };
}

/** The column names the documentation's CSV table lists, in order. */
function documentedColumns(): string[] {
  const doc = fs.readFileSync(
    fileURLToPath(new URL('../../docs/billing-export.md', import.meta.url)),
    'utf8',
  );
  const start = doc.indexOf('### CSV columns');
  const section = doc.slice(start, doc.indexOf('\n## ', start));
  return [...section.matchAll(/^\|\s*`([a-z0-9_]+)`\s*\|/gm)].map((m) => m[1]!);
}

describe('charge export (GET /v1/billing/charges, ptflow billing export)', () => {
  it('CSV: one row per claim line, parsed back with exactly the documented columns, no patient identifiers', async () => {
    const date = visits.clean.dateOfService;
    const res = await exportOf(`date=${date}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    const { header, rows } = parseCsvIndependently(text);
    expect(header).toEqual(documentedColumns());
    expect(header).toEqual([...CHARGE_CSV_COLUMNS]);
    // The clean and the undocumented claim are on this date (and the units claim if it fell on the same day).
    const mine = rows.filter((r) => r.claim_id === claimIds.clean);
    expect(mine).toEqual([
      expect.objectContaining({
        date_of_service: date,
        patient_ref: patientId,
        payer_id: PAYER,
        line_number: '1',
        cpt: '97110',
        modifiers: 'GP',
        units: '2',
        icd10_pointers: '1:2',
        icd10_codes: 'M54.50:M25.561',
        rendering_npi: '1987654328',
        charge_amount: '80.00',
        claim_status: 'submitted',
      }),
      expect.objectContaining({ line_number: '2', cpt: '97140', units: '1', charge_amount: '38.50' }),
    ]);
    expect(rows.filter((r) => r.claim_id === claimIds.undocumented)).toHaveLength(2);
    expect(res.headers.get('ptflow-export-lines')).toBe(String(rows.length));
    expect(text).not.toMatch(/Okafor|MBR900100|1958-03-04|ELM ST/);
  });

  it('837P: the batch of the day passes pyx12, with the practice profile as billing provider and the subscriber from the mirror', async () => {
    const date = visits.clean.dateOfService;
    const res = await exportOf(`date=${date}&format=837p`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/edi-x12/);
    const x12 = await res.text();
    const parsed = { claims: parse837P(x12).flatMap((b) => b.claims) };
    const pcns = parsed.claims.map((c) => c.patientControlNumber);
    expect(pcns.length).toBeGreaterThanOrEqual(2);
    expect(parsed.claims.every((c) => c.billingProvider.npi === '1234567893')).toBe(true);
    expect(parsed.claims[0]!.subscriber).toMatchObject({ memberId: 'MBR900100', lastName: 'Okafor' });
    if (!fs.existsSync(venvPython))
      throw new Error(`X12 validators missing (${venvPython}): run npm run setup`);
    const file = path.join(dir, 'charges.x12');
    fs.writeFileSync(file, x12);
    const verdict = JSON.parse(
      execFileSync(venvPython, [validator, 'pyx12', file], { encoding: 'utf8' }),
    ) as {
      valid: boolean;
      errors: string[];
    };
    expect(verdict.errors).toEqual([]);
    expect(verdict.valid).toBe(true);
    // Every export is audited: one entry for it, one per patient it carried (opaque ids only).
    const audit =
      await db.sql`select resource_id, patient_ref from audit_events where resource_type = 'billing_export'`;
    expect(audit.some((a) => a.resource_id === `${date}|837p|claims:${parsed.claims.length}`)).toBe(true);
    expect(audit.some((a) => a.patient_ref === patientId)).toBe(true);
  });

  it('bad input is problem+json naming the field; roles per security.md', async () => {
    const badDate = await exportOf('date=2026-02-30&format=csv');
    expect(badDate.status).toBe(400);
    expect(badDate.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await badDate.json()).toMatchObject({
      errors: [expect.objectContaining({ in: 'query', pointer: '/date' })],
    });
    const badFormat = await exportOf(`date=${visits.clean.dateOfService}&format=pdf`);
    expect(badFormat.status).toBe(400);
    expect(await badFormat.json()).toMatchObject({
      errors: [expect.objectContaining({ in: 'query', pointer: '/format', allowed: ['csv', '837p'] })],
    });
    const missing = await exportOf('format=csv');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ errors: [expect.objectContaining({ pointer: '/date' })] });
    const desk = await exportOf(`date=${visits.clean.dateOfService}`, deskKey);
    expect(desk.status).toBe(403);
    const admin = await exportOf(`date=${visits.clean.dateOfService}`, adminKey);
    expect(admin.status).toBe(403);
    expect(await admin.json()).toMatchObject({ reason: 'BreakGlassRequired' });
    // Under an active break-glass grant the admin gets the export, audited with purpose ETREAT.
    const opened = await openGrant(
      db.db,
      keys.keyring,
      { id: adminPrincipalId, type: 'api_key', role: 'admin', practiceId: DEMO_PRACTICE_ID, amr: [] },
      {
        reason: 'Billing export under break-glass (test)',
        requestId: randomUUID(),
        sourceIp: '127.0.0.1',
        now: new Date(),
      },
    );
    expect(opened.ok).toBe(true);
    const granted = await exportOf(`date=${visits.clean.dateOfService}`, adminKey);
    expect(granted.status).toBe(200);
    const etreat =
      await db.sql`select 1 from audit_events where resource_type = 'billing_export' and actor_id = ${adminPrincipalId} and purpose_of_use = 'ETREAT'`;
    expect(etreat.length).toBeGreaterThan(0);
  });

  it('ptflow billing export writes the same CSV to a file; bad --date / --format are refused naming the option', async () => {
    const config = { apiUrl, apiKey: billerKey };
    const said: string[] = [];
    const file = path.join(dir, 'cli.csv');
    const date = visits.clean.dateOfService;
    const done = await runBillingExport(config, (s) => said.push(s), { date, format: 'csv', out: file });
    const api = await (await exportOf(`date=${date}&format=csv`)).text();
    expect(fs.readFileSync(file, 'utf8')).toBe(api);
    expect(done.lines).toBe(api.trim().split('\r\n').length - 1);
    expect(said.join('')).toMatch(/claim\(s\)/);
    await expect(
      runBillingExport(config, () => undefined, { date: '2026-13-01', format: 'csv' }),
    ).rejects.toThrow(/--date/);
    const wrongFormat = await runBillingExport(config, () => undefined, { date, format: 'xlsx' }).catch(
      (e: unknown) => e,
    );
    expect(wrongFormat).toBeInstanceOf(ApiCliError);
    expect((wrongFormat as ApiCliError).message).toMatch(/--format/);
    expect((wrongFormat as ApiCliError).exitCode).toBe(2);
  });
});

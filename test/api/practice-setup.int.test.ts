// Issue 17, practice setup, end to end on the real stack (dev server, PostgreSQL, sandbox EMR sending signed
// webhooks over HTTP, sandbox payer speaking X12 over HTTP): a second practice is created through the CLI and a
// third through the API; a fee schedule CSV is imported (a bad one is rejected naming line and column, nothing
// written); a visit signed in the sandbox EMR runs to a paid claim, and the 837P the payer received — parsed
// back — names every party from that practice's profile and carries no demo constant. A practice whose profile
// is incomplete gets its claim held naming exactly what is missing, and completing the profile releases it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { drizzle } from 'drizzle-orm/postgres-js';
import type { FastifyInstance } from 'fastify';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { claimIdFor } from '../../activities/shared/derived-ids.js';
import { buildApp } from '../../api/app.js';
import { createEmrEventRouter } from '../../api/webhooks/emr-router.js';
import { runApiKeyCreate } from '../../cli/commands/apikey.js';
import { ApiCliError } from '../../cli/commands/api-client.js';
import {
  runDirectorySet,
  runFeeScheduleImport,
  runPayerSet,
  runPracticeCreate,
  runPracticeShow,
} from '../../cli/commands/practice.js';
import { loadConfig, type ApiClientConfig } from '../../cli/config.js';
import { devOnboardingConnectors, devPracticeProfile } from '../../cli/dev-sandboxes.js';
import { dataKeys } from '../../cli/keyrings.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import {
  locations as emrLocations,
  referrals as emrReferrals,
  therapists as emrTherapists,
} from '../../connectors/emr/sandbox/schema.js';
import { ClearinghouseConnector } from '../../connectors/payer/clearinghouse/adapter.js';
import { PostgresControlNumbers } from '../../connectors/payer/control-numbers.js';
import { sandboxPayerDirectory } from '../../connectors/payer/sandbox/plans.js';
import { startSandboxPayer, type SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { parse837P } from '../../connectors/payer/x12/index.js';
import { generateWebhookSecret } from '../../connectors/webhooks/standard-webhooks.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PROFILE, seedDemoPractice } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import {
  CLAIM_WORKFLOW_TYPE,
  claimStatusQuery,
  RELEASE_HELD_CLAIMS_WORKFLOW_TYPE,
  type ClaimStatusSnapshot,
} from '../../workflows/claim/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const TZ = 'America/Chicago';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-practice-setup-'));
const taskQueue = uniqueTaskQueue('practice-setup');
const secret = generateWebhookSecret();

/** Lakeside, the second practice: every identifier differs from the demo practice's. */
const LAKESIDE = {
  name: 'Lakeside Physical Therapy',
  legalName: 'Lakeside Physical Therapy LLC',
  npi: '1345678902',
  taxId: '47-1234567',
  taxonomy: '261QP2000X',
  phone: '608-555-0142',
  timezone: TZ,
  serviceAddress: '2200 Lakeshore Dr, Madison, WI, 53703',
  payToAddress: 'PO Box 1200, Madison, WI, 537011200',
};
const THERAPIST_NPI = '1045678905';
const REFERRER_NPI = '1612345672';
/** What the demo practice, the demo staff and the demo test harness put on claims: none may reach Lakeside's. */
const DEMO_CONSTANTS = [
  'RIVERSIDE',
  '1234567893',
  DEMO_PROFILE.taxId,
  DEMO_PROFILE.phone,
  '100 MAIN ST',
  'SPRINGFIELD',
  '62701',
  'PTFLOW BILLING',
  '5555550100',
  '1987654328',
  '1456789019',
  '1678901236',
  'WHITFIELD',
];

let db: TestDatabase;
let config: ReturnType<typeof loadConfig>;
let app: FastifyInstance | undefined;
let api = '';
let temporal: Awaited<ReturnType<typeof devServerClient>>;
let payerServer: SandboxServer;
let proxy: http.Server;
let connector: ClearinghouseConnector;
let worker: Awaited<ReturnType<typeof devServerWorker>> | undefined;
let emrSql: postgres.Sql | undefined;
let stopSandboxes: (() => Promise<void>) | undefined;
/** Every X12 body the worker sent the clearinghouse (the 837Ps among them). */
const sentX12: string[] = [];

/** Forwards to the sandbox payer, keeping a copy of each request body: the 837P exactly as it went out. */
async function recordingProxy(target: string): Promise<string> {
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length > 0) sentX12.push(body.toString('utf8'));
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
      ) as Record<string, string>;
      void fetch(`${target}${req.url ?? ''}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body } : {}),
      }).then(
        async (r) => {
          res.writeHead(r.status, Object.fromEntries(r.headers.entries()));
          res.end(Buffer.from(await r.arrayBuffer()));
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  db = await createTestDatabase();
  config = loadConfig({ PTFLOW_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: db.url });
  // The demo practice is there too, complete: its profile must not leak into another practice's claims.
  await seedDemoPractice(db.db, dataKeys(config).keyring);
  temporal = await devServerClient();
  const credentials = { username: 'ptflow', password: 'sandbox-secret', submitterId: 'PTFLOWTEST' };
  payerServer = await startSandboxPayer({ sql: db.sql, credentials });
  const proxied = await recordingProxy(payerServer.url);
  connector = new ClearinghouseConnector({
    http: {
      baseUrl: proxied,
      auth: { kind: 'basic', username: credentials.username, password: credentials.password },
      timeoutMs: 5_000,
      retry: { maxAttempts: 2, baseDelayMs: 10, budgetMs: 2_000 },
    },
    sender: { qualifier: 'ZZ', id: 'PTFLOWTEST' },
    receiver: { qualifier: 'ZZ', id: 'SBXPAYER' },
    // The deployment's configured submitter: a practice's claims name the practice instead.
    submitter: { name: 'PTFLOW BILLING', id: 'PTFLOWTEST', contactName: 'BILLING', phone: '5555550100' },
    receiverName: 'PTFLOW SANDBOX PAYER',
    originatorId: '9123456789',
    usage: 'T',
    payers: sandboxPayerDirectory(),
    controlNumbers: new PostgresControlNumbers(drizzle(db.sql)),
  });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await worker?.close();
  await stopSandboxes?.();
  await emrSql?.end({ timeout: 5 });
  await temporal?.close();
  await new Promise((r) => proxy?.close(r));
  await payerServer?.close();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const silent = () => undefined;
const apiConfig = (apiKey: string): ApiClientConfig => ({ apiUrl: api, apiKey }) as ApiClientConfig;

async function call(method: string, url: string, key: string, body?: unknown) {
  const res = await fetch(`${api}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & {
      errors?: { pointer: string; line?: number; column?: string; detail: string }[];
    },
  };
}

/** The API with the sandbox EMR's webhooks for `tenant`, and a worker whose EMR connection is that practice's. */
async function startStack(tenant: string) {
  const keyring = dataKeys(config).keyring;
  app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: temporal.client,
    taskQueue,
    cursorKey: Buffer.alloc(32, 7),
    readiness: {},
    claimPollMinutes: 0.01,
    idempotency: { keyring },
    breakGlass: { keyring },
    webhooks: {
      settings: {
        perMinute: 10_000,
        sources: { emr: { sandbox: { tenant, secrets: [secret] } }, payer: {}, messaging: {} },
      },
      router: createEmrEventRouter({ temporal: temporal.client, taskQueue }),
    },
  });
  api = await app.listen({ host: '127.0.0.1', port: 0 });
  const sandboxes = await devOnboardingConnectors(config, db.url, db.db);
  stopSandboxes = sandboxes.stop;
  emrSql = postgres(db.url, { max: 3, onnotice: () => undefined });
  const emr = new SandboxEmr(emrSql, {
    practiceId: tenant,
    target: { url: `${api}/v1/webhooks/emr/sandbox`, secrets: [secret] },
  });
  worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      temporal: temporal.client,
      payerConnector: connector,
      onboarding: { ...sandboxes.deps, emr },
      statements: { sendStatement: async () => undefined },
      eventRouting: { practiceProfile: devPracticeProfile, claimPollMinutes: 0.01 },
    }),
  );
  return emr;
}

const CSV_GOOD = 'code,charge,expected_allowed\n97110,68.00,29.50\n97140,70.00,27.50\n97112,72.00,\n';
const CSV_BAD = 'code,charge,expected_allowed\n97110,68.00,29.50\n97140,seventy,27.50\n9714,70.00,\n';

describe('a second practice sets itself up and bills a visit from the sandbox EMR', () => {
  const state: { practiceId: string; adminKey: string; third?: { id: string; key: string } } = {
    practiceId: '',
    adminKey: '',
  };
  let emr: SandboxEmr;

  it('the CLI creates the practice (profile complete, tax id encrypted) and its first admin key; apikey create works for it', async () => {
    const printed: string[] = [];
    const created = await runPracticeCreate(config, silent, (t) => printed.push(t), {
      ...LAKESIDE,
      adminKey: true,
    });
    state.practiceId = created.practiceId;
    state.adminKey = created.key!;
    expect(printed.join('')).toContain('nothing (profile complete)');
    // The tax id is stored only encrypted: the clear digits are nowhere in the row.
    const [row] = await db.sql`select * from practices where id = ${state.practiceId}`;
    expect(JSON.stringify(row)).not.toContain('471234567');
    expect(row).toMatchObject({ legal_name: 'LAKESIDE PHYSICAL THERAPY LLC', npi: LAKESIDE.npi });
    // `ptflow apikey create` for the new practice (it used to answer "no such practice").
    const stdout = process.stdout.write.bind(process.stdout);
    let biller = '';
    process.stdout.write = ((chunk: string) => {
      biller += chunk;
      return true;
    }) as typeof process.stdout.write;
    try {
      await runApiKeyCreate(config, silent, {
        practice: state.practiceId,
        role: 'biller',
        label: 'lakeside biller',
      });
    } finally {
      process.stdout.write = stdout;
    }
    expect(biller.trim()).toMatch(/^ptf_[a-z0-9]{12}_/);

    emr = await startStack(state.practiceId);
    const shown = await runPracticeShow(apiConfig(state.adminKey), silent);
    expect(shown).toMatchObject({ id: state.practiceId, taxId: '•••••4567', missing: [] });
    // The biller's key reads the same practice.
    expect((await call('GET', '/v1/practice', biller.trim())).body).toMatchObject({ id: state.practiceId });
  }, 180_000);

  it('the API opens a third practice (its own tenant, with a one-time admin key) and names bad fields', async () => {
    const bad = await call('POST', '/v1/practices', state.adminKey, {
      name: 'Bad',
      npi: '1345678903',
      timezone: 'CST',
    });
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/^application\/problem\+json/);
    expect(bad.body.errors!.map((e) => e.pointer).sort()).toEqual(['/npi', '/timezone']);

    const created = await call('POST', '/v1/practices', state.adminKey, {
      name: 'Hillcrest Rehab',
      npi: '1723456780',
      timezone: 'America/Denver',
    });
    expect(created.status).toBe(201);
    const third = created.body as { practice: { id: string; missing: string[] }; adminKey: { key: string } };
    expect(third.practice.missing).toEqual(['legalName', 'taxId', 'serviceAddress', 'phone']);
    state.third = { id: third.practice.id, key: third.adminKey.key };
    // Its key sees its own practice only; Lakeside's key still sees Lakeside.
    expect((await call('GET', '/v1/practice', state.third.key)).body).toMatchObject({ id: state.third.id });
    expect((await call('GET', '/v1/practice', state.adminKey)).body).toMatchObject({ id: state.practiceId });
    // A NUL character (which PostgreSQL cannot store) is refused naming the field, on every route.
    const nul = await call('PATCH', '/v1/practice', state.third.key, {
      serviceAddress: { line1: '900 Grant\u0000St', city: 'Denver', state: 'CO', postalCode: '80203' },
    });
    expect(nul.status).toBe(400);
    expect(nul.body.errors).toEqual([
      expect.objectContaining({ in: 'body', pointer: '/serviceAddress/line1', code: 'custom' }),
    ]);
  });

  it('imports a fee schedule CSV; a bad one is rejected naming line and column, through the CLI and the API, and nothing is written', async () => {
    const file = path.join(dataDir, 'fees.csv');
    fs.writeFileSync(file, CSV_BAD);
    const cliError = await runFeeScheduleImport(apiConfig(state.adminKey), silent, file, {
      payer: '*',
      from: '2025-01-01',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(cliError).toBeInstanceOf(ApiCliError);
    expect((cliError as Error).message).toContain('line 3, column charge (2)');
    expect((cliError as Error).message).toContain('line 4, column code (1)');

    const rejected = await call('POST', '/v1/practice/fee-schedules', state.adminKey, {
      payerId: '*',
      effectiveFrom: '2025-01-01',
      csv: CSV_BAD,
    });
    expect(rejected.status).toBe(422);
    expect(rejected.body.errors).toEqual([
      expect.objectContaining({ pointer: '/csv', line: 3, column: 'charge', columnNumber: 2 }),
      expect.objectContaining({ pointer: '/csv', line: 4, column: 'code', columnNumber: 1 }),
    ]);
    expect((await call('GET', '/v1/practice/fee-schedules', state.adminKey)).body).toEqual({ items: [] });
    const rows = await db.sql`select count(*)::int as n from fee_schedule_rows`;
    expect(rows[0]?.n).toBe(0);

    fs.writeFileSync(file, CSV_GOOD);
    const saved = await runFeeScheduleImport(apiConfig(state.adminKey), silent, file, {
      payer: '*',
      from: '2025-01-01',
      source: 'Lakeside chargemaster',
    });
    expect(saved.rowCount).toBe(3);
    const listed = await call('GET', '/v1/practice/fee-schedules', state.adminKey);
    expect(listed.body).toMatchObject({
      items: [{ payerId: '*', effectiveFrom: '2025-01-01', rowCount: 3 }],
    });
  });

  it('payers, therapists and referrers through the CLI and the API', async () => {
    await runPayerSet(apiConfig(state.adminKey), silent, 'commercial-ama', {
      name: 'Lakeside Commercial',
      profile: 'commercial-ama',
    });
    const unknownProfile = await call('PUT', '/v1/practice/payers/acme', state.adminKey, {
      name: 'Acme',
      profileId: 'no-such-profile',
    });
    expect(unknownProfile.status).toBe(422);
    expect(unknownProfile.body.errors![0]!.pointer).toBe('/profileId');

    const therapistFile = path.join(dataDir, 'therapist.json');
    fs.writeFileSync(
      therapistFile,
      JSON.stringify({
        lastName: 'Brennan',
        firstName: 'Maeve',
        discipline: 'PT',
        credentials: 'DPT',
        licenseState: 'WI',
        licenseNumber: 'PT-20911',
        licenseExpires: '2028-06-30',
      }),
    );
    await runDirectorySet(apiConfig(state.adminKey), silent, 'therapists', THERAPIST_NPI, therapistFile);
    expect((await call('GET', '/v1/practice/therapists', state.adminKey)).body).toMatchObject({
      items: [{ npi: THERAPIST_NPI, lastName: 'BRENNAN', discipline: 'PT', licenseState: 'WI' }],
    });
    const referrer = await call('PUT', `/v1/practice/referrers/${REFERRER_NPI}`, state.adminKey, {
      lastName: 'Haugen',
      firstName: 'Ingrid',
      organization: 'Madison Orthopedics',
      fax: '6085550198',
    });
    expect(referrer.status).toBe(200);
    const badNpi = await call('PUT', '/v1/practice/referrers/1612345673', state.adminKey, { lastName: 'X' });
    expect(badNpi.status).toBe(400);
  });

  it('a visit signed in the sandbox EMR runs to a paid claim whose 837P names only the practice profile’s parties', async () => {
    const practiceId = state.practiceId;
    const keys = dataKeys(config);
    // The sandbox EMR's own setup of Lakeside: a clinic and the therapist, and the patient's referral.
    const locationId = randomUUID();
    const therapistId = randomUUID();
    const emrDb = drizzle(emrSql!);
    await emrDb.insert(emrLocations).values({ id: locationId, practiceId, name: 'Lakeside', timezone: TZ });
    await emrDb.insert(emrTherapists).values({
      id: therapistId,
      practiceId,
      name: 'Maeve Brennan, PT, DPT',
      npi: THERAPIST_NPI,
      discipline: 'PT',
      weeklyAvailability: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({
        weekday,
        start: '07:00',
        end: '19:00',
        locationId,
      })),
    });
    const patientId = randomUUID();
    const demographics = {
      given: ['Noor'],
      family: 'Haddad',
      birthDate: '1971-09-14',
      sex: 'female' as const,
      phone: '+16085550111',
      preferredLanguage: 'en' as const,
    };
    const address = { line1: '18 Willow Ln', city: 'Madison', state: 'WI', postalCode: '53705' };
    const { emrId } = await emr.upsertPatient({ patientId, demographics: { ...demographics, address } });
    await createPatientRepository(db.db, keys).upsert({
      patientId,
      practiceId,
      demographics,
      emrPatientId: emrId,
      preferredChannel: 'sms',
      language: 'en',
      timezone: TZ,
    });
    await createCoverageRepository(db.db, keys).upsert({
      coverageId: randomUUID(),
      practiceId,
      patientId,
      payerId: 'commercial-ama',
      priority: 1,
      memberId: `SBX-LAKE-${randomUUID().slice(0, 8)}`,
    });
    await emrDb.insert(emrReferrals).values({
      id: randomUUID(),
      practiceId,
      patientId: emrId,
      referringNpi: REFERRER_NPI,
      referringLastName: 'HAUGEN',
      referringFirstName: 'INGRID',
      diagnosisCodes: ['M54.50'],
      receivedAt: new Date(Date.now() - 20 * 86_400_000),
    });

    const now = Date.now();
    const [slot] = await emr.searchFreeSlots({
      from: new Date(now - 6 * 86_400_000).toISOString(),
      to: new Date(now - 86_400_000).toISOString(),
      limit: 1,
    });
    expect(slot).toBeDefined();
    const appt = await emr.bookAppointment({
      appointmentId: randomUUID(),
      slotId: slot!.slotId,
      emrPatientId: emrId,
      kind: 'treatment',
    });
    await emr.checkIn(appt.emrAppointmentId);
    const visit = await emr.signNote(
      appt.emrAppointmentId,
      [
        { code: '97110', minutes: 30, furnishedBy: 'PT' },
        { code: '97140', minutes: 15, furnishedBy: 'PT' },
      ],
      ['M54.50'],
    );
    expect(await emr.webhooks.deliverDue()).toMatchObject({ retrying: 0, failed: 0 });

    const claim = temporal.client.workflow.getHandle(
      workflowId('claim', claimIdFor(practiceId, visit.visitId)),
    );
    await expect
      .poll(
        async () =>
          claim.describe().then(
            () => true,
            () => false,
          ),
        { timeout: 60_000, interval: 300 },
      )
      .toBe(true);
    const final = (await claim.result()) as ClaimStatusSnapshot;
    expect(final.state).toBe('paid');
    // No start_claim task for the note: the practice has a profile in the database, not a hand-made one.
    const startClaim = await db.sql`select count(*)::int as n from tasks where kind = 'start_claim'`;
    expect(startClaim[0]?.n).toBe(0);

    const x12 = sentX12.filter((t) => t.includes('ST*837*'));
    expect(x12).toHaveLength(1);
    const [batch] = parse837P(x12[0]!);
    const [c] = batch!.claims;
    expect(batch!.submitter).toMatchObject({ name: 'LAKESIDE PHYSICAL THERAPY LLC', phone: '6085550142' });
    expect(c!.billingProvider).toEqual({
      name: 'LAKESIDE PHYSICAL THERAPY LLC',
      npi: LAKESIDE.npi,
      taxId: '471234567',
      taxonomy: '261QP2000X',
      address: { line1: '2200 LAKESHORE DR', city: 'MADISON', state: 'WI', postalCode: '53703' },
      payToAddress: { line1: 'PO BOX 1200', city: 'MADISON', state: 'WI', postalCode: '537011200' },
    });
    expect(c!.renderingProvider).toMatchObject({ npi: THERAPIST_NPI, lastName: 'BRENNAN' });
    expect(c!.referringProvider).toMatchObject({ npi: REFERRER_NPI, lastName: 'HAUGEN' });
    // Charges from Lakeside's imported schedule: 97110 × 2 units at $68.00, 97140 × 1 at $70.00.
    expect(c!.lines.map((l) => [l.procedureCode, l.units, l.chargeCents])).toEqual([
      ['97110', 2, 13_600],
      ['97140', 1, 7_000],
    ]);
    expect(c!.totalChargeCents).toBe(20_600);
    for (const demo of DEMO_CONSTANTS) expect(x12[0], demo).not.toContain(demo);
    // The EMR's referring provider joined Lakeside's directory; the admin's entry (with the fax) was kept.
    expect((await call('GET', '/v1/practice/referrers', state.adminKey)).body).toMatchObject({
      items: [{ npi: REFERRER_NPI, source: 'admin', fax: '6085550198' }],
    });
  }, 180_000);

  it('an incomplete profile holds the claim naming what is missing; completing it releases the claim to payment', async () => {
    const third = state.third!;
    await call('PUT', `/v1/practice/therapists/${THERAPIST_NPI}`, third.key, {
      lastName: 'Brennan',
      discipline: 'PT',
      licenseState: 'CO',
      licenseNumber: 'PT-1',
      licenseExpires: '2028-01-31',
    });
    expect(
      (
        await call('POST', '/v1/practice/fee-schedules', third.key, {
          payerId: '*',
          effectiveFrom: '2025-01-01',
          csv: CSV_GOOD,
        })
      ).status,
    ).toBe(201);
    const dos = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const started = await call('POST', '/v1/claims', third.key, {
      patientId: randomUUID(),
      visit: {
        id: randomUUID(),
        payerId: 'commercial-ama',
        dos,
        renderingNpi: THERAPIST_NPI,
        interventions: [{ code: '97110', minutes: 30, furnishedBy: 'PT' }],
        diagnoses: ['M54.50'],
        totalTreatmentMinutes: 30,
      },
      parties: {
        subscriber: {
          memberId: `SBX-HILL-${randomUUID().slice(0, 8)}`,
          lastName: 'PARK',
          firstName: 'JUN',
          dateOfBirth: '1980-02-02',
          gender: 'M',
          address: { line1: '5 PINE ST', city: 'DENVER', state: 'CO', postalCode: '80202' },
        },
      },
    });
    expect(started.status).toBe(202);
    const claim = temporal.client.workflow.getHandle(`claim:${String(started.body.id)}`);
    await expect
      .poll(async () => (await claim.query(claimStatusQuery)).state, { timeout: 60_000, interval: 300 })
      .toBe('needs_correction');
    expect((await claim.query(claimStatusQuery)).blockingFindings.sort()).toEqual([
      'PRACTICE_PROFILE_MISSING_LEGAL_NAME',
      'PRACTICE_PROFILE_MISSING_PHONE',
      'PRACTICE_PROFILE_MISSING_SERVICE_ADDRESS',
      'PRACTICE_PROFILE_MISSING_TAX_ID',
    ]);
    // The biller's task names them too.
    await expect
      .poll(
        async () =>
          (
            await db.sql`select count(*)::int as n from tasks
              where practice_id = ${third.id} and kind = 'fix_claim' and status = 'open'`
          )[0]?.n,
        { timeout: 30_000, interval: 300 },
      )
      .toBe(1);

    const partial = await call('PATCH', '/v1/practice', third.key, { legalName: 'Hillcrest Rehab PC' });
    expect(partial.body.missing).toEqual(['taxId', 'serviceAddress', 'phone']);
    const completed = await call('PATCH', '/v1/practice', third.key, {
      taxId: '84-7654321',
      phone: '3035550177',
      serviceAddress: { line1: '900 Grant St', city: 'Denver', state: 'CO', postalCode: '80203' },
    });
    expect(completed.status).toBe(200);
    expect(completed.body.missing).toEqual([]);
    const final = (await claim.result()) as ClaimStatusSnapshot;
    expect(final.state).toBe('paid');
    expect(final.decisions.map((d) => d.what).slice(0, 3)).toEqual(['held', 'corrected', 'submitted']);
    const x12 = sentX12.filter((t) => t.includes('HILLCREST REHAB PC'));
    expect(x12).toHaveLength(1);
    const [batch] = parse837P(x12[0]!);
    expect(batch!.claims[0]!.billingProvider).toMatchObject({ npi: '1723456780', taxId: '847654321' });
    for (const demo of DEMO_CONSTANTS) expect(x12[0], demo).not.toContain(demo);
    // The release ran as its own process (workflows/claim/release.ts), and released exactly this claim.
    await expect
      .poll(
        async () =>
          Promise.all(
            (await releasesOf(third.id)).map((id) => temporal.client.workflow.getHandle(id).result()),
          ),
        { timeout: 30_000, interval: 300 },
      )
      .toEqual([{ released: 1 }]);
  }, 180_000);

  it("a held claim whose worker is down does not hold the admin's update: its release retries in its own process", async () => {
    const third = state.third!;
    // A claim process nobody polls (its worker down), held in the claims table like any held claim.
    const stuck = await temporal.client.workflow.start(CLAIM_WORKFLOW_TYPE, {
      taskQueue: uniqueTaskQueue('nobody-polls'),
      workflowId: `claim:${randomUUID()}`,
      args: [{}],
    });
    await db.sql`insert into claims (id, practice_id, patient_id, visit_id, payer_id, patient_control_number,
        status, charge_cents, workflow_id)
      values (${randomUUID()}, ${third.id}, ${randomUUID()}, 'visit-unreachable', 'commercial-ama',
        ${randomUUID().replace(/-/g, '').slice(0, 20)}, 'held', 1000, ${stuck.workflowId})`;
    const before = new Set(await releasesOf(third.id));
    const updated = await call('PATCH', '/v1/practice', third.key, { phone: '3035550178' });
    expect(updated.status).toBe(200);
    expect(updated.body.missing).toEqual([]);
    let release: string | undefined;
    await expect
      .poll(
        async () => {
          release = (await releasesOf(third.id)).find((id) => !before.has(id));
          if (!release) return undefined;
          const d = await temporal.client.workflow.getHandle(release).describe();
          return {
            status: d.status.name,
            failure: d.raw.pendingActivities?.[0]?.lastFailure?.message ?? undefined,
          };
        },
        { timeout: 60_000, interval: 500 },
      )
      .toEqual({ status: 'RUNNING', failure: '1 held claim(s) could not be reached; 0 released. Retrying.' });
    await temporal.client.workflow.getHandle(release!).terminate('test over');
    await stuck.terminate('test over');
  }, 180_000);
});

/** The releaseClaimsHeldForProfile processes started for a practice (workflow ids: claims-release-<practice>-…). */
async function releasesOf(practiceId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of temporal.client.workflow.list({
    query: `WorkflowType = '${RELEASE_HELD_CLAIMS_WORKFLOW_TYPE}'`,
  }))
    if (wf.workflowId.startsWith(`claims-release-${practiceId}-`)) ids.push(wf.workflowId);
  return ids;
}

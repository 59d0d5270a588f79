// The whole API stack for the role matrix, the fuzz harness and the CLI tests: real PostgreSQL (demo practice
// plus a second practice), the Temporal dev server, a worker with the sandbox EMR, messaging and payer, and the
// production-shaped app (Idempotency-Key, codec server, rate limits) — plus an API key per role and practice
// and valid request bodies for every route.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { generateKeyPair, SignJWT } from 'jose';
import { createActivities } from '../../activities/index.js';
import type { AuthorizationPayerPort } from '../../activities/prior-authorization/index.js';
import { buildApp, type StaffAuthDeps } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { createOidcVerifier } from '../../api/auth/oidc.js';
import { createEmrEventRouter } from '../../api/webhooks/emr-router.js';
import { roles, type Principal, type Role } from '../../api/auth/principal.js';
import { openGrant, type ActiveGrant } from '../../api/break-glass/grants.js';
import { loadConfig } from '../../cli/config.js';
import { devOnboardingConnectors, devPracticeProfile } from '../../cli/dev-sandboxes.js';
import type { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { sandboxPayerDirectory } from '../../connectors/payer/sandbox/plans.js';
import { generateWebhookSecret } from '../../connectors/webhooks/standard-webhooks.js';
import { generateKeyring, type Keyring } from '../../db/crypto/keyring.js';
import type { RepositoryKeys } from '../../db/repositories/keys.js';
import { practices } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import type { StaffRole } from '../../domain/tasks.js';
import { EncryptionCodec } from '../../temporal/codec/encryption-codec.js';
import { humanTask } from '../../workflows/tasks/workflow.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

export const OTHER_PRACTICE_ID = '00000000-0000-4000-8000-0000000000dd';
export const UI_ORIGIN = 'http://127.0.0.1:8233';

export interface ApiStack {
  app: FastifyInstance;
  db: TestDatabase;
  temporal: Awaited<ReturnType<typeof devServerClient>>;
  taskQueue: string;
  /** Bearer headers per practice and role. */
  auth: Record<'own' | 'other', Record<Role, { authorization: string }>>;
  /**
   * Bearer headers of a person signed in through the stack's OIDC issuer (a key pair made for the stack, checked
   * by the production verifier): `sub` `<side>-<role>` unless given, `amr` ['pwd', 'mfa'] and signed in just now
   * unless told otherwise (break-glass needs a recent second factor).
   */
  userAuth(
    side: 'own' | 'other',
    role: Role,
    opts?: { sub?: string; amr?: string[]; authAgeSeconds?: number | null },
  ): Promise<{ authorization: string }>;
  /** Raw API keys (for the CLI). */
  keys: Record<'own' | 'other', Record<Role, string>>;
  /**
   * The API's clock (break-glass grants are dated and expire against it): real time shifted by `offsetMs`, so a
   * test moves past a grant's expiry without waiting.
   */
  clock: { offsetMs: number; now(): Date };
  /** The data keyring (column encryption): idempotent answers and break-glass reasons, as in production. */
  dataKeyring: Keyring;
  /** The worker's repository keys (our encrypted patient mirror), for tests that register a patient directly. */
  repositoryKeys: RepositoryKeys;
  /** The demo practice's sandbox EMR (the worker's EMR connector). */
  emr: SandboxEmr;
  /**
   * Signed EMR webhook sources, when the stack was started with `emrWebhooks`: `emr/own` speaks for the demo
   * practice, `emr/other` for the other one (each with its own secret), routed by the production router.
   */
  webhookSecrets: Record<'own' | 'other', string>;
  /** Opens a break-glass grant of the demo practice for a principal that holds no API key of this stack. */
  breakGlass(principal: Omit<Principal, 'practiceId'>): Promise<ActiveGrant>;
  /** A humanTask of the demo practice assigned to `role`, listed once its row exists. */
  startTask(role: StaffRole): Promise<string>;
  close(): Promise<void>;
}

// Authorizations stay pending until the test records the payer's decision.
const pendingPayer: AuthorizationPayerPort = {
  submit: async () => ({ outcome: 'pended' }),
  status: async () => ({ outcome: 'pended' }),
};

/** The physician's fax/portal: every document is "sent" at once. */
const receipt = async () => ({ transmissionId: `tx-${randomUUID()}`, sentAt: new Date().toISOString() });

export async function startApiStack(
  opts: { emrWebhooks?: boolean; staffAuth?: StaffAuthDeps } = {},
): Promise<ApiStack> {
  const db = await createTestDatabase();
  await db.db
    .insert(practices)
    .values({ id: OTHER_PRACTICE_ID, name: 'Other practice', npi: '1234567893', timezone: 'UTC' });
  const payer = await sandboxPayer(db.sql);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-api-stack-'));
  const sandboxes = await devOnboardingConnectors(
    loadConfig({ PTFLOW_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
    db.url,
    db.db,
  );
  // One data keyring for the worker, the API and the seed, as in production: the demo practice's profile (its
  // encrypted tax id) is read by the claim activities and by GET /v1/practice alike.
  await seedDemoPractice(db.db, sandboxes.deps.keys.keyring);
  const temporal = await devServerClient();
  const taskQueue = uniqueTaskQueue('api-stack');
  const worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      temporal: temporal.client,
      payer: pendingPayer,
      payerConnector: payer.connector,
      onboarding: sandboxes.deps,
      statements: { sendStatement: async () => undefined },
      // Both practices have a billing/intake profile: what keeps one practice's events out of the other's EMR
      // is the EMR connection's own practice, not a missing profile.
      eventRouting: {
        practiceProfile: async (practiceId) =>
          devPracticeProfile(practiceId === OTHER_PRACTICE_ID ? DEMO_PRACTICE_ID : practiceId),
        claimPollMinutes: 0.01,
      },
      physician: { sendPlanOfCare: receipt, sendProgressSummary: receipt, sendDischargeSummary: receipt },
    }),
  );
  const dataKeyring = sandboxes.deps.keys.keyring;
  const clock = {
    offsetMs: 0,
    now: () => new Date(Date.now() + clock.offsetMs),
  };
  const issuer = 'https://idp.test.invalid';
  const audience = 'ptflow-api';
  const signing = await generateKeyPair('ES256');
  const oidc = createOidcVerifier(
    { issuer, audience, jwksUrl: `${issuer}/jwks` },
    async () => signing.publicKey,
  );
  const webhookSecrets = { own: generateWebhookSecret(), other: generateWebhookSecret() };
  const app = await buildApp({
    now: () => clock.now(),
    oidc,
    ...(opts.staffAuth ? { staffAuth: opts.staffAuth } : {}),
    ...(opts.emrWebhooks
      ? {
          webhooks: {
            settings: {
              perMinute: 100_000,
              sources: {
                emr: {
                  own: { tenant: DEMO_PRACTICE_ID, secrets: [webhookSecrets.own] },
                  other: { tenant: OTHER_PRACTICE_ID, secrets: [webhookSecrets.other] },
                },
                payer: {},
                messaging: {},
              },
            },
            router: createEmrEventRouter({ temporal: temporal.client, taskQueue }),
          },
        }
      : {}),
    logLevel: 'silent',
    db: db.db,
    temporal: temporal.client,
    taskQueue,
    cursorKey: Buffer.alloc(32, 9),
    rateLimit: { perMinute: 100_000, authFailuresPerMinute: 100_000 },
    readiness: { database: async () => true },
    idempotency: { keyring: dataKeyring },
    breakGlass: { keyring: dataKeyring },
    codec: { codec: new EncryptionCodec(generateKeyring('stack-codec')), allowedOrigin: UI_ORIGIN },
    // The charge export's 837P parts, as `ptflow api` configures them.
    billingExport: {
      keys: sandboxes.deps.keys,
      payers: sandboxPayerDirectory(),
      submitter: { name: 'PTFLOW BILLING', id: 'PTFLOWTEST', contactName: 'BILLING', phone: '5555550100' },
    },
  });
  await app.ready();

  const keys = { own: {}, other: {} } as ApiStack['keys'];
  const auth = { own: {}, other: {} } as ApiStack['auth'];
  for (const [side, practiceId] of [
    ['own', DEMO_PRACTICE_ID],
    ['other', OTHER_PRACTICE_ID],
  ] as const) {
    for (const role of roles) {
      const { key } = await createApiKey(db.db, { practiceId, role, label: `${side}-${role}` });
      keys[side][role] = key;
      auth[side][role] = { authorization: `Bearer ${key}` };
    }
  }

  return {
    app,
    db,
    temporal,
    taskQueue,
    auth,
    keys,
    clock,
    dataKeyring,
    repositoryKeys: sandboxes.deps.keys,
    emr: sandboxes.emr,
    webhookSecrets,
    async userAuth(side, role, opts = {}) {
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      const authAge = opts.authAgeSeconds === undefined ? 5 : opts.authAgeSeconds;
      const token = await new SignJWT({
        role,
        practice_id: side === 'own' ? DEMO_PRACTICE_ID : OTHER_PRACTICE_ID,
        amr: opts.amr ?? ['pwd', 'mfa'],
        ...(authAge === null ? {} : { auth_time: nowSeconds - authAge }),
      })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(opts.sub ?? `${side}-${role}`)
        // The token's own validity is checked against real time; auth_time against the API's (shiftable) clock.
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(signing.privateKey);
      return { authorization: `Bearer ${token}` };
    },
    async breakGlass(principal) {
      const opened = await openGrant(
        db.db,
        dataKeyring,
        { ...principal, practiceId: DEMO_PRACTICE_ID },
        {
          reason: 'Opened by the test stack',
          requestId: randomUUID(),
          sourceIp: '127.0.0.1',
          now: clock.now(),
        },
      );
      if (!opened.ok) throw new Error('break-glass grant refused (rate limit)');
      return opened.grant;
    },
    async startTask(role) {
      const taskId = randomUUID();
      await temporal.client.workflow.start(humanTask, {
        taskQueue,
        workflowId: workflowId('task', taskId),
        args: [
          {
            taskId,
            practiceId: DEMO_PRACTICE_ID,
            kind: 'review',
            assigneeRole: role,
            title: 'Review the process',
            dueAt: new Date(Date.now() + 86_400_000).toISOString(),
            parentWorkflowId: workflowId('auth', randomUUID()),
            processKind: 'priorAuthorization',
          },
        ],
      });
      await until(
        async () => (await db.sql`select 1 from tasks where id = ${taskId}`).length === 1,
        'task row',
      );
      return taskId;
    },
    async close() {
      await app.close();
      await worker.close();
      await temporal.close();
      await sandboxes.stop();
      await payer.server.close();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `ok` (no timing assertion: it only bounds how long a broken process is waited for). */
export async function until(ok: () => Promise<boolean>, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const today = () => localDate(new Date(), 'America/Chicago');

// --- Valid bodies ---

export function onboardingBody() {
  return {
    patientId: randomUUID(),
    clinicTimeZone: 'America/Chicago',
    patientTimeZone: 'America/Chicago',
    demographics: {
      given: ['Ana'],
      family: 'Rivera',
      birthDate: '1961-02-03',
      sex: 'female',
      email: 'ana.rivera@example.test',
    },
    preferredChannel: 'email',
    messagingConsent: false,
    coverages: [
      { coverageId: randomUUID(), payerId: 'commercial-ama', memberId: 'SBX-PR3-API1', priority: 1 },
    ],
    evaluation: { acuity: 'acute', bodyRegion: 'knee', leadDays: 3 },
    intakeFormLink: 'https://forms.riverside.example/i/abc',
    insuranceUpdateLink: 'https://forms.riverside.example/ins/abc',
  };
}

export function authorizationBody() {
  return {
    patientId: randomUUID(),
    coverageId: randomUUID(),
    payerId: 'ma-fastlane',
    requestedVisits: 12,
    startDate: today(),
  };
}

export function visitBody(visitId = randomUUID()) {
  return {
    id: visitId,
    payerId: 'medicare-part-b',
    dos: today(),
    renderingNpi: '1987654328',
    interventions: [{ code: '97110', minutes: 38, furnishedBy: 'PT' }],
    diagnoses: ['M54.50'],
  };
}

export function claimBody(planOfCareId?: string) {
  const visit = visitBody();
  return {
    patientId: randomUUID(),
    kxAccruedAllowedCents: 100_000,
    visit,
    ...(planOfCareId ? { planOfCareId } : {}),
    parties: {
      billingProvider: {
        name: 'RIVERSIDE PHYSICAL THERAPY',
        npi: '1234567893',
        taxId: '123456789',
        address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
      },
      subscriber: {
        memberId: `SBX-${visit.id.slice(0, 8)}`,
        lastName: 'DOE',
        firstName: 'JANE',
        address: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' },
      },
    },
  };
}

export function planOfCareBody(authorizationId?: string) {
  return {
    patientId: randomUUID(),
    referringPractitionerId: randomUUID(),
    firstTreatmentDate: today(),
    ...(authorizationId ? { authorizationId } : {}),
  };
}

export function intakeFormsBody() {
  return {
    responseId: randomUUID(),
    questionnaire: 'https://forms.riverside.example/q/intake-v1',
    authored: new Date().toISOString(),
    items: [{ linkId: 'pain-now', answers: [4] }],
  };
}

export const codecPayloads = {
  payloads: [
    {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"hello"').toString('base64'),
    },
  ],
};

// claimSubmission end to end: real dev server, real PostgreSQL, and the sandbox payer over real HTTP answering
// our 837P with real 999/277CA/835 (scenario triggers by member id, see connectors/payer/sandbox/README.md).
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import type { PatientStatementPort } from '../../activities/claim/index.js';
import type { ClearinghouseConnector } from '../../connectors/payer/clearinghouse/adapter.js';
import type { SandboxServer } from '../../connectors/payer/sandbox/server.js';
import { claimRemittances, claims, tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import {
  CLAIM_WORKFLOW_TYPE,
  claimCorrectedSignal,
  claimStatusQuery,
  type ClaimCorrection,
  type ClaimInput,
  type ClaimSubmissionWorkflow,
} from '../../workflows/claim/messages.js';
import {
  dischargePlanOfCareSignal,
  PLAN_OF_CARE_WORKFLOW_TYPE,
  planOfCareStatusQuery,
  recordCertificationUpdate,
  recordProgressReportUpdate,
  visitCompletedSignal,
  type PlanOfCareWorkflow,
} from '../../workflows/plan-of-care/messages.js';
import { addDays } from '../../domain/core/dates.js';
import { completeTaskSignal } from '../../workflows/tasks/messages.js';
import { syntheticClaimCase } from '../fixtures/claim-case.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sandboxPayer } from '../helpers/sandbox-payer.js';
import { devServerClient, devServerWorker, uniqueTaskQueue } from '../helpers/temporal.js';

const TZ = 'America/Chicago';
let db: TestDatabase;
/** The data keyring task outcomes are stored under (a fix_claim answer is completed with data). */
const dataKeyring = generateKeyring('claims');
let sandbox: SandboxServer;
let connector: ClearinghouseConnector;
const statements: { claimId: string; amountCents: number; messageId: string }[] = [];
const statementPort: PatientStatementPort = {
  sendStatement: async (req) => {
    // Idempotent like the real messaging connector: one statement per message id.
    if (!statements.some((s) => s.messageId === req.messageId)) statements.push(req);
  },
};

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  ({ server: sandbox, connector } = await sandboxPayer(db.sql));
});
afterAll(async () => {
  await sandbox?.close();
  await db?.drop();
});

function claimInput(
  memberId: string,
  opts: { kxAccruedAllowedCents?: number; payerId?: string } = {},
): ClaimInput {
  const c = syntheticClaimCase({ memberId, dos: localDate(new Date(), TZ), ...opts });
  return { case: c, timezone: TZ, pollEveryMinutes: 0.01 };
}

async function run<T>(
  fn: (client: Awaited<ReturnType<typeof devServerClient>>['client'], taskQueue: string) => Promise<T>,
) {
  const taskQueue = uniqueTaskQueue();
  const { client, close } = await devServerClient();
  const worker = await devServerWorker(
    taskQueue,
    createActivities({
      db: db.db,
      dataKeyring,
      temporal: client,
      payerConnector: connector,
      statements: statementPort,
    }),
  );
  try {
    return await fn(client, taskQueue);
  } finally {
    await close();
    await worker.close();
  }
}

async function sandboxClaims(pcn: string) {
  return db.sql`select * from sandbox_payer.claims where patient_control_number = ${pcn}`;
}

describe('claimSubmission against the sandbox payer', () => {
  it('Medicare over the KX threshold: lines carry GP and KX, paid with coinsurance, payment posted, statement sent', async () => {
    const input = claimInput(`SBX-KXOVER-${randomUUID().slice(0, 8)}`, { kxAccruedAllowedCents: 300_000 });
    await run(async (client, taskQueue) => {
      const result = await client.workflow.execute<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('claim', input.case.claimId),
        args: [input],
      });
      expect(result.state).toBe('paid');
      for (const line of result.lines) expect(line.modifiers).toEqual(expect.arrayContaining(['GP', 'KX']));
      expect(result.paidCents).toBeGreaterThan(0);
      expect(result.patientResponsibilityCents).toBeGreaterThan(0);
      const [row] = await db.db.select().from(claims).where(eq(claims.id, input.case.claimId));
      expect(row).toMatchObject({ status: 'paid', paidCents: result.paidCents, submissions: 1 });
      expect(
        await db.db.select().from(claimRemittances).where(eq(claimRemittances.claimId, input.case.claimId)),
      ).toHaveLength(1);
      expect(statements.filter((s) => s.claimId === input.case.claimId)).toEqual([
        {
          claimId: input.case.claimId,
          amountCents: result.patientResponsibilityCents,
          messageId: `claim:${input.case.claimId}:statement`,
          practiceId: DEMO_PRACTICE_ID,
          patientId: input.case.patientId,
        },
      ]);
    });
  });

  it('a correctable denial (CO-15) goes back as a frequency-7 replacement with the payer claim number and is paid', async () => {
    // A commercial plan: it accepts replacement claims (Medicare reopens instead, so it would go to review).
    const input = claimInput(`SBX-CO15-${randomUUID().slice(0, 8)}`, { payerId: 'commercial-ama' });
    input.case.priorAuthNumber = 'AUTH-ON-FILE-1';
    await run(async (client, taskQueue) => {
      const result = await client.workflow.execute<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('claim', input.case.claimId),
        args: [input],
      });
      expect(result).toMatchObject({ state: 'paid', attempt: 2, frequency: '7' });
      expect(result.decisions.map((d) => d.what)).toEqual([
        'submitted',
        'denied_CO-15',
        'resubmit',
        'submitted',
        'paid',
        'statement',
      ]);
      const atPayer = await sandboxClaims(input.case.patientControlNumber);
      expect(atPayer).toHaveLength(1); // replaced in place, not a second claim
      expect(atPayer[0]).toMatchObject({ claim: { frequencyCode: '7' } });
    });
  });

  it('CO-50 (medical necessity) with no plan of care on file: a review task to document necessity, never a resubmission', async () => {
    const input = claimInput(`SBX-CO50-${randomUUID().slice(0, 8)}`, { kxAccruedAllowedCents: 300_000 });
    await run(async (client, taskQueue) => {
      const id = workflowId('claim', input.case.claimId);
      const result = await client.workflow.execute<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: id,
        args: [input],
      });
      expect(result.state).toBe('needs_review');
      expect(result.decisions.find((d) => d.what === 'denied_CO-50')?.reason).toContain('document necessity');
      const [row] = await db.db.select().from(claims).where(eq(claims.id, input.case.claimId));
      expect(row?.submissions).toBe(1);
      expect((await tasksOf(id, ['review_denial'])).map((t) => t.kind)).toEqual(['review_denial']);
    });
  });

  it('CO-50 with a certified plan of care on file (necessity documented) raises an appeal task', async () => {
    const input = claimInput(`SBX-CO50-${randomUUID().slice(0, 8)}`, { kxAccruedAllowedCents: 300_000 });
    const first = addDays(localDate(new Date(), TZ), -2);
    await run(async (client, taskQueue) => {
      const episodeId = randomUUID();
      const poc = await client.workflow.start<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('poc', episodeId),
        args: [
          {
            episodeId,
            practiceId: DEMO_PRACTICE_ID,
            patientId: input.case.patientId,
            referringPractitionerId: randomUUID(),
            timezone: TZ,
            firstTreatmentDate: first,
          },
        ],
      });
      await poc.executeUpdate(recordCertificationUpdate, {
        args: [{ kind: 'signature', signedDate: first }],
      });
      input.case.planOfCareWorkflowId = poc.workflowId;
      const id = workflowId('claim', input.case.claimId);
      const result = await client.workflow.execute<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: id,
        args: [input],
      });
      expect(result.state).toBe('appeal');
      const [row] = await db.db.select().from(claims).where(eq(claims.id, input.case.claimId));
      expect(row?.submissions).toBe(1);
      const raised = await tasksOf(id, ['appeal_claim']);
      expect(raised.map((t) => t.kind)).toEqual(['appeal_claim']);
      expect(raised[0]?.details).toMatchObject({ carc: '50', lines: '1:97110,2:97112' });
      await poc.signal(dischargePlanOfCareSignal, { reason: 'goals_met' });
    });
  });

  it('the same visit started three times is one process and one claim at the payer', async () => {
    const input = claimInput(`SBX-KXOVER-${randomUUID().slice(0, 8)}`, { kxAccruedAllowedCents: 300_000 });
    await run(async (client, taskQueue) => {
      const id = workflowId('claim', input.case.claimId);
      const starts = await Promise.all(
        [1, 2, 3].map(() =>
          client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
            taskQueue,
            workflowId: id,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        ),
      );
      expect(new Set(starts.map((h) => h.firstExecutionRunId)).size).toBe(1);
      expect((await starts[0]!.result()).state).toBe('paid');
      expect((await starts[0]!.query(claimStatusQuery)).state).toBe('paid');
      expect(await sandboxClaims(input.case.patientControlNumber)).toHaveLength(1);
    });
  });
});

describe('claimSubmission on a worker without a payer connector', () => {
  it('waits on an admin task instead of failing; connector configured + task completed → submitted and paid', async () => {
    // Issue #14: ConnectorNotConfigured is a configuration problem, never a failed claim.
    const input = claimInput(`SBX-KXOVER-${randomUUID().slice(0, 8)}`, { kxAccruedAllowedCents: 300_000 });
    const taskQueue = uniqueTaskQueue('claim-misconfigured');
    const { client, close } = await devServerClient();
    const misconfigured = await devServerWorker(
      taskQueue,
      createActivities({ db: db.db, dataKeyring, temporal: client, statements: statementPort }),
    );
    try {
      const handle = await client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('claim', input.case.claimId),
        args: [input],
      });
      await expect
        .poll(
          async () =>
            (await db.db.select().from(tasks).where(eq(tasks.patientId, input.case.patientId))).map((t) => ({
              kind: t.kind,
              role: t.assigneeRole,
            })),
          { timeout: 30_000 },
        )
        .toEqual([{ kind: 'connector_not_configured', role: 'admin' }]);
      expect((await handle.describe()).status.name).toBe('RUNNING');

      await misconfigured.close();
      const fixed = await devServerWorker(
        taskQueue,
        createActivities({
          db: db.db,
          dataKeyring,
          temporal: client,
          payerConnector: connector,
          statements: statementPort,
        }),
      );
      try {
        const [task] = await db.db.select().from(tasks).where(eq(tasks.patientId, input.case.patientId));
        await client.workflow
          .getHandle(workflowId('task', task!.id))
          .signal(completeTaskSignal, { completedBy: 'admin-1', outcome: {} });
        const result = await handle.result();
        expect(result.state).toBe('paid');
        expect(await sandboxClaims(input.case.patientControlNumber)).toHaveLength(1);
      } finally {
        await fixed.close();
      }
    } finally {
      await close();
      await misconfigured.close().catch(() => undefined);
    }
  });
});

describe('claimSubmission held by its plan of care', () => {
  it('a progress report overdue in the episode holds the claim until the report is recorded', async () => {
    const input = claimInput(`SBX-KXOVER-${randomUUID().slice(0, 8)}`, { kxAccruedAllowedCents: 300_000 });
    const today = localDate(new Date(), TZ);
    const first = addDays(today, -20);
    await run(async (client, taskQueue) => {
      const episodeId = randomUUID();
      const poc = await client.workflow.start<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('poc', episodeId),
        args: [
          {
            episodeId,
            practiceId: DEMO_PRACTICE_ID,
            patientId: input.case.patientId,
            referringPractitionerId: randomUUID(),
            timezone: TZ,
            firstTreatmentDate: first,
          },
        ],
      });
      await poc.executeUpdate(recordCertificationUpdate, {
        args: [{ kind: 'signature', signedDate: first }],
      });
      for (let d = 0; d <= 10; d++)
        await poc.signal(visitCompletedSignal, { visitId: `v${d}`, dos: addDays(first, d) });
      let overdue = false;
      for (let i = 0; i < 100 && !overdue; i++) {
        overdue = (await poc.query(planOfCareStatusQuery)).progressReportOverdue;
        if (!overdue) await new Promise((r) => setTimeout(r, 100));
      }
      expect(overdue).toBe(true);

      input.case.planOfCareWorkflowId = poc.workflowId;
      input.case.visit.dos = addDays(first, 10);
      const claim = await client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('claim', input.case.claimId),
        args: [input],
      });
      let held = await claim.query(claimStatusQuery);
      for (let i = 0; i < 100 && held.state !== 'needs_correction'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        held = await claim.query(claimStatusQuery);
      }
      expect(held.state).toBe('needs_correction');
      expect(held.blockingFindings.some((f) => f.startsWith('PROGRESS_REPORT'))).toBe(true);
      expect(await sandboxClaims(input.case.patientControlNumber)).toHaveLength(0);

      await poc.executeUpdate(recordProgressReportUpdate, { args: [{ reportDate: addDays(first, 10) }] });
      await claim.signal(claimCorrectedSignal, { correctedBy: 'user:biller-1' });
      expect((await claim.result()).state).toBe('paid');
      await poc.signal(dischargePlanOfCareSignal, { reason: 'goals_met' });
    });
  });
});

describe('claimSubmission and an authorization answered "not required" (issue #20 item 4)', () => {
  it('the scrubber holds a ma-fastlane treatment claim for a missing authorization, but not once it was waived', async () => {
    const waived = claimInput(`MAFL-${randomUUID().slice(0, 8)}`, { payerId: 'ma-fastlane' });
    waived.case.authorizationNotRequired = true;
    const plain = claimInput(`MAFL-${randomUUID().slice(0, 8)}`, { payerId: 'ma-fastlane' });
    await run(async (client, taskQueue) => {
      const start = (input: ClaimInput) =>
        client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: workflowId('claim', input.case.claimId),
          args: [input],
        });
      const held = await start(plain);
      const filed = await start(waived);
      const stateOf = async (h: typeof held) => (await h.query(claimStatusQuery)).state;
      await expect.poll(() => stateOf(held), { timeout: 30_000 }).toBe('needs_correction');
      expect((await held.query(claimStatusQuery)).blockingFindings).toContain('AUTH_MISSING');
      expect(await sandboxClaims(plain.case.patientControlNumber)).toHaveLength(0);
      // The waived one is not held for the authorization: it goes to the payer.
      await expect
        .poll(async () => (await sandboxClaims(waived.case.patientControlNumber)).length, { timeout: 30_000 })
        .toBe(1);
      const status = await filed.query(claimStatusQuery);
      expect(status.blockingFindings.filter((f) => f.startsWith('AUTH_'))).toEqual([]);
      await held.terminate('test cleanup');
      await filed.terminate('test cleanup');
    });
  });
});

/** The tasks a claim raised, once they are on the worklist. */
async function tasksOf(claimWorkflowId: string, kinds: string[]) {
  let rows: (typeof tasks.$inferSelect)[] = [];
  for (let i = 0; i < 100; i++) {
    rows = await db.db.select().from(tasks).where(eq(tasks.workflowId, claimWorkflowId));
    if (kinds.every((k) => rows.some((r) => r.kind === k))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return rows;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 150 && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

describe('claimSubmission: no dead ends for a held claim', () => {
  it('a Medicare claim held for its referring provider proceeds when the fix_claim task is completed with it', async () => {
    const input = claimInput(`SBX-KXOVER-${randomUUID().slice(0, 8)}`, { kxAccruedAllowedCents: 300_000 });
    delete input.case.parties.referringProvider;
    await run(async (client, taskQueue) => {
      const id = workflowId('claim', input.case.claimId);
      const claim = await client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: id,
        args: [input],
      });
      const held = await until(
        () => claim.query(claimStatusQuery),
        (s) => s.state === 'needs_correction',
      );
      expect(held.blockingFindings).toEqual(['REFERRING_PROVIDER_MISSING']);
      expect(held.corrections).toEqual([
        { finding: 'REFERRING_PROVIDER_MISSING', clearedBy: ['referringProvider'] },
      ]);
      const [fix] = await tasksOf(id, ['fix_claim']);
      expect(fix?.kind).toBe('fix_claim');
      expect(fix?.details).toMatchObject({
        needsREFERRINGPROVIDERMISSING: 'REFERRING_PROVIDER_MISSING: referringProvider',
      });
      // The Temporal UI says the same (issue #12): the claim's current details and the task's summary — what to
      // do, for whom, by when, who (user metadata; this test's client has no codec, so they read in clear here).
      const metadata = await claim.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toBe('held: referring provider missing');
      const fixTask = await client.workflow.getHandle(workflowId('task', fix!.id)).describe();
      const subscriber = input.case.parties.subscriber;
      expect(await fixTask.staticSummary()).toMatch(
        new RegExp(
          `^Task · Claim needs correction.* · ${subscriber.firstName ?? ''} ?${subscriber.lastName} · due \\S+ \\S+ · biller$`,
        ),
      );
      await client.workflow.getHandle(workflowId('task', fix!.id)).signal(completeTaskSignal, {
        completedBy: 'user:biller-1',
        outcome: { referringProviderNpi: '1679576722', referringProviderName: 'NGUYEN' },
      });
      const result = await claim.result();
      expect(result.state).toBe('paid');
      expect(result.decisions.map((d) => d.what)).toEqual([
        'held',
        'corrected',
        'submitted',
        'paid',
        'statement',
      ]);
      const [atPayer] = await sandboxClaims(input.case.patientControlNumber);
      expect(atPayer).toMatchObject({
        claim: { referringProvider: { npi: '1679576722', lastName: 'NGUYEN' } },
      });
    });
  });

  it('a correction through the signal (API/CLI path) releases the claim and closes the open fix_claim task', async () => {
    const input = claimInput(`SBX-KXOVER-${randomUUID().slice(0, 8)}`, { kxAccruedAllowedCents: 300_000 });
    input.case.visit.diagnoses = [];
    await run(async (client, taskQueue) => {
      const id = workflowId('claim', input.case.claimId);
      const claim = await client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: id,
        args: [input],
      });
      await until(
        () => claim.query(claimStatusQuery),
        (s) => s.state === 'needs_correction',
      );
      await tasksOf(id, ['fix_claim']);
      await claim.signal(claimCorrectedSignal, { diagnoses: ['M54.50'], correctedBy: 'user:biller-1' });
      expect((await claim.result()).state).toBe('paid');
      const rows = await until(
        () => db.db.select().from(tasks).where(eq(tasks.workflowId, id)),
        (r) => r.every((t) => t.status !== 'open'),
      );
      expect(rows.filter((t) => t.kind === 'fix_claim').map((t) => t.status)).toEqual(['cancelled']);
    });
  });
});

/**
 * One row per finding the claim process can raise from a visit (test/domain/claims/corrections.test.ts lists the
 * codes it cannot, with the reason): the visit as recorded holds the claim with the code, the correction is the
 * data CLEARED_BY names for it, sent as the API and the CLI send it, and the claim goes on to the payer.
 */
type HeldRow = {
  codes: string[];
  payerId?: string;
  visit?: Partial<ClaimInput['case']['visit']>;
  noSubscriberAddress?: boolean;
  noReferringProvider?: boolean;
  fix: Omit<ClaimCorrection, 'correctedBy'>;
};
const thirtyMinutes = [{ code: '97110', minutes: 30, furnishedBy: 'PT' as const }];
const HELD_ROWS: HeldRow[] = [
  { codes: ['NPI_INVALID'], visit: { renderingNpi: '1234567890' }, fix: { renderingNpi: '1987654328' } },
  {
    codes: ['REFERRING_PROVIDER_MISSING'],
    noReferringProvider: true,
    fix: { referringProvider: { name: 'NGUYEN', npi: '1679576722' } },
  },
  {
    codes: ['SUBSCRIBER_ADDRESS_MISSING'],
    noSubscriberAddress: true,
    fix: { subscriberAddress: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' } },
  },
  {
    codes: ['DIAGNOSIS_MISSING', 'POINTER_MISSING'],
    visit: { diagnoses: [] },
    fix: { diagnoses: ['M54.50'] },
  },
  { codes: ['ICD10_FORMAT_INVALID'], visit: { diagnoses: ['XYZ'] }, fix: { diagnoses: ['M54.50'] } },
  {
    codes: ['TOO_MANY_DIAGNOSES'],
    visit: {
      diagnoses: [
        'M54.50',
        'M54.51',
        'M54.59',
        'M25.511',
        'M25.512',
        'M25.561',
        'M25.562',
        'M79.601',
        'M79.602',
        'M62.81',
        'R26.2',
        'R26.89',
        'M54.2',
      ],
    },
    fix: { diagnoses: ['M54.50', 'M54.51'] },
  },
  {
    codes: ['UNKNOWN_CODE'],
    visit: { interventions: [{ code: '99999', minutes: 30, furnishedBy: 'PT' }], totalTreatmentMinutes: 30 },
    fix: { interventions: thirtyMinutes },
  },
  {
    codes: ['NO_LINES'],
    visit: { interventions: [{ code: '97110', minutes: 5, furnishedBy: 'PT' }], totalTreatmentMinutes: 5 },
    fix: { interventions: thirtyMinutes, totalTreatmentMinutes: 30 },
  },
  {
    codes: ['RETIRED_FLR_CODE'],
    visit: {
      interventions: [
        { code: 'G8978', minutes: 0, furnishedBy: 'PT' },
        { code: '97110', minutes: 30, furnishedBy: 'PT' },
      ],
      totalTreatmentMinutes: 30,
    },
    fix: { interventions: thirtyMinutes },
  },
  {
    codes: ['MINUTES_EXCEED_TREATMENT_TIME'],
    visit: { totalTreatmentMinutes: 30 },
    fix: { totalTreatmentMinutes: 45 },
  },
  {
    codes: ['NON_COVERED_WITHOUT_ABN'],
    visit: {
      interventions: [
        { code: '20560', minutes: 10, furnishedBy: 'PT' },
        { code: '97110', minutes: 30, furnishedBy: 'PT' },
      ],
      totalTreatmentMinutes: 40,
    },
    fix: { interventions: thirtyMinutes, totalTreatmentMinutes: 30 },
  },
  {
    codes: ['NCCI_BYPASS_UNDOCUMENTED', 'NCCI_PTP_UNRESOLVED'],
    visit: {
      interventions: [
        { code: '97164', minutes: 30, furnishedBy: 'PT' },
        { code: '97530', minutes: 30, furnishedBy: 'PT' },
      ],
      totalTreatmentMinutes: 60,
    },
    fix: {
      distinctServices: [
        {
          code: '97164',
          modifier: 'XU',
          confirmedBy: 'therapist-1',
          documentation: 'separate, non-overlapping time',
        },
      ],
    },
  },
  {
    codes: ['CODE_NOT_VALID_ON_DOS'],
    visit: { interventions: [{ code: '97001', minutes: 30, furnishedBy: 'PT' }], totalTreatmentMinutes: 30 },
    fix: { interventions: [{ code: '97161', minutes: 30, furnishedBy: 'PT' }] },
  },
  {
    codes: ['IMPOSSIBLE_MINUTES'],
    visit: {
      interventions: [{ code: '97110', minutes: 1500, furnishedBy: 'PT' }],
      totalTreatmentMinutes: 1500,
    },
    fix: { interventions: thirtyMinutes, totalTreatmentMinutes: 30 },
  },
  {
    codes: ['DISCIPLINE_MISMATCH'],
    visit: { interventions: [{ code: '97165', minutes: 30, furnishedBy: 'PT' }], totalTreatmentMinutes: 30 },
    fix: { interventions: [{ code: '97161', minutes: 30, furnishedBy: 'PT' }] },
  },
  {
    codes: ['FEE_MISSING', 'CHARGE_NOT_POSITIVE'],
    visit: { interventions: [{ code: '97760', minutes: 30, furnishedBy: 'PT' }], totalTreatmentMinutes: 30 },
    fix: { interventions: thirtyMinutes },
  },
  {
    codes: ['ASSISTANT_NOT_PERMITTED'],
    payerId: 'commercial-ama',
    visit: { interventions: [{ code: '97161', minutes: 30, furnishedBy: 'PTA' }], totalTreatmentMinutes: 30 },
    fix: { interventions: [{ code: '97161', minutes: 30, furnishedBy: 'PT' }] },
  },
];

describe('claimSubmission: every finding the claim process raises from a visit has a way out', () => {
  it('held with the code, the correction CLEARED_BY names is sent, the claim is coded again and submitted', async () => {
    await run(async (client, taskQueue) => {
      const started = await Promise.all(
        HELD_ROWS.map(async (row) => {
          const input = claimInput(`SBX-KXOVER-${randomUUID().slice(0, 8)}`, {
            kxAccruedAllowedCents: 300_000,
            ...(row.payerId ? { payerId: row.payerId } : {}),
          });
          Object.assign(input.case.visit, row.visit ?? {});
          if (row.noSubscriberAddress) delete input.case.parties.subscriber.address;
          if (row.noReferringProvider) delete input.case.parties.referringProvider;
          const handle = await client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
            taskQueue,
            workflowId: workflowId('claim', input.case.claimId),
            args: [input],
          });
          return { row, handle };
        }),
      );
      try {
        const outcomes = await Promise.all(
          started.map(async ({ row, handle }) => {
            const status = () => handle.query(claimStatusQuery);
            const held = await waitFor(status, (s) => s.state === 'needs_correction');
            const clearedBy = new Map((held.corrections ?? []).map((c) => [c.finding, c.clearedBy]));
            // Every field the correction supplies is named for at least one of the row's codes.
            const named = row.codes.flatMap((code) => clearedBy.get(code) ?? []);
            await handle.signal(claimCorrectedSignal, { ...row.fix, correctedBy: 'user:biller-1' });
            const after = await waitFor(status, (s) => s.decisions.some((d) => d.what === 'submitted'));
            return {
              codes: row.codes,
              held: row.codes.filter((code) => held.blockingFindings.includes(code)),
              unnamed: Object.keys(row.fix).filter((field) => !named.includes(field)),
              decisions: after.decisions.map((d) => d.what).slice(0, 3),
            };
          }),
        );
        for (const o of outcomes) {
          expect({ codes: o.codes, held: o.held, unnamed: o.unnamed, decisions: o.decisions }).toEqual({
            codes: o.codes,
            held: o.codes,
            unnamed: [],
            decisions: ['held', 'corrected', 'submitted'],
          });
        }
      } finally {
        await Promise.all(started.map(({ handle }) => handle.terminate('test over').catch(() => undefined)));
      }
    });
  });
});

/** Like `until`, with room for many claims coded at once on a busy machine (60 s). */
async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 600 && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

describe('claimSubmission: line-level denials and balanced remittances', () => {
  it('a partial payment with a CO-97 bundled line: the paid line is posted, the bundled line written off', async () => {
    const input = claimInput(`SBX-LCO97-${randomUUID().slice(0, 8)}`, { payerId: 'commercial-ama' });
    await run(async (client, taskQueue) => {
      const result = await client.workflow.execute<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('claim', input.case.claimId),
        args: [input],
      });
      expect(result.state).toBe('partially_paid');
      expect(result.paidCents).toBeGreaterThan(0);
      expect(result.decisions.map((d) => d.what)).toEqual([
        'submitted',
        'denied_CO-97',
        'partially_paid',
        'statement',
        'write_off',
      ]);
      expect(result.decisions[1]?.reason).toMatch(/^line 2 \(97112\)/);
      const [row] = await db.db.select().from(claims).where(eq(claims.id, input.case.claimId));
      expect(row).toMatchObject({ status: 'partially_paid', paidCents: result.paidCents });
    });
  });

  it('a CO-15 line at a commercial payer with the authorization on record: frequency-7 replacement, then paid', async () => {
    const input = claimInput(`SBX-LCO15-${randomUUID().slice(0, 8)}`, { payerId: 'commercial-ama' });
    input.case.priorAuthNumber = 'AUTH-ON-FILE-2';
    await run(async (client, taskQueue) => {
      const result = await client.workflow.execute<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowId('claim', input.case.claimId),
        args: [input],
      });
      expect(result).toMatchObject({ state: 'paid', attempt: 2, frequency: '7' });
      expect(result.decisions.map((d) => d.what)).toEqual([
        'submitted',
        'denied_CO-15',
        'partially_paid',
        'statement',
        'resubmit',
        'submitted',
        'paid',
        'statement',
      ]);
      // One statement message per claim (the port is idempotent on its message id), whatever was recorded.
      expect(statements.filter((x) => x.claimId === input.case.claimId)).toHaveLength(1);
      // The replacement's payment supersedes the partial one (the payer re-adjudicated the whole claim).
      const [row] = await db.db.select().from(claims).where(eq(claims.id, input.case.claimId));
      expect(row).toMatchObject({ status: 'paid', paidCents: result.paidCents });
    });
  });

  it('the same line at Medicare Part B (no replacement claims): a reopening task carrying the corrected data', async () => {
    const input = claimInput(`SBX-LCO15-${randomUUID().slice(0, 8)}`, { kxAccruedAllowedCents: 300_000 });
    input.case.priorAuthNumber = 'AUTH-ON-FILE-3';
    await run(async (client, taskQueue) => {
      const id = workflowId('claim', input.case.claimId);
      const result = await client.workflow.execute<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: id,
        args: [input],
      });
      expect(result.state).toBe('reopening');
      expect(result.attempt).toBe(1);
      const [reopen] = (await tasksOf(id, ['reopen_claim'])).filter((t) => t.kind === 'reopen_claim');
      expect(reopen?.details).toMatchObject({
        lines: '2:97112',
        corrections: 'line 2 97112: authorization on file',
        priorAuthNumber: 'AUTH-ON-FILE-3',
        carcs: 'CO-15',
      });
    });
  });

  it('an 835 that does not balance is not posted: a biller task names the imbalance', async () => {
    const input = claimInput(`SBX-UNBALANCED-${randomUUID().slice(0, 8)}`, { payerId: 'commercial-ama' });
    await run(async (client, taskQueue) => {
      const id = workflowId('claim', input.case.claimId);
      const claim = await client.workflow.start<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: id,
        args: [input],
      });
      const s = await until(
        () => claim.query(claimStatusQuery),
        (x) => x.state === 'unbalanced_remittance',
      );
      expect(s.decisions.at(-1)?.reason).toMatch(/^835 not posted: claim 1: charge − paid is/);
      const [task] = (await tasksOf(id, ['remittance_imbalance'])).filter(
        (t) => t.kind === 'remittance_imbalance',
      );
      expect(String((task?.details as Record<string, unknown>).imbalance)).toContain('line 1');
      expect(String((task?.details as Record<string, unknown>).imbalance)).not.toContain(
        input.case.parties.subscriber.memberId,
      );
      expect(
        await db.db.select().from(claimRemittances).where(eq(claimRemittances.claimId, input.case.claimId)),
      ).toEqual([]);
      await claim.terminate('test done');
    });
  });
});

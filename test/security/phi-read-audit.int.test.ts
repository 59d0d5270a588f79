// Worker-side PHI reads are audited (issue #20, HIPAA 164.312(b)): an activity of the production composition
// (createActivities) that decrypts a patient row, run with a real activity context (workflow id and type as a
// worker gives them) on the real PostgreSQL, leaves exactly one audit event for that patient on the hash chain —
// actor = the process, table and purpose, column names only, no value — and the chain verifies with the code
// path of `ptflow audit verify`. An activity's reads are written in one insert, not one per row.
import { randomBytes, randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { auditPhiReads } from '../../activities/phi-read-audit.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { seedSandboxEmr } from '../../connectors/emr/sandbox/seed.js';
import { createAddressHasher, createSandboxMessaging } from '../../connectors/messaging/index.js';
import { appendAudit } from '../../db/audit/append.js';
import { verifyAuditChain } from '../../db/audit/verify.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const CANARY = 'ZZCANARY-20';
let db: TestDatabase;
const keys = { keyring: generateKeyring('t1'), blindIndexKey: randomBytes(32) };
const practiceContact = async () => ({ practiceName: 'Riverside PT', practicePhone: '+1 555 555 0100' });

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  await seedSandboxEmr(db.sql, new Date());
});
afterAll(async () => {
  await db?.drop();
});

function activities() {
  return createActivities({
    db: db.db,
    onboarding: {
      emr: new SandboxEmr(db.sql, { practiceId: DEMO_PRACTICE_ID }),
      messaging: createSandboxMessaging({
        db: db.db,
        hashAddress: createAddressHasher(randomBytes(32)),
        logger: { info: () => undefined, warn: () => undefined },
        practiceContact,
      }),
      keys,
      practiceContact,
    },
  });
}

/** Runs an activity as a worker would: in an activity context naming its workflow. */
function inActivity<A extends unknown[], R>(
  wf: { workflowId: string; workflowType: string },
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> {
  const env = new MockActivityEnvironment({
    workflowType: wf.workflowType,
    workflowExecution: { workflowId: wf.workflowId, runId: randomUUID() },
    activityType: fn.name || 'activity',
  });
  return env.run(fn, ...args) as Promise<R>;
}

async function patientOnFile(): Promise<string> {
  const patientId = randomUUID();
  await createPatientRepository(db.db, keys).upsert({
    patientId,
    practiceId: DEMO_PRACTICE_ID,
    demographics: {
      given: ['Ana'],
      family: `${CANARY}-Rivera`,
      birthDate: '1961-02-03',
      sex: 'female',
      phone: '+13125550177',
      preferredLanguage: 'en',
    },
    preferredChannel: 'sms',
    language: 'en',
    timezone: 'America/Chicago',
  });
  return patientId;
}

describe('worker-side PHI reads', () => {
  it('an activity that decrypts a patient leaves exactly one audit event for it, and the chain verifies', async () => {
    const patientId = await patientOnFile();
    // An earlier event on the chain (the API's creation event of the process), so the batch links to a tip.
    const onboarding = workflowId('onboarding', randomUUID());
    await appendAudit(db.db, {
      actorId: 'apikey:abc123',
      actorType: 'api_key',
      action: 'C',
      resourceType: 'onboarding',
      outcome: 'success',
      workflowId: onboarding,
      patientRef: patientId,
    });

    const acts = activities();
    const result = await inActivity(
      { workflowId: onboarding, workflowType: 'patientOnboarding' },
      acts.sendPatientMessage,
      {
        practiceId: DEMO_PRACTICE_ID,
        patientId,
        template: 'intake_link',
        link: 'https://forms.example.test/x',
        messageId: `onboarding:${randomUUID()}:intake`,
        workflowId: onboarding,
      },
    );
    expect(result).toHaveProperty('status');

    const events = await db.sql<
      {
        actor_id: string;
        actor_type: string;
        action: string;
        resource_type: string;
        resource_id: string;
        patient_ref: string;
        purpose_of_use: string;
        workflow_id: string;
        fields_disclosed: string[];
        whole: string;
      }[]
    >`
      select actor_id, actor_type, action, resource_type, resource_id, patient_ref, purpose_of_use, workflow_id,
             fields_disclosed, row_to_json(a)::text as whole
      from audit_events a where resource_type = 'patients' and resource_id = ${patientId}`;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_id: onboarding,
      actor_type: 'service',
      action: 'R',
      resource_type: 'patients',
      patient_ref: patientId,
      purpose_of_use: 'HOPERAT',
      workflow_id: onboarding,
      fields_disclosed: ['demographics'],
    });
    // Never a value: not the name, not the phone number.
    expect(events[0]!.whole).not.toContain(CANARY);
    expect(events[0]!.whole).not.toContain('3125550177');
    // Who started the process is on the same chain, linked by the workflow id.
    const [creator] = await db.sql<{ actor_id: string }[]>`
      select actor_id from audit_events where workflow_id = ${onboarding} and action = 'C'`;
    expect(creator?.actor_id).toBe('apikey:abc123');

    const verified = await verifyAuditChain(db.db);
    expect(verified).toMatchObject({ ok: true });
  });

  it("batches an activity's reads: one event per row (however often read), written in one insert", async () => {
    const patientId = await patientOnFile();
    const coverageId = randomUUID();
    await createCoverageRepository(db.db, keys).upsert({
      coverageId,
      practiceId: DEMO_PRACTICE_ID,
      patientId,
      payerId: 'medicare-part-b',
      memberId: `${CANARY}-1EG4TE5MK72`,
      priority: 1,
    });
    const claim = workflowId('claim', randomUUID());
    const patients = createPatientRepository(db.db, keys);
    const coverages = createCoverageRepository(db.db, keys);
    const acts = auditPhiReads(db.db, {
      async readForClaim() {
        await patients.get(DEMO_PRACTICE_ID, patientId);
        await patients.get(DEMO_PRACTICE_ID, patientId);
        await coverages.get(DEMO_PRACTICE_ID, coverageId);
        return 'read';
      },
    });
    const before = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_events`;
    await expect(
      inActivity({ workflowId: claim, workflowType: 'claimSubmission' }, acts.readForClaim),
    ).resolves.toBe('read');
    const rows = await db.sql<
      { id: string; resource_type: string; purpose_of_use: string; xmin: string; recorded_at: Date }[]
    >`
      select id::text, resource_type, purpose_of_use, xmin::text, recorded_at from audit_events
      where workflow_id = ${claim} order by id`;
    expect(rows.map((r) => r.resource_type)).toEqual(['patients', 'coverages']);
    expect(rows.every((r) => r.purpose_of_use === 'HPAYMT')).toBe(true);
    // One transaction (same xmin) with consecutive ids: a single batch, not a round trip per row.
    expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
    expect(Number(rows[1]!.id) - Number(rows[0]!.id)).toBe(1);
    const after = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_events`;
    expect(after[0]!.n - before[0]!.n).toBe(2);
    const leaked =
      await db.sql`select 1 from audit_events where row_to_json(audit_events)::text like ${`%${CANARY}%`}`;
    expect(leaked).toHaveLength(0);
    expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true });
  });

  it('a read outside any activity (the API path audits its own disclosures) writes nothing here', async () => {
    const patientId = await patientOnFile();
    const before = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_events`;
    await createPatientRepository(db.db, keys).get(DEMO_PRACTICE_ID, patientId);
    const after = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_events`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});

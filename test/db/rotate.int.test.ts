// Data-key rotation on real PostgreSQL (SEC-ENC-1): rows written under the old key are re-encrypted under the
// active one in batches, still decrypt, carry the new key id, and a second run has nothing left to do. Every
// table of db/crypto/encrypted-tables.ts is covered: patients, coverages and break-glass reasons are written by
// the code that writes them in production (the break-glass grant through openGrant, task outcomes through the
// closeTask activity).
import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskActivities } from '../../activities/tasks/index.js';
import { openGrant, reasonContext } from '../../api/break-glass/grants.js';
import { loadConfig } from '../../cli/config.js';
import { runKeysRotate } from '../../cli/commands/keys.js';
import { memberIdHash, patientMatchHash } from '../../db/crypto/blind-index.js';
import { fieldContext } from '../../db/crypto/encrypted-tables.js';
import { decryptFieldText, encryptField, fieldKeyId } from '../../db/crypto/field-encryption.js';
import { generateKeyring, withNewActiveKey, type Keyring } from '../../db/crypto/keyring.js';
import { rotateDataKeys } from '../../db/crypto/rotate.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import { createTaskRepository, taskOutcomeContext } from '../../db/repositories/tasks.js';
import { auditEvents, breakGlassGrants, coverages, patients, tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const CANARY = 'ZZCANARY-5';
const blindKey = randomBytes(32);
const oldRing = generateKeyring('d2025');
const newRing = withNewActiveKey(oldRing, 'd2026');
const newestRing = withNewActiveKey(newRing, 'd2027');

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
});
afterAll(async () => {
  await db?.drop();
});

async function insertPatient(ring: Keyring, n: number): Promise<string> {
  const id = randomUUID();
  const tenant = DEMO_PRACTICE_ID;
  const demo = encryptField(
    JSON.stringify({ lastName: `Doe${n} ${CANARY}`, dateOfBirth: '1980-02-03' }),
    fieldContext('patients', 'demographics_enc', { tenant, rowId: id }),
    ring,
  );
  await db.db.insert(patients).values({
    id,
    practiceId: tenant,
    demographicsEnc: demo.data,
    keyId: demo.keyId,
    matchHash: patientMatchHash(blindKey, `Doe${n}`, '1980-02-03'),
    preferredChannel: 'sms',
    timezone: 'America/Chicago',
  });
  const coverageId = randomUUID();
  const member = encryptField(
    `M${n}-${CANARY}`,
    fieldContext('coverages', 'member_id_enc', { tenant, rowId: coverageId }),
    ring,
  );
  await db.db.insert(coverages).values({
    id: coverageId,
    practiceId: tenant,
    patientId: id,
    payerId: 'SANDBOX-MEDICARE',
    memberIdEnc: member.data,
    memberIdHash: memberIdHash(blindKey, 'SANDBOX-MEDICARE', `M${n}-${CANARY}`),
    keyId: member.keyId,
  });
  return id;
}

/** A break-glass grant of the demo practice whose reason carries the canary, written under `ring`. */
async function openGrantUnder(ring: Keyring, n: number): Promise<string> {
  const opened = await openGrant(
    db.db,
    ring,
    { id: `apikey:rot${n}`, type: 'api_key', role: 'therapist', practiceId: DEMO_PRACTICE_ID, amr: [] },
    {
      reason: `Patient ${CANARY} collapsed in clinic ${n}`,
      requestId: randomUUID(),
      sourceIp: '127.0.0.1',
      now: new Date(),
    },
  );
  if (!opened.ok) throw new Error('break-glass grant refused (rate limit)');
  return opened.grant.id;
}

/** A task of the demo practice completed by staff with a free-text answer, stored by closeTask under `ring`. */
async function completeTaskUnder(
  ring: Keyring,
  n: number,
  outcome?: Record<string, string>,
): Promise<string> {
  const activities = createTaskActivities({ db: db.db, dataKeyring: ring });
  const taskId = randomUUID();
  await activities.openTask({
    taskId,
    practiceId: DEMO_PRACTICE_ID,
    kind: 'verify_coverage_by_phone',
    assigneeRole: 'front_desk',
    title: 'Verify coverage by phone',
    dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    parentWorkflowId: `onboarding:${randomUUID()}`,
    processKind: 'onboarding',
    details: {},
  });
  await activities.closeTask(taskId, {
    state: 'completed',
    completion: {
      completedBy: `user:desk${n}`,
      outcome: outcome ?? { note: `Spoke with ${CANARY} ${n}`, coverageActive: true },
    },
  });
  return taskId;
}

describe('rotateDataKeys', () => {
  it('re-encrypts every row under the active key in batches; rows still decrypt; re-runs are no-ops', async () => {
    const ids = [];
    for (let n = 0; n < 7; n++) ids.push(await insertPatient(oldRing, n));
    const grantIds = [];
    for (let n = 0; n < 4; n++) grantIds.push(await openGrantUnder(oldRing, n));
    const taskIds = [];
    for (let n = 0; n < 5; n++) taskIds.push(await completeTaskUnder(oldRing, n));
    // A task completed with nothing to say has no outcome and no key: rotation has nothing to do there.
    const emptyTask = await completeTaskUnder(oldRing, 99, {});

    // Raw SELECT of the PHI columns never shows the canary.
    const raw = await db.sql`select demographics_enc from patients`;
    for (const r of raw)
      expect(Buffer.from(r.demographics_enc as Buffer).toString('latin1')).not.toContain(CANARY);
    const rawGrants =
      await db.sql`select row_to_json(g)::text as whole, reason_enc from break_glass_grants g`;
    expect(rawGrants).toHaveLength(4);
    for (const r of rawGrants) {
      expect(r.whole as string).not.toContain(CANARY);
      expect(Buffer.from(r.reason_enc as Buffer).toString('latin1')).not.toContain(CANARY);
    }
    const rawTasks = await db.sql`select row_to_json(t)::text as whole, outcome_enc from tasks t`;
    expect(rawTasks).toHaveLength(6);
    for (const r of rawTasks) {
      expect(r.whole as string).not.toContain(CANARY);
      if (r.outcome_enc)
        expect(Buffer.from(r.outcome_enc as Buffer).toString('latin1')).not.toContain(CANARY);
    }

    const batches: string[] = [];
    const report = await rotateDataKeys(db.db, newRing, { batchSize: 3, onBatch: (t) => batches.push(t) });
    expect(report.patients).toEqual({ rotated: 7, skipped: 0, failedRowIds: [] });
    expect(report.coverages).toEqual({ rotated: 7, skipped: 0, failedRowIds: [] });
    expect(report.break_glass_grants).toEqual({ rotated: 4, skipped: 0, failedRowIds: [] });
    expect(report.tasks).toEqual({ rotated: 5, skipped: 0, failedRowIds: [] });
    expect(batches.filter((t) => t === 'patients').length).toBeGreaterThanOrEqual(3);

    const rows = await db.db.select().from(patients);
    for (const row of rows) {
      expect(row.keyId).toBe('d2026');
      expect(fieldKeyId(row.demographicsEnc)).toBe('d2026');
      const ctx = fieldContext('patients', 'demographics_enc', { tenant: row.practiceId, rowId: row.id });
      expect(decryptFieldText(row.demographicsEnc, ctx, newRing)).toContain(CANARY);
      // Only the new key can read it now: the old key may be retired after rotation.
      expect(() => decryptFieldText(row.demographicsEnc, ctx, oldRing)).toThrow(/unknown key/);
    }
    const [cov] = await db.db.select().from(coverages).where(eq(coverages.patientId, ids[0]!));
    const covCtx = fieldContext('coverages', 'member_id_enc', { tenant: cov!.practiceId, rowId: cov!.id });
    expect(decryptFieldText(cov!.memberIdEnc, covCtx, newRing)).toBe(`M0-${CANARY}`);
    const grants = await db.db.select().from(breakGlassGrants);
    expect(grants.map((g) => g.id).sort()).toEqual([...grantIds].sort());
    for (const grant of grants) {
      expect(grant.keyId).toBe('d2026');
      expect(fieldKeyId(grant.reasonEnc!)).toBe('d2026');
      const ctx = reasonContext(grant);
      expect(decryptFieldText(grant.reasonEnc!, ctx, newRing)).toContain(CANARY);
      expect(() => decryptFieldText(grant.reasonEnc!, ctx, oldRing)).toThrow(/unknown key/);
    }

    const taskRows = await db.db.select().from(tasks);
    const repository = createTaskRepository(db.db, newRing);
    for (const task of taskRows) {
      if (task.id === emptyTask) {
        expect(task).toMatchObject({ keyId: null, outcomeEnc: null });
        expect(await repository.outcome(task.id)).toBeNull();
        continue;
      }
      expect(task.keyId).toBe('d2026');
      expect(fieldKeyId(task.outcomeEnc!)).toBe('d2026');
      const n = taskIds.indexOf(task.id);
      expect(await repository.outcome(task.id)).toEqual({
        note: `Spoke with ${CANARY} ${n}`,
        coverageActive: true,
      });
      expect(() => decryptFieldText(task.outcomeEnc!, taskOutcomeContext(task), oldRing)).toThrow(
        /unknown key/,
      );
      // The old keyring alone cannot read it any more, and the repository says so instead of answering "none".
      await expect(createTaskRepository(db.db, oldRing).outcome(task.id)).rejects.toThrow(
        /cannot decrypt tasks\.outcome_enc: unknown key/,
      );
    }

    const again = await rotateDataKeys(db.db, newRing, { batchSize: 3 });
    expect(again.patients).toEqual({ rotated: 0, skipped: 0, failedRowIds: [] });
    expect(again.break_glass_grants).toEqual({ rotated: 0, skipped: 0, failedRowIds: [] });
    expect(again.tasks).toEqual({ rotated: 0, skipped: 0, failedRowIds: [] });
  });

  it('reports rows it cannot decrypt by id and rotates the rest', async () => {
    const good = await insertPatient(newRing, 100);
    const bad = await insertPatient(newRing, 101);
    // Flip one byte of the bad row's ciphertext.
    const [row] = await db.db.select().from(patients).where(eq(patients.id, bad));
    const tampered = Buffer.from(row!.demographicsEnc);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0x01;
    await db.db.update(patients).set({ demographicsEnc: tampered }).where(eq(patients.id, bad));
    // A grant opened before migration 0009 dropped the clear-text reason: no reason, no key id.
    const legacy = randomUUID();
    await db.db.insert(breakGlassGrants).values({
      id: legacy,
      practiceId: DEMO_PRACTICE_ID,
      principalId: 'apikey:legacy',
      principalRole: 'admin',
      grantedAt: new Date(),
      expiresAt: new Date(),
    });

    const report = await rotateDataKeys(db.db, newestRing, { batchSize: 2 });
    expect(report.patients!.failedRowIds).toEqual([bad]);
    // The four grants of the first test move on to the newest key; the legacy row is not touched.
    expect(report.break_glass_grants).toEqual({ rotated: 4, skipped: 0, failedRowIds: [] });
    expect(report.tasks).toEqual({ rotated: 5, skipped: 0, failedRowIds: [] });
    const [old] = await db.db.select().from(breakGlassGrants).where(eq(breakGlassGrants.id, legacy));
    expect(old).toMatchObject({ keyId: null, reasonEnc: null });
    const [rotated] = await db.db.select().from(patients).where(eq(patients.id, good));
    expect(rotated!.keyId).toBe('d2027');
    const [left] = await db.db.select().from(patients).where(eq(patients.id, bad));
    expect(left!.keyId).toBe('d2026');
  });

  it('`ptflow keys rotate` rotates with the configured ring and records an audit event', async () => {
    const ring = withNewActiveKey(newestRing, 'd2028');
    const lines: string[] = [];
    const ok = await runKeysRotate(
      loadConfig({
        DATABASE_URL: db.url,
        PTFLOW_DATA_KEYS: ring.toSpec(),
        PTFLOW_ACTIVE_DATA_KEY_ID: 'd2028',
        PTFLOW_BLIND_INDEX_KEY: blindKey.toString('base64'),
      }),
      (l) => lines.push(l),
      50,
    );
    // The tampered row from the previous test still cannot be decrypted: reported, exit status "failed".
    expect(ok).toBe(false);
    expect(lines.join('\n')).not.toContain(CANARY);
    const keyIds = (await db.sql`select distinct key_id from patients`).map((r) => r.key_id as string);
    expect(keyIds.sort()).toEqual(['d2026', 'd2028']);
    const audit = await db.db.select().from(auditEvents).where(eq(auditEvents.resourceType, 'data_key'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ resourceId: 'd2028', action: 'U', outcome: 'error' });
  });

  it('re-encrypts a practice tax id (issue 17) under the active key; the claim identity still reads it', async () => {
    const practices = createPracticeRepository(db.db, oldRing);
    const id = await practices.create({
      name: 'Rotation PT',
      npi: '1345678902',
      timezone: 'UTC',
      legalName: 'Rotation PT LLC',
      taxId: '47-1234567',
      phone: '6085550142',
      serviceAddress: { line1: '1 Key St', city: 'Madison', state: 'WI', postalCode: '53703' },
    });
    const report = await rotateDataKeys(db.db, newestRing, { batchSize: 10 });
    expect(report.practices).toEqual({ rotated: 1, skipped: 0, failedRowIds: [] });
    const [row] = await db.sql`select key_id, tax_id_enc from practices where id = ${id}`;
    expect(row).toMatchObject({ key_id: newestRing.activeKeyId });
    expect(Buffer.from(row!.tax_id_enc as Buffer).toString('latin1')).not.toContain('471234567');
    expect(await createPracticeRepository(db.db, newestRing).claimIdentity(id)).toMatchObject({
      identity: { taxId: '471234567', legalName: 'ROTATION PT LLC' },
    });
  });
});

// Patient and coverage repositories on the real PostgreSQL: PHI is stored encrypted (a raw SELECT never shows
// the canary), reads decrypt, upserts are idempotent on our ids, and the blind indexes find rows.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createEligibilityCheckRepository } from '../../db/repositories/eligibility-checks.js';
import { createPatientRepository, type PatientRecord } from '../../db/repositories/patients.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const CANARY = 'ZZCANARY-8';
const keys = { keyring: generateKeyring('t1'), blindIndexKey: randomBytes(32) };
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
});
afterAll(async () => {
  await db?.drop();
});

function patient(id = randomUUID()): PatientRecord {
  return {
    patientId: id,
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
  };
}

async function rawDump(): Promise<string> {
  const rows = [
    ...(await db.sql`select * from patients`),
    ...(await db.sql`select * from coverages`),
    ...(await db.sql`select * from eligibility_checks`),
  ];
  // bytea comes back as Buffer: render it as text too, so plaintext inside it would be caught.
  return JSON.stringify(rows, (_k, v: unknown) =>
    v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer'
      ? Buffer.from((v as { data: number[] }).data).toString('latin1')
      : v,
  );
}

describe('patient repository', () => {
  it('stores demographics encrypted, reads them back, and upserts idempotently on our id', async () => {
    const repo = createPatientRepository(db.db, keys);
    const p = patient();
    await expect(repo.upsert(p)).resolves.toEqual({ created: true });
    await expect(repo.upsert(p)).resolves.toEqual({ created: false });
    await repo.upsert({ ...p, emrPatientId: 'emr-1' });
    await expect(repo.get(DEMO_PRACTICE_ID, p.patientId)).resolves.toEqual({ ...p, emrPatientId: 'emr-1' });
    const [row] =
      await db.sql`select count(*)::int as n, max(version) as v from patients where id = ${p.patientId}`;
    expect(row).toMatchObject({ n: 1, v: 3 });
    await expect(repo.findByMatch(DEMO_PRACTICE_ID, ` ${CANARY}-RIVERA `, '1961-02-03')).resolves.toEqual([
      p.patientId,
    ]);
    expect(await rawDump()).not.toContain(CANARY);
  });

  it('never reads or overwrites a patient of another practice', async () => {
    const repo = createPatientRepository(db.db, keys);
    const p = patient();
    await repo.upsert(p);
    await expect(repo.get(randomUUID(), p.patientId)).resolves.toBeUndefined();
    await expect(repo.upsert({ ...p, practiceId: randomUUID() })).rejects.toThrow();
  });
});

describe('coverage repository', () => {
  it('encrypts and hashes the member id, resets the status only when the member id changes', async () => {
    const patients = createPatientRepository(db.db, keys);
    const repo = createCoverageRepository(db.db, keys);
    const p = patient();
    await patients.upsert(p);
    const coverageId = randomUUID();
    const c = {
      coverageId,
      practiceId: DEMO_PRACTICE_ID,
      patientId: p.patientId,
      payerId: 'commercial-ama',
      priority: 1,
      memberId: `${CANARY}-M1`,
    };
    await repo.upsert(c);
    await repo.setStatus(DEMO_PRACTICE_ID, coverageId, 'active');
    await repo.upsert(c);
    await expect(repo.get(DEMO_PRACTICE_ID, coverageId)).resolves.toEqual({ ...c, status: 'active' });
    await expect(
      repo.findByMemberId(DEMO_PRACTICE_ID, 'commercial-ama', `${CANARY.toLowerCase()}-m1`),
    ).resolves.toEqual([coverageId]);

    await repo.upsert({ ...c, memberId: `${CANARY}-M2` });
    await expect(repo.get(DEMO_PRACTICE_ID, coverageId)).resolves.toMatchObject({
      memberId: `${CANARY}-M2`,
      status: 'unverified',
    });
    await expect(repo.findByMemberId(DEMO_PRACTICE_ID, 'commercial-ama', `${CANARY}-M1`)).resolves.toEqual(
      [],
    );

    const checks = createEligibilityCheckRepository(db.db, keys);
    const checkId = randomUUID();
    const record = {
      checkId,
      coverageId,
      checkedAt: new Date('2026-05-04T15:00:00Z'),
      summary: { outcome: 'active' as const, rejectionReasons: [], copayCents: 3000 },
      raw271: JSON.stringify({ subscriber: { memberId: `${CANARY}-M2` } }),
    };
    await checks.record(record);
    await checks.record(record);
    await expect(checks.get(checkId)).resolves.toEqual(record);
    const [n] = await db.sql`select count(*)::int as n from eligibility_checks where id = ${checkId}`;
    expect(n).toMatchObject({ n: 1 });
    expect(await rawDump()).not.toContain(CANARY);
  });
});

describe('practice repository', () => {
  it('finds a practice by id and tells which ids are on file', async () => {
    const practices = createPracticeRepository(db.db);
    await expect(practices.get(DEMO_PRACTICE_ID)).resolves.toMatchObject({
      id: DEMO_PRACTICE_ID,
      timezone: 'America/Chicago',
    });
    const unknown = randomUUID();
    await expect(practices.get(unknown)).resolves.toBeUndefined();
    await expect(practices.existing([unknown, DEMO_PRACTICE_ID])).resolves.toEqual([DEMO_PRACTICE_ID]);
    await expect(practices.existing([])).resolves.toEqual([]);
  });
});

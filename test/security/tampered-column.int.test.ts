// One flipped byte of an encrypted column (issue #7 acceptance, SEC-INT-1): the AES-GCM tag fails, the read
// throws a FieldDecryptionError that names table, column and reason — never a value — and no data comes back.
// Covered at the three places that read encrypted columns: the patient and coverage repositories (worker side)
// and the API's Idempotency-Key replay (the stored answer is an encrypted column), which answers a generic 500
// problem+json instead of the stored body.
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { createApiKey } from '../../api/auth/api-keys.js';
import { setLogDestination } from '../../api/logger.js';
import { FieldDecryptionError } from '../../db/crypto/field-encryption.js';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { claimIdFor } from '../../activities/shared/derived-ids.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, uniqueTaskQueue } from '../helpers/temporal.js';
import { lineSink, newCanary } from './canary.js';

const CANARY = newCanary();
const keys = { keyring: generateKeyring('d1'), blindIndexKey: randomBytes(32) };
const logs = lineSink();
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
});
afterAll(async () => {
  await db?.drop();
});

/** As a superuser with direct database access would: flip one bit of one byte in place. */
async function flipByte(table: 'patients' | 'coverages' | 'idempotency_records', column: string, id: string) {
  const [row] = await db.sql.unsafe(`select ${column} as v from ${table} where id = $1`, [id]);
  const bytes = Buffer.from(row!.v as Uint8Array);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  await db.sql.unsafe(`update ${table} set ${column} = $1 where id = $2`, [bytes, id]);
}

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the read to fail');
}

describe('a flipped byte in an encrypted column', () => {
  it('patient demographics: a clear error naming the column, and no data', async () => {
    const repo = createPatientRepository(db.db, keys);
    const patientId = randomUUID();
    await repo.upsert({
      patientId,
      practiceId: DEMO_PRACTICE_ID,
      demographics: {
        given: [`Ana ${CANARY}`],
        family: `Rivera ${CANARY}`,
        birthDate: '1961-02-03',
        sex: 'female',
        preferredLanguage: 'en',
      },
      preferredChannel: 'sms',
      language: 'en',
      timezone: 'America/Chicago',
    });
    expect((await repo.get(DEMO_PRACTICE_ID, patientId))?.demographics.family).toBe(`Rivera ${CANARY}`);

    await flipByte('patients', 'demographics_enc', patientId);
    const err = await failureOf(repo.get(DEMO_PRACTICE_ID, patientId));
    expect(err).toBeInstanceOf(FieldDecryptionError);
    expect(err.message).toBe('cannot decrypt patients.demographics_enc: authentication failed');
    expect(JSON.stringify(err)).not.toContain(CANARY);
  });

  it('coverage member id: a clear error naming the column, and no data', async () => {
    const patients = createPatientRepository(db.db, keys);
    const coverages = createCoverageRepository(db.db, keys);
    const patientId = randomUUID();
    const coverageId = randomUUID();
    await patients.upsert({
      patientId,
      practiceId: DEMO_PRACTICE_ID,
      demographics: {
        given: ['Ana'],
        family: 'Rivera',
        birthDate: '1961-02-03',
        sex: 'female',
        preferredLanguage: 'en',
      },
      preferredChannel: 'sms',
      language: 'en',
      timezone: 'America/Chicago',
    });
    await coverages.upsert({
      coverageId,
      practiceId: DEMO_PRACTICE_ID,
      patientId,
      payerId: 'commercial-ama',
      priority: 1,
      memberId: `SBX-${CANARY}`,
    });
    expect((await coverages.get(DEMO_PRACTICE_ID, coverageId))?.memberId).toBe(`SBX-${CANARY}`);

    await flipByte('coverages', 'member_id_enc', coverageId);
    const err = await failureOf(coverages.get(DEMO_PRACTICE_ID, coverageId));
    expect(err).toBeInstanceOf(FieldDecryptionError);
    expect(err.message).toMatch(/^cannot decrypt coverages\.member_id_enc: authentication failed$/);
  });

  describe('the API replaying a stored Idempotency-Key answer', () => {
    let app: FastifyInstance;
    let temporal: Awaited<ReturnType<typeof devServerClient>>;
    let auth: { authorization: string };

    beforeAll(async () => {
      setLogDestination(logs.stream);
      temporal = await devServerClient();
      app = await buildApp({
        logLevel: 'info',
        db: db.db,
        temporal: temporal.client,
        // No worker polls this queue: the start is recorded, nothing runs (terminated below).
        taskQueue: uniqueTaskQueue('tamper'),
        cursorKey: Buffer.alloc(32, 2),
        readiness: {},
        idempotency: { keyring: keys.keyring },
      });
      const { key } = await createApiKey(db.db, { practiceId: DEMO_PRACTICE_ID, role: 'biller', label: 't' });
      auth = { authorization: `Bearer ${key}` };
    });
    afterAll(async () => {
      await app?.close();
      await temporal?.close();
      setLogDestination(undefined);
    });

    it('answers a generic 500 problem+json without the stored body, and logs only the error class', async () => {
      const visitId = randomUUID();
      const request = {
        method: 'POST' as const,
        url: '/v1/claims',
        headers: { ...auth, 'idempotency-key': randomUUID() },
        payload: {
          patientId: randomUUID(),
          visit: {
            id: visitId,
            payerId: 'commercial-ama',
            dos: '2026-11-02',
            renderingNpi: '1987654328',
            interventions: [{ code: '97110', minutes: 30, furnishedBy: 'PT' }],
            diagnoses: ['M54.50'],
          },
          parties: {
            billingProvider: {
              name: 'RIVERSIDE PHYSICAL THERAPY',
              npi: '1234567893',
              taxId: '123456789',
              address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
            },
            subscriber: { memberId: `SBX-PR3-${CANARY}`, lastName: `DOE ${CANARY}` },
          },
        },
      };
      const first = await app.inject(request);
      expect(first.statusCode).toBe(202);
      // The claim id derives from practice and visit id (issue #20).
      const claimId = claimIdFor(DEMO_PRACTICE_ID, visitId);
      expect(first.json()).toMatchObject({ id: claimId });
      const replay = await app.inject(request);
      expect(replay.statusCode).toBe(202);
      expect(replay.body).toBe(first.body);

      const [record] = await db.sql`select id from idempotency_records where route = '/v1/claims'`;
      await flipByte('idempotency_records', 'response_enc', record!.id as string);
      logs.lines.length = 0;
      const tampered = await app.inject(request);
      expect(tampered.statusCode).toBe(500);
      expect(tampered.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(tampered.json()).toMatchObject({ status: 500, detail: 'An internal error occurred.' });
      expect(tampered.body).not.toContain(visitId);
      expect(tampered.body).not.toContain(claimId);
      expect(tampered.body).not.toContain(CANARY);
      const logged = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged.find((l) => l.msg === 'unhandled error')).toMatchObject({
        errName: 'FieldDecryptionError',
      });
      expect(logs.lines.join('\n')).not.toContain(CANARY);

      await temporal.client.workflow.getHandle(`claim:${claimId}`).terminate('test cleanup');
    });
  });
});

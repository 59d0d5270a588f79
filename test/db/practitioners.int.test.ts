// The practitioner directory (issue 13): the rendering provider's name comes from it, synced from the EMR's
// Practitioners on a miss, editable by admins (whose rows later syncs leave alone); an NPI neither knows holds
// the claim with RENDERING_PROVIDER_UNKNOWN, never a placeholder name.
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClaimActivities,
  type ClaimAttempt,
  type PreparedClaim,
} from '../../activities/claim/index.js';
import { SandboxEmr } from '../../connectors/emr/sandbox/sandbox-emr.js';
import { seedSandboxEmr } from '../../connectors/emr/sandbox/seed.js';
import type { PayerConnector } from '../../connectors/payer/types.js';
import { createPractitionerRepository } from '../../db/repositories/practitioners.js';
import { practitioners } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { syntheticClaimCase } from '../fixtures/claim-case.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let emr: SandboxEmr;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  await seedSandboxEmr(db.sql, new Date());
  emr = new SandboxEmr(db.sql, { practiceId: DEMO_PRACTICE_ID });
});
afterAll(async () => {
  await db?.drop();
});

const noPayer = {} as PayerConnector; // prepareClaim never calls the payer
const prepare = (renderingNpi: string) => {
  const acts = createClaimActivities({ db: db.db, payer: noPayer, emr });
  const c = syntheticClaimCase({ memberId: 'SBX-CO45-1', dos: '2026-11-02', payerId: 'commercial-ama' });
  c.visit.renderingNpi = renderingNpi;
  const attempt: ClaimAttempt = { number: 1, frequency: '1' };
  return new MockActivityEnvironment().run(
    acts.prepareClaim,
    c,
    attempt,
    '2026-11-03',
  ) as Promise<PreparedClaim>;
};

describe('practitioner directory', () => {
  it("an admin's row is kept over a later EMR sync; EMR rows are updated", async () => {
    const repo = createPractitionerRepository(db.db);
    await repo.upsert(DEMO_PRACTICE_ID, { npi: '1427050103', lastName: 'ADMINNAME' });
    const written = await repo.syncFromEmr(DEMO_PRACTICE_ID, [
      { emrPractitionerId: 'p1', npi: '1427050103', lastName: 'EMRNAME', active: true },
      {
        emrPractitionerId: 'p2',
        npi: '1987654328',
        lastName: 'WHITFIELD-NEW',
        firstName: 'DANA',
        active: true,
      },
    ]);
    expect(written).toBe(1);
    expect((await repo.findActive(DEMO_PRACTICE_ID, '1427050103'))?.lastName).toBe('ADMINNAME');
    expect((await repo.findActive(DEMO_PRACTICE_ID, '1987654328'))?.lastName).toBe('WHITFIELD-NEW');
  });

  it('a rendering NPI the directory lacks is synced from the EMR and named on the claim', async () => {
    await db.db.delete(practitioners).where(eq(practitioners.npi, '1456789019'));
    const prepared = await prepare('1456789019');
    expect(prepared.claim.renderingProvider).toMatchObject({
      npi: '1456789019',
      lastName: 'ORTEGA',
      firstName: 'LUIS',
    });
    expect(prepared.findings.map((f) => f.code)).not.toContain('RENDERING_PROVIDER_UNKNOWN');
    expect(
      await createPractitionerRepository(db.db).findActive(DEMO_PRACTICE_ID, '1456789019'),
    ).toMatchObject({
      source: 'emr',
    });
  });

  it('an NPI neither the directory nor the EMR knows holds the claim, naming the field', async () => {
    const prepared = await prepare('1245319599');
    expect(prepared.submittable).toBe(false);
    expect(prepared.findings).toContainEqual(
      expect.objectContaining({ code: 'RENDERING_PROVIDER_UNKNOWN', field: 'renderingProvider.npi' }),
    );
  });
});

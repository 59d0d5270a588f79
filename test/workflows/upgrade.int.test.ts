// Safe upgrades (issue #14): the rolling-upgrade drill of ./upgrade-drill.ts on the dev server, in the normal
// suite. Processes started on release v1 (the current code) are mid-flight — on a signal, a timer, an activity —
// when v1 stops; release v2, with a change behind patched(), finishes them along the old path and runs new ones
// along the new path, with no workflow task failure. The same change without the guard fails a v1 execution with
// a nondeterminism error, live and on replay: the drill catches a missing patch.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { seedDemoPractice } from '../../db/seed.js';
import { UPGRADE_DRILL_PATCH } from '../fixtures/upgrade/activities.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { workflowBundle } from '../helpers/temporal.js';
import { expectCleanUpgrade, expectUnguardedCaught } from './upgrade-expectations.js';
import { bundleV2Releases, runUnguardedUpgrade, runUpgradeDrill, type Releases } from './upgrade-drill.js';

let db: TestDatabase;
let releases: Releases;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  releases = { v1: workflowBundle(), ...(await bundleV2Releases()) };
});
afterAll(async () => db?.drop());

const target = () => ({ address: inject('temporalAddress'), namespace: 'default', db: db.db });

describe('rolling upgrade of the workers on the dev server', () => {
  it(
    'processes mid-flight on v1 finish on v2: old ones along the old path, new ones along the new',
    { timeout: 180_000 },
    async () => {
      expectCleanUpgrade(await runUpgradeDrill(target(), releases), UPGRADE_DRILL_PATCH);
    },
  );

  it(
    'the same change without patched() fails a v1 execution as nondeterministic',
    { timeout: 120_000 },
    async () => {
      expectUnguardedCaught(await runUnguardedUpgrade(target(), releases));
    },
  );
});

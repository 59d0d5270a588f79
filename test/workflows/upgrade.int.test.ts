// Safe upgrades (issue #14): the rolling-upgrade drill of ./upgrade-drill.ts on the dev server, in the normal
// suite. Processes started on release v1 (the current code) are mid-flight — on a signal, a timer, an activity —
// when v1 stops; release v2, with a change behind patched(), finishes them along the old path and runs new ones
// along the new path, with no workflow task failure. The same change without the guard fails a v1 execution with
// a nondeterminism error, live and on replay: the drill catches a missing patch. Then the patch's life cycle:
// v2 replays every committed history (the release gate), v3 deprecates the patch, v4 removes it — each step
// replays exactly the histories it must, and fails on the ones that must be closed before it ships.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateKeyring } from '../../db/crypto/keyring.js';
import { seedDemoPractice } from '../../db/seed.js';
import { UPGRADE_DRILL_PATCH } from '../fixtures/upgrade/activities.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { workflowBundle } from '../helpers/temporal.js';
import { expectCleanUpgrade, expectUnguardedCaught } from './upgrade-expectations.js';
import {
  bundleDrillReleases,
  replayError,
  runMixedFleet,
  runOnRelease,
  runUnguardedUpgrade,
  runUpgradeDrill,
  type DrillReport,
  type Releases,
} from './upgrade-drill.js';

let db: TestDatabase;
let releases: Releases;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  releases = { v1: workflowBundle(), ...(await bundleDrillReleases()) };
});
afterAll(async () => db?.drop());

const target = () => ({ address: inject('temporalAddress'), namespace: 'default', db: db.db });

describe('rolling upgrade of the workers on the dev server', () => {
  let drill: DrillReport | undefined;

  it(
    'processes mid-flight on v1 finish on v2: old ones along the old path, new ones along the new',
    { timeout: 180_000 },
    async () => {
      drill = await runUpgradeDrill(target(), releases);
      expectCleanUpgrade(drill, UPGRADE_DRILL_PATCH);
    },
  );

  it(
    'the same change without patched() fails a v1 execution as nondeterministic',
    { timeout: 120_000 },
    async () => {
      expectUnguardedCaught(await runUnguardedUpgrade(target(), releases));
    },
  );

  it(
    'an execution v2 advanced fails on a v1 worker (so old workers stop before new ones poll), and v2 then finishes it',
    { timeout: 120_000 },
    async () => {
      const mixed = await runMixedFleet(target(), releases);
      expect(mixed.onV1.patches).toContain(UPGRADE_DRILL_PATCH);
      expect(mixed.onV1.nondeterminismFailures).toBeGreaterThan(0);
      expect(mixed.result.state).toBe('completed');
      expect(mixed.final.completed).toBe(true);
    },
  );

  it('release gate: v2 replays every committed history of test/histories', async () => {
    const dir = fileURLToPath(new URL('../histories', import.meta.url));
    const files = fs
      .readdirSync(dir)
      .flatMap((type) => fs.readdirSync(path.join(dir, type)).map((f) => path.join(type, f)));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const keyring = generateKeyring('unused');
    for (const file of files) {
      const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Parameters<
        typeof replayError
      >[2];
      expect(await replayError(releases.v2, keyring, history), file).toBeUndefined();
    }
  });

  it(
    'patched() → deprecatePatch() → removal: each step replays what it must and refuses what must close first',
    { timeout: 120_000 },
    async () => {
      expect(drill, 'the drill ran').toBeDefined();
      const { histories, keyring } = drill!;
      const v3Run = await runOnRelease(target(), { release: 'v3', bundle: releases.v3Deprecated, keyring });
      expect(v3Run.acknowledged, 'v3 takes the new path unconditionally').toBe(true);
      const v4 = releases.v2Unguarded; // removing deprecatePatch() leaves exactly the unguarded code
      const replay = (bundle: { code: string }, history: (typeof histories)['new']) =>
        replayError(bundle, keyring, history);
      // v3 (deprecated) replays executions that started on v2, but not ones that started on v1: deprecate only
      // once every execution started before v2 has closed.
      expect(await replay(releases.v3Deprecated, histories.new)).toBeUndefined();
      expect(await replay(releases.v3Deprecated, histories.signal)).toBe('DeterminismViolationError');
      // Rolling back from v3 to v2 is safe: v2's patched() accepts v3's deprecated marker.
      expect(await replay(releases.v2, v3Run.history)).toBeUndefined();
      // v4 (removed) replays executions that started on v3, but not ones holding v2's marker: remove only once
      // every execution started on v2 has closed.
      expect(await replay(v4, v3Run.history)).toBeUndefined();
      expect(await replay(v4, histories.new)).toBe('DeterminismViolationError');
    },
  );
});

// The app database taken away under load (issue 20 item 5), part of `npm run test:chaos` in both profiles:
// while onboardings and claims run through the API, (a) the app's PostgreSQL is stopped for 60 s and started
// again, then (b) the disk under the app's tables fills up (a tmpfs tablespace filled to the last byte, so
// PostgreSQL refuses writes with 53100) and is freed again. Meanwhile the API must answer 503 problem+json with
// Retry-After (never a 500) and /readyz must say the database is unavailable; afterwards the same API and
// worker processes recover by themselves, every process completes, nothing is duplicated, the audit chain
// verifies (checks.ts). The server is this file's own (test/helpers/stoppable-postgres.ts), not the run's.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from './checks.js';
import { DATABASE_FAULT_PROFILES, untilOk, watch, type ProbeAnswer } from './database-faults.js';
import { ChaosHarness } from './harness.js';
import { api, claimJourney, onboardingJourney, retrying, type JourneyResult } from './journeys.js';
import { chaosProfile } from './profile.js';
import {
  canMountTmpfs,
  SMALL_TABLESPACE,
  startStoppablePostgres,
  type StoppablePostgres,
} from '../helpers/stoppable-postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const profile = chaosProfile();
const sizes = DATABASE_FAULT_PROFILES[profile.name];
const mountable = canMountTmpfs();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let pg: StoppablePostgres;
let payerDb: TestDatabase;
let h: ChaosHarness;

beforeAll(async () => {
  pg = await startStoppablePostgres({
    database: 'ptflow_chaos_db',
    ...(mountable ? { smallDiskMb: 64 } : {}),
  });
  // The sandbox payer is an outside system with its own database (on the run's shared server): it does not go
  // down with ours. Connector faults stay off here: every failure in this run comes from the app database.
  payerDb = await createTestDatabase();
  h = new ChaosHarness({
    faultRate: 0,
    seed: profile.seed,
    payerLatencyMs: [50, 300],
    database: pg.database,
    payerDatabase: payerDb,
  });
  await h.start();
});
afterAll(async () => {
  await h?.close();
  await pg?.close();
  await payerDb?.drop();
});

/** Every answer while the database is away: 503 problem+json with Retry-After, never a 500 or a success. */
function refusals(answers: ProbeAnswer[]): ProbeAnswer[] {
  return answers.filter(
    (a) => a.status !== 503 || !a.retryAfter || !a.contentType?.startsWith('application/problem+json'),
  );
}

describe(`app database faults (${profile.name} profile, seed ${profile.seed})`, () => {
  it('a 60 s PostgreSQL outage and a full disk: 503 + Retry-After meanwhile, then everything completes once', async () => {
    const started = Date.now();
    const journeys: Promise<JourneyResult>[] = [];
    const track = (p: Promise<JourneyResult>) => {
      p.catch(() => undefined);
      journeys.push(p);
    };
    let n = 0;
    // Staggered by 300 ms; `n` numbers them across both waves (phone numbers and member ids stay distinct).
    const launch = () => {
      const later = (start: (i: number) => Promise<JourneyResult>) => {
        const i = n++;
        track(sleep((i % 20) * 300).then(() => start(i + 1)));
      };
      for (let i = 0; i < sizes.onboardings.commercial; i++)
        later((k) => onboardingJourney(h, 'commercial', k));
      for (let i = 0; i < sizes.onboardings.withAuthorization; i++)
        later((k) => onboardingJourney(h, 'withAuthorization', k));
      for (let i = 0; i < sizes.claims.paid; i++) later(() => claimJourney(h, 'paid'));
      for (let i = 0; i < sizes.claims.replaced; i++) later(() => claimJourney(h, 'replaced'));
    };

    // The probe's target: an episode whose status is a PHI read, audited (a write) on every GET.
    const episode = await api(h, 'POST', '/v1/plans-of-care', h.keys.therapist, {
      patientId: randomUUID(),
      referringPractitionerId: randomUUID(),
      firstTreatmentDate: new Date().toISOString().slice(0, 10),
    });
    expect(episode.status).toBe(202);
    const episodeId = (episode.json as { id: string }).id;
    const audited = { path: `/v1/plans-of-care/${episodeId}`, key: h.keys.therapist };
    const plain = { path: '/v1/tasks', key: h.keys.desk };
    const readyz = { path: '/readyz' };
    await untilOk(h, audited.path, audited.key);

    // (a) PostgreSQL stopped for 60 s while the first journeys are under way.
    // Three seconds in, the first processes are between their first activities: those meet the outage.
    launch();
    await sleep(3_000);
    await pg.stop();
    h.log('app PostgreSQL stopped', { seconds: sizes.outageMs / 1000 });
    const outage = await watch(h, sizes.outageMs, [audited, plain, readyz]);
    await pg.start();
    h.log('app PostgreSQL started again');
    const outageRecovery = {
      audited: await untilOk(h, audited.path, audited.key),
      readyz: await untilOk(h, readyz.path),
    };

    // (b) The app tables' disk full while a second wave runs.
    let diskFull: { answers: ProbeAnswer[]; retrying: Record<string, number> } | undefined;
    let diskRecovery: Record<string, unknown> | undefined;
    let refusedWrite: unknown;
    if (mountable) {
      launch();
      await sleep(3_000);
      await pg.database.sql.unsafe(
        `create table if not exists chaos_disk_probe (b text) tablespace ${SMALL_TABLESPACE}`,
      );
      const ballast = pg.fillDisk();
      h.log('app tables disk full', { ballastMb: Math.round(ballast / 2 ** 20), free: pg.diskFree() });
      refusedWrite = await pg.database.sql`insert into chaos_disk_probe values (${'x'.repeat(200)})`.then(
        () => 'accepted',
        (err: { code?: string }) => err.code,
      );
      diskFull = await watch(h, sizes.diskFullMs, [audited, readyz], 1_000);
      pg.freeDisk();
      h.log('app tables disk freed', { free: pg.diskFree() });
      diskRecovery = {
        audited: await untilOk(h, audited.path, audited.key),
        readyz: await untilOk(h, readyz.path),
      };
    }

    // The probe's episode ends too.
    const discharged = await api(h, 'POST', `/v1/plans-of-care/${episodeId}/discharge`, h.keys.therapist, {
      reason: 'goals_met',
    });
    expect(discharged.status).toBe(202);
    await retrying(() => h.temporal.client.workflow.getHandle(`poc:${episodeId}`).result());

    const settled = await Promise.allSettled(journeys);
    const failures = settled.flatMap((s, i) =>
      s.status === 'rejected' ? [`journey ${i}: ${(s.reason as Error).message}`] : [],
    );
    const results = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    results.push({
      kind: 'planOfCare',
      workflowIds: [`poc:${episodeId}`],
      patientId: '',
      timings: {},
    });
    const violations = await checkInvariants(h, results);
    const count = (answers: ProbeAnswer[]) => {
      const out: Record<string, number> = {};
      for (const a of answers) {
        const k = `${a.path} ${a.status}${a.reason ? ` ${a.reason}` : ''}${a.database ? ` database=${a.database}` : ''}${a.retryAfter ? ` retry-after=${a.retryAfter}` : ''}`;
        out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    };
    const summary = {
      profile: profile.name,
      seconds: Math.round((Date.now() - started) / 1000),
      journeys: journeys.length,
      completed: results.length - 1,
      outage: {
        answers: count(outage.answers),
        retryingActivities: outage.retrying,
        recovery: outageRecovery,
      },
      diskFull: mountable
        ? {
            refusedWrite,
            answers: count(diskFull!.answers),
            retryingActivities: diskFull!.retrying,
            recovery: diskRecovery,
          }
        : 'not run: mounting a tmpfs needs root (CAP_SYS_ADMIN)',
      events: h.events,
    };
    process.stderr.write(`database chaos summary: ${JSON.stringify(summary, null, 2)}\n`);

    expect(failures).toEqual([]);
    expect(violations).toEqual([]);
    // While PostgreSQL was down every answer was a 503 with Retry-After, /readyz included, naming the database.
    expect(outage.answers.length).toBeGreaterThan(10);
    expect(refusals(outage.answers)).toEqual([]);
    expect(outage.answers.filter((a) => a.path !== '/readyz').every((a) => a.reason === 'unreachable')).toBe(
      true,
    );
    expect(
      outage.answers.filter((a) => a.path === '/readyz').every((a) => a.database === 'unavailable'),
    ).toBe(true);
    // The worker met the outage too: activities failed and were retried (none was made non-retryable).
    expect(Object.keys(outage.retrying).some((k) => k.includes('DatabaseUnavailable (retryable)'))).toBe(
      true,
    );
    expect(Object.keys(outage.retrying).some((k) => k.includes('non-retryable'))).toBe(false);

    if (!mountable) {
      // Said out loud in the summary above; the outage half still ran and was checked.
      process.stderr.write('database chaos: the full-disk half did not run (no tmpfs mount without root)\n');
      return;
    }
    // A write that needs room is refused with disk_full; audited reads answer 503 (storage full) + Retry-After
    // once the app's pages are full, never a 500; /readyz goes unready on the refused write.
    expect(refusedWrite).toBe('53100');
    const bad = diskFull!.answers.filter((a) => a.status !== 200 && refusals([a]).length > 0);
    expect(bad).toEqual([]);
    expect(diskFull!.answers.some((a) => a.reason === 'storage_full' && a.retryAfter)).toBe(true);
    expect(diskFull!.answers.some((a) => a.path === '/readyz' && a.database === 'unavailable')).toBe(true);
  });
});

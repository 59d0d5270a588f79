// Cluster chaos (issue #14 item 3), under `npm run test:cluster`: ptflow scaled out on the multi-service Temporal
// cluster (two ptflow workers, two API instances behind a balancer; stack.ts), processes of every outside-facing
// kind in flight (onboardings with and without a prior authorization, claims), and then
//  - the HISTORY service SIGKILLed and started again while activities run (the shards move back to it), and
//  - one of the two ptflow workers SIGKILLed while it runs an activity (the other keeps going; a replacement
//    starts): once during an onboarding's activity, once during a claim's.
// Afterwards nothing may be lost or doubled (test/chaos/checks.ts: every process COMPLETED, one EMR patient per
// onboarding, one adjudication per claim submission, one send per message, the audit chain verifies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../chaos/checks.js';
import { claimJourney, onboardingJourney, type JourneyResult } from '../chaos/journeys.js';
import { CLUSTER_SERVICES } from './cluster.js';
import { clusterFromSetup } from './control.js';
import { clusterProfile } from './profile.js';
import { ClusterStack } from './stack.js';

const profile = clusterProfile();
const cluster = clusterFromSetup();
const stack = new ClusterStack({ cluster, workers: 2, apis: 2 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  await stack.start();
}, 15 * 60_000);
afterAll(async () => {
  await stack.close();
});

describe(`ptflow on the multi-service cluster (${profile.name} profile)`, () => {
  it('the cluster is four server processes of the official release; two ptflow workers poll; both API instances answer', async () => {
    const services = await cluster.services();
    const pids = CLUSTER_SERVICES.map((s) => services[s].pid);
    expect(CLUSTER_SERVICES.every((s) => services[s].running)).toBe(true);
    expect(new Set(pids).size).toBe(4);
    expect(new Set(CLUSTER_SERVICES.map((s) => services[s].grpcPort)).size).toBe(4);
    const info = await stack.temporal.client.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBe('1.29.7');
    await stack.waitForWorkersPolling();
    expect(stack.workers).toHaveLength(2);
    expect(stack.apis).toHaveLength(2);
    for (const api of stack.apis) {
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status, `${api.url}/readyz`).toBe(200);
    }
  });

  it('history SIGKILLed and restarted, a ptflow worker SIGKILLed mid-activity: nothing lost, nothing duplicated', async () => {
    const started = Date.now();
    const journeys: Promise<JourneyResult>[] = [];
    const track = (p: Promise<JourneyResult>) => {
      p.catch(() => undefined);
      journeys.push(p);
    };
    let n = 0;
    for (let i = 0; i < profile.onboardings; i++) {
      const variant = i % 2 === 0 ? 'withAuthorization' : 'commercial';
      const k = n++;
      track(sleep(k * 300).then(() => onboardingJourney(stack, variant, k)));
    }
    for (let i = 0; i < profile.claims; i++) {
      const k = n++;
      track(sleep(k * 300).then(() => claimJourney(stack, i === 1 ? 'replaced' : 'paid')));
    }

    const targets = [
      {
        kinds: ['patientOnboarding', 'priorAuthorization'],
        start: () => onboardingJourney(stack, 'withAuthorization', n++),
      },
      { kinds: ['claimSubmission'], start: () => claimJourney(stack, 'paid') },
    ];
    const killedMidActivity: { pid: number; activity: string }[][] = [];
    const historyInFlight: number[] = [];
    const rounds = Math.max(profile.historyKills, profile.workerKills);
    for (let round = 0; round < rounds; round++) {
      if (round < profile.historyKills) {
        // A fresh claim keeps payer calls (latency 300–900 ms) coming; the kill lands while work is in flight.
        track(claimJourney(stack, 'paid'));
        const deadline = Date.now() + 120_000;
        let inFlight = await stack.activitiesInFlight();
        while (inFlight.length === 0 && Date.now() < deadline) {
          await sleep(100);
          inFlight = await stack.activitiesInFlight();
        }
        historyInFlight.push(inFlight.length);
        stack.log('killing the history service', { activitiesInFlight: inFlight.length });
        await cluster.restartService('history', { signal: 'SIGKILL', downMs: 3_000 });
        stack.log('history service serving again');
      }
      if (round < profile.workerKills) {
        // Alternately aimed at an onboarding's activities (EMR registration, eligibility, the 278) and a claim's
        // (the 837P to the payer): a fresh process of that kind is started, and the worker running one of its
        // activities dies.
        const target = targets[round % targets.length]!;
        track(target.start());
        killedMidActivity.push(await stack.killWorkerMidActivity(target.kinds, 180_000));
      }
      await stack.waitForWorkersPolling();
    }

    const settled = await Promise.allSettled(journeys);
    const failures = settled.flatMap((s, i) =>
      s.status === 'rejected' ? [`journey ${i}: ${(s.reason as Error).message}`] : [],
    );
    const results = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const violations = await checkInvariants(stack, results, { scope: `TaskQueue = "${stack.taskQueue}"` });
    process.stderr.write(
      `cluster chaos summary: ${JSON.stringify(
        {
          profile: profile.name,
          seconds: Math.round((Date.now() - started) / 1000),
          journeys: journeys.length,
          completed: results.length,
          historyKillsWithActivitiesInFlight: historyInFlight,
          killedMidActivity,
          apiRequestsPerInstance: stack.servedBy,
          events: stack.events,
        },
        null,
        2,
      )}\n`,
    );
    expect(failures).toEqual([]);
    expect(violations).toEqual([]);
    expect(results).toHaveLength(journeys.length);
    // The faults really hit work in flight: activities ran when history died, and the killed worker had one of
    // the outside-facing processes' activities running.
    expect(historyInFlight.every((count) => count > 0)).toBe(true);
    expect(killedMidActivity).toHaveLength(profile.workerKills);
    killedMidActivity.forEach((lost, i) => {
      const kinds = targets[i % targets.length]!.kinds;
      expect(lost.some((a) => kinds.some((k) => a.activity.startsWith(`${k}.`)))).toBe(true);
    });
    // Both API instances served the journeys.
    expect(stack.servedBy.every((count) => count > 0)).toBe(true);
  });
});

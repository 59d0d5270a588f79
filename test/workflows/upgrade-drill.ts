// The rolling-upgrade drill (issue #14, "Safe upgrades"; the procedure is in temporal-docker/README.md,
// "Rolling out a workflow change"). Workers of release v1 (the current workflow code) run real humanTask
// processes — the worklist task every process raises — with the real activities over PostgreSQL and the
// production data converter (encrypted payloads). The v1 worker is stopped (SIGTERM-style drain) while one process
// waits on a signal, one on a timer and one on an activity that is running on v1; then a worker of release v2
// takes over the same task queue. v2 carries a change behind patched() (test/fixtures/upgrade/v2-workflows.ts).
// Every process must complete on v2 — the v1 ones along the old path, a new one along the new path — with no
// workflow task failure. A second drill shows that the same change WITHOUT the guard fails the v1 executions
// with a nondeterminism error, so the first drill would catch a missing patch.
//
// Target-agnostic: the dev-server suite (upgrade.int.test.ts) and the cluster suite run it against their own
// Temporal address and namespace.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities/index.js';
import { generateKeyring, type Keyring } from '../../db/crypto/keyring.js';
import type { Database } from '../../db/connection.js';
import { tasks } from '../../db/schema.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import type { HumanTaskInput } from '../../domain/tasks.js';
import { EncryptionCodec } from '../../temporal/codec/encryption-codec.js';
import { dataConverterFor, failureConverterPath } from '../../temporal/codec/data-converter.js';
import type { TemporalConnectionOptions } from '../../temporal/connection-config.js';
import { createWorker } from '../../temporal/worker.js';
import { completeTaskSignal, type HumanTaskResult } from '../../workflows/tasks/messages.js';
import { createUpgradeDrillActivities } from '../fixtures/upgrade/activities.js';
import { installRuntime } from '../helpers/temporal.js';

const EventType = temporal.api.enums.v1.EventType;
const NDE_CAUSE =
  temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR;

/** Where the drill runs: a Temporal frontend (dev server or cluster) and a migrated, seeded ptflow database. */
export interface DrillTarget {
  address: string;
  namespace: string;
  connection?: TemporalConnectionOptions;
  db: Database;
}

export interface Releases {
  /** The current workflow code (the run's bundle of workflows/index). */
  v1: { code: string };
  /** v1 plus the drill's change behind patched(). */
  v2: { code: string };
  /**
   * The same change without the guard. It is also the patch's last step (v4: the deprecatePatch() call
   * removed), which is why that step may ship only when no execution holding v2's marker is open.
   */
  v2Unguarded: { code: string };
  /** The patch's second step: the branch unconditional, `deprecatePatch()` in place of `patched()`. */
  v3Deprecated: { code: string };
}

/** Bundles the drill's releases after v1 (v1 is the suite's bundle of the current code). */
export async function bundleDrillReleases(): Promise<Omit<Releases, 'v1'>> {
  const bundle = (file: string) =>
    bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL(`../fixtures/upgrade/${file}`, import.meta.url)),
      // The failure converter is part of the sandbox code, exactly as in the production bundle.
      failureConverterPath: failureConverterPath(),
      logger: new DefaultLogger('WARN'),
    });
  // One at a time: webpack is CPU-bound and the machine's cores are shared.
  const v2 = await bundle('v2-workflows.ts');
  const v2Unguarded = await bundle('v2-unguarded-workflows.ts');
  const v3Deprecated = await bundle('v3-deprecated-workflows.ts');
  return { v2, v2Unguarded, v3Deprecated };
}

interface ReleaseWorker {
  stop(): Promise<void>;
}

/** A worker of one release through the production factory (temporal/worker.ts), identity `upgrade-drill-<release>`. */
async function startRelease(
  t: DrillTarget,
  o: { release: string; taskQueue: string; bundle: { code: string }; activities: object; keyring: Keyring },
): Promise<ReleaseWorker> {
  installRuntime();
  const { worker, connection } = await createWorker({
    address: t.address,
    namespace: t.namespace,
    ...(t.connection ? { connection: t.connection } : {}),
    taskQueue: o.taskQueue,
    activities: o.activities as Activities,
    workflowBundle: o.bundle,
    // A short drain: an activity still running when it ends is failed with WORKER_SHUTDOWN and retried at once.
    shutdownGraceSeconds: 2,
    dataConverter: dataConverterFor(o.keyring),
    overrides: { identity: `upgrade-drill-${o.release}` },
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

async function connect(t: DrillTarget, keyring: Keyring) {
  const extra = t.connection ?? {};
  const connection = await Connection.connect({
    address: t.address,
    ...(extra.tls !== undefined ? { tls: extra.tls } : {}),
    ...(extra.apiKey ? { apiKey: extra.apiKey } : {}),
    ...(extra.metadata ? { metadata: extra.metadata } : {}),
  });
  return {
    client: new Client({ connection, namespace: t.namespace, dataConverter: dataConverterFor(keyring) }),
    close: () => connection.close(),
  };
}

function taskInput(dueInMs: number, title: string): HumanTaskInput {
  return {
    taskId: randomUUID(),
    practiceId: DEMO_PRACTICE_ID,
    kind: 'verify_coverage_by_phone',
    assigneeRole: 'front_desk',
    title,
    dueAt: new Date(Date.now() + dueInMs).toISOString(),
    parentWorkflowId: workflowId('onboarding', randomUUID()),
    processKind: 'onboarding',
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`upgrade drill: ${what} not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The worklist row's status (what staff see), undefined before the row exists. */
async function taskStatus(db: Database, taskId: string): Promise<string | undefined> {
  const rows = await db.select({ status: tasks.status }).from(tasks).where(eq(tasks.id, taskId));
  return rows[0]?.status;
}

/** What a history shows about the upgrade, read from the raw (encrypted) events. */
export interface HistoryFacts {
  /** Identities of the workers that completed its workflow tasks, in order, deduplicated. */
  completedBy: string[];
  patches: string[];
  activities: string[];
  timersFired: number;
  workflowTaskFailures: number;
  nondeterminismFailures: number;
  completed: boolean;
}

async function historyFacts(handle: WorkflowHandle, codec: EncryptionCodec): Promise<HistoryFacts> {
  const events = (await handle.fetchHistory()).events ?? [];
  const facts: HistoryFacts = {
    completedBy: [],
    patches: [],
    activities: [],
    timersFired: 0,
    workflowTaskFailures: 0,
    nondeterminismFailures: 0,
    completed: false,
  };
  for (const e of events) {
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        const who = e.workflowTaskCompletedEventAttributes?.identity ?? '';
        if (facts.completedBy.at(-1) !== who) facts.completedBy.push(who);
        break;
      }
      case EventType.EVENT_TYPE_MARKER_RECORDED: {
        const attrs = e.markerRecordedEventAttributes;
        const payload = attrs?.details?.['patch-data']?.payloads?.[0];
        if (attrs?.markerName === 'core_patch' && payload) {
          const [decoded] = await codec.decode([payload as Payload]);
          // patch-data is {"id": "<patch id>", "deprecated": bool} in JSON.
          facts.patches.push((JSON.parse(Buffer.from(decoded!.data!).toString()) as { id: string }).id);
        }
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        facts.activities.push(e.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
        break;
      case EventType.EVENT_TYPE_TIMER_FIRED:
        facts.timersFired += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        facts.workflowTaskFailures += 1;
        if (e.workflowTaskFailedEventAttributes?.cause === NDE_CAUSE) facts.nondeterminismFailures += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        facts.completed = true;
        break;
      default:
    }
  }
  return facts;
}

export interface DrillProcess {
  /** What it was waiting on when v1 stopped ('new' = started on v2). */
  waitingOn: 'signal' | 'timer' | 'activity' | 'new';
  result: HumanTaskResult;
  facts: HistoryFacts;
  /** Final history replayed on v2 (undefined = ok) and on the unguarded v2 (the error's name). */
  replayOnV2?: string;
  replayOnUnguarded?: string;
}

export interface DrillReport {
  processes: DrillProcess[];
  /** Task ids the v2-only activity ran for. */
  acknowledged: string[];
  /** Ids of the drill's processes. */
  taskIds: Record<DrillProcess['waitingOn'], string>;
  /** State of the v1 processes the moment v1 had stopped. */
  atV1Stop: Record<'signal' | 'timer' | 'activity', { running: boolean; timersFired: number; row?: string }>;
  /** Milliseconds from v1's stop to every process completed on v2. */
  msFromV1StopToAllCompleted: number;
  /** The final histories (encrypted payloads) and the payload keyring they need, for the patch life cycle. */
  histories: Record<DrillProcess['waitingOn'], History>;
  keyring: Keyring;
}

type History = temporal.api.history.v1.IHistory;

/** Replays a history on a release: undefined when it replays, else the error's name. */
export async function replayError(
  bundle: { code: string },
  keyring: Keyring,
  history: History,
): Promise<string | undefined> {
  const err = await Worker.runReplayHistory(
    { workflowBundle: bundle, dataConverter: dataConverterFor(keyring) },
    history,
  ).catch((e: unknown) => e as Error);
  return err ? err.name : undefined;
}

/** The mid-flight upgrade v1 → v2 (guarded). Asserts nothing itself: the caller checks the report. */
export async function runUpgradeDrill(t: DrillTarget, releases: Releases): Promise<DrillReport> {
  const keyring = generateKeyring('drill-payloads');
  const real = createActivities({ db: t.db, dataKeyring: generateKeyring('drill-data') });
  const taskQueue = `upgrade-drill-${randomUUID()}`;
  const codec = new EncryptionCodec(keyring);

  // v1's openTask blocks for the "activity" process until the worker's shutdown cancels it.
  const blockOnV1 = new Set<string>();
  const blockedOnV1 = new Set<string>();
  const v1Activities = {
    ...real,
    async openTask(task: HumanTaskInput): Promise<void> {
      if (blockOnV1.has(task.taskId)) {
        blockedOnV1.add(task.taskId);
        await Context.current().cancelled;
      }
      return real.openTask(task as Parameters<typeof real.openTask>[0]);
    },
  };
  const acknowledged = new Set<string>();
  const v2Activities = { ...real, ...createUpgradeDrillActivities(acknowledged) };

  const { client, close } = await connect(t, keyring);
  let v1: ReleaseWorker | undefined;
  let v2: ReleaseWorker | undefined;
  try {
    v1 = await startRelease(t, {
      release: 'v1',
      taskQueue,
      bundle: releases.v1,
      activities: v1Activities,
      keyring,
    });
    const start = (input: HumanTaskInput) =>
      client.workflow.start('humanTask', {
        taskQueue,
        workflowId: workflowId('task', input.taskId),
        args: [input],
      });
    const signal = taskInput(3 * 86_400_000, 'Upgrade drill: waits on a signal');
    const timer = taskInput(35_000, 'Upgrade drill: waits on its due-date timer');
    const activity = taskInput(3 * 86_400_000, 'Upgrade drill: waits on an activity');
    blockOnV1.add(activity.taskId);
    const handles = {
      signal: await start(signal),
      timer: await start(timer),
      activity: await start(activity),
    };
    await until('v1 raised the signal and timer tasks', async () =>
      (await taskStatus(t.db, signal.taskId)) === 'open' && (await taskStatus(t.db, timer.taskId)) === 'open'
        ? true
        : undefined,
    );
    await until('v1 runs the activity', async () => blockedOnV1.has(activity.taskId) || undefined);

    await v1.stop();
    v1 = undefined;
    const stoppedAt = Date.now();
    const atV1Stop = {} as DrillReport['atV1Stop'];
    for (const [name, handle] of Object.entries(handles) as [keyof typeof handles, WorkflowHandle][]) {
      const facts = await historyFacts(handle, codec);
      const row = await taskStatus(
        t.db,
        (name === 'signal' ? signal : name === 'timer' ? timer : activity).taskId,
      );
      atV1Stop[name] = {
        running: (await handle.describe()).status.name === 'RUNNING',
        timersFired: facts.timersFired,
        ...(row ? { row } : {}),
      };
    }

    v2 = await startRelease(t, {
      release: 'v2',
      taskQueue,
      bundle: releases.v2,
      activities: v2Activities,
      keyring,
    });
    const fresh = taskInput(3 * 86_400_000, 'Upgrade drill: started on v2');
    const newHandle = await start(fresh);

    const complete = (h: WorkflowHandle) =>
      h.signal(completeTaskSignal, { completedBy: 'user:upgrade-drill', outcome: { done: true } });
    await until('v2 raised the activity and new tasks', async () =>
      (await taskStatus(t.db, activity.taskId)) === 'open' &&
      (await taskStatus(t.db, fresh.taskId)) === 'open'
        ? true
        : undefined,
    );
    await complete(handles.signal);
    await complete(handles.activity);
    await complete(newHandle);
    await until(
      'the due-date timer fired on v2 (task escalated)',
      async () => (await taskStatus(t.db, timer.taskId)) === 'escalated' || undefined,
    );
    await complete(handles.timer);

    const all: [DrillProcess['waitingOn'], WorkflowHandle][] = [
      ['signal', handles.signal],
      ['timer', handles.timer],
      ['activity', handles.activity],
      ['new', newHandle],
    ];
    const results = await Promise.all(all.map(([, h]) => h.result() as Promise<HumanTaskResult>));
    const msFromV1StopToAllCompleted = Date.now() - stoppedAt;
    await v2.stop();
    v2 = undefined;

    const processes: DrillProcess[] = [];
    const histories = {} as DrillReport['histories'];
    for (const [i, [waitingOn, handle]] of all.entries()) {
      const history = await handle.fetchHistory();
      histories[waitingOn] = history;
      const replayOnV2 = await replayError(releases.v2, keyring, history);
      const replayOnUnguarded = await replayError(releases.v2Unguarded, keyring, history);
      processes.push({
        waitingOn,
        result: results[i]!,
        facts: await historyFacts(handle, codec),
        ...(replayOnV2 ? { replayOnV2 } : {}),
        ...(replayOnUnguarded ? { replayOnUnguarded } : {}),
      });
    }
    return {
      processes,
      acknowledged: [...acknowledged],
      taskIds: { signal: signal.taskId, timer: timer.taskId, activity: activity.taskId, new: fresh.taskId },
      atV1Stop,
      msFromV1StopToAllCompleted,
      histories,
      keyring,
    };
  } finally {
    await v1?.stop();
    await v2?.stop();
    await close();
  }
}

export interface UnguardedReport {
  /** The v1 execution's history after the unguarded v2 worker met it. */
  facts: HistoryFacts;
  status: string;
}

/**
 * The same upgrade with the unguarded v2: an execution started on v1 and waiting on a signal is handed to it.
 * The worker must fail the workflow task as nondeterministic (the execution stays RUNNING, nothing is lost;
 * the drill then terminates it).
 */
export async function runUnguardedUpgrade(t: DrillTarget, releases: Releases): Promise<UnguardedReport> {
  const keyring = generateKeyring('drill-payloads');
  const real = createActivities({ db: t.db, dataKeyring: generateKeyring('drill-data') });
  const acknowledged = new Set<string>();
  const taskQueue = `upgrade-drill-unguarded-${randomUUID()}`;
  const codec = new EncryptionCodec(keyring);
  const { client, close } = await connect(t, keyring);
  let worker: ReleaseWorker | undefined;
  try {
    worker = await startRelease(t, {
      release: 'v1',
      taskQueue,
      bundle: releases.v1,
      activities: real,
      keyring,
    });
    const input = taskInput(3 * 86_400_000, 'Upgrade drill: handed to an unguarded v2');
    const handle = await client.workflow.start('humanTask', {
      taskQueue,
      workflowId: workflowId('task', input.taskId),
      args: [input],
    });
    await until(
      'v1 raised the task',
      async () => (await taskStatus(t.db, input.taskId)) === 'open' || undefined,
    );
    await worker.stop();
    worker = await startRelease(t, {
      release: 'v2-unguarded',
      taskQueue,
      bundle: releases.v2Unguarded,
      activities: { ...real, ...createUpgradeDrillActivities(acknowledged) },
      keyring,
    });
    await handle.signal(completeTaskSignal, { completedBy: 'user:upgrade-drill', outcome: { done: true } });
    const facts = await until('the unguarded v2 failed a workflow task', async () => {
      const f = await historyFacts(handle, codec);
      return f.workflowTaskFailures > 0 ? f : undefined;
    });
    const status = (await handle.describe()).status.name;
    await worker.stop();
    worker = undefined;
    await handle.terminate('upgrade drill: unguarded release rolled back');
    return { facts, status };
  } finally {
    await worker?.stop();
    await close();
  }
}

/**
 * One humanTask run start to finish on one release (its own task queue): the history a process started on that
 * release leaves. The payloads are encrypted under `keyring`.
 */
export async function runOnRelease(
  t: DrillTarget,
  o: { release: string; bundle: { code: string }; keyring: Keyring },
): Promise<{ history: History; acknowledged: boolean }> {
  const real = createActivities({ db: t.db, dataKeyring: generateKeyring('drill-data') });
  const acknowledged = new Set<string>();
  const taskQueue = `upgrade-drill-${o.release}-${randomUUID()}`;
  const { client, close } = await connect(t, o.keyring);
  let worker: ReleaseWorker | undefined;
  try {
    worker = await startRelease(t, {
      release: o.release,
      taskQueue,
      bundle: o.bundle,
      activities: { ...real, ...createUpgradeDrillActivities(acknowledged) },
      keyring: o.keyring,
    });
    const input = taskInput(3 * 86_400_000, `Upgrade drill: started on ${o.release}`);
    const handle = await client.workflow.start('humanTask', {
      taskQueue,
      workflowId: workflowId('task', input.taskId),
      args: [input],
    });
    await until(
      'the task is raised',
      async () => (await taskStatus(t.db, input.taskId)) === 'open' || undefined,
    );
    await handle.signal(completeTaskSignal, { completedBy: 'user:upgrade-drill', outcome: { done: true } });
    await handle.result();
    return { history: await handle.fetchHistory(), acknowledged: acknowledged.has(input.taskId) };
  } finally {
    await worker?.stop();
    await close();
  }
}

export interface MixedFleetReport {
  /** The history once a v1 worker met the execution v2 had advanced along the new path. */
  onV1: HistoryFacts;
  /** After v2 was back alone: the outcome. */
  result: HumanTaskResult;
  final: HistoryFacts;
}

/**
 * Why a release replaces every old worker before the new ones poll (README): an execution that v2 advanced along
 * the new path (patch marker recorded), handed back to a v1 worker — a rollback, or an old replica still polling
 * during an overlapping rollout — fails its workflow task as nondeterministic. Nothing is lost: once only v2
 * polls, it finishes.
 */
export async function runMixedFleet(t: DrillTarget, releases: Releases): Promise<MixedFleetReport> {
  const keyring = generateKeyring('drill-payloads');
  const real = createActivities({ db: t.db, dataKeyring: generateKeyring('drill-data') });
  const v2Activities = { ...real, ...createUpgradeDrillActivities(new Set()) };
  const taskQueue = `upgrade-drill-mixed-${randomUUID()}`;
  const codec = new EncryptionCodec(keyring);
  const { client, close } = await connect(t, keyring);
  let worker: ReleaseWorker | undefined;
  const on = async (release: 'v1' | 'v2') => {
    await worker?.stop();
    worker = await startRelease(t, {
      release,
      taskQueue,
      bundle: release === 'v1' ? releases.v1 : releases.v2,
      activities: release === 'v1' ? real : v2Activities,
      keyring,
    });
  };
  try {
    await on('v2');
    const input = taskInput(3 * 86_400_000, 'Upgrade drill: started on v2, then handed to v1');
    const handle = await client.workflow.start('humanTask', {
      taskQueue,
      workflowId: workflowId('task', input.taskId),
      args: [input],
    });
    await until(
      'v2 raised the task',
      async () => (await taskStatus(t.db, input.taskId)) === 'open' || undefined,
    );
    await on('v1');
    await handle.signal(completeTaskSignal, { completedBy: 'user:upgrade-drill', outcome: { done: true } });
    const onV1 = await until('the v1 worker failed a workflow task', async () => {
      const f = await historyFacts(handle, codec);
      return f.workflowTaskFailures > 0 ? f : undefined;
    });
    await on('v2');
    const result = (await handle.result()) as HumanTaskResult;
    return { onV1, result, final: await historyFacts(handle, codec) };
  } finally {
    await worker?.stop();
    await close();
  }
}

// Scenario 1: each ptflow process end to end (zero-latency sandboxes) against its floor — a trivial workflow
// with the same activities, fired timers and driver steps (bench/workflows/floor.ts), on the same server and
// worker. Batches of N instances run C at a time; floor and ptflow batches alternate within every run, so the
// ratio compares figures measured side by side.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import {
  processDrivers,
  until,
  type DriverContext,
  type ProcessDriver,
  type ProcessKind,
} from './drivers.js';
import { shapeOf, type ProcessShape } from './shape.js';
import { latencySpread, nowMs, pool, round1, spread, type LatencySpread, type Spread } from './stats.js';
import type { BenchWorker } from './worker.js';
import { benchFloor, floorProgressQuery, floorStepSignal, floorStepUpdate } from './workflows/floor.js';

export interface SideFigures {
  /** Completed processes per second, per run. */
  throughput: Spread;
  /** Start → completed (ms): p50 and p99 of each run. */
  latencyMs: LatencySpread;
  /** Start request → first activity started, under this load (ms). */
  firstActivityMs: LatencySpread;
}

export interface ProcessFigures {
  kind: ProcessKind;
  label: string;
  shape: Omit<ProcessShape, 'floor'>;
  ours: SideFigures;
  floor: SideFigures;
  /** Per run: floor wall time / ptflow wall time (= ptflow throughput / floor throughput). */
  ratio: Spread;
}

export interface ProcessBenchmark {
  runs: number;
  instances: number;
  concurrency: number;
  processes: ProcessFigures[];
}

interface Batch {
  wallMs: number;
  latencies: number[];
  firstActivity: number[];
}

async function floorRun(
  client: Client,
  taskQueue: string,
  shape: ProcessShape,
  waits: boolean[],
  onStart: (id: string) => void,
) {
  const id = `bench-floor-${randomUUID()}`;
  onStart(id);
  const handle = await client.workflow.start(benchFloor, { taskQueue, workflowId: id, args: [shape.floor] });
  for (const [k, kind] of shape.floor.steps.entries()) {
    if (waits[k])
      await until(
        () => handle.query(floorProgressQuery),
        (done) => done >= k + 1,
      );
    if (kind === 'update') await handle.executeUpdate(floorStepUpdate);
    else await handle.signal(floorStepSignal);
  }
  await handle.result();
  return id;
}

async function batch(
  worker: BenchWorker,
  instances: number,
  concurrency: number,
  one: (onStart: (id: string) => void) => Promise<string>,
): Promise<Batch> {
  const startedAt = new Map<string, number>();
  const latencies: number[] = [];
  const t0 = nowMs();
  const ids = await pool(Array.from({ length: instances }), concurrency, async () => {
    let begun = 0;
    const id = await one((wfId) => {
      begun = nowMs();
      startedAt.set(wfId, begun);
    });
    latencies.push(nowMs() - begun);
    return id;
  });
  const wallMs = nowMs() - t0;
  const firstActivity = ids
    .map((id) => (worker.firstActivityAt.get(id) ?? NaN) - (startedAt.get(id) ?? NaN))
    .filter((v) => Number.isFinite(v));
  return { wallMs, latencies, firstActivity };
}

function side(batches: Batch[], instances: number): SideFigures {
  return {
    throughput: spread(batches.map((b) => round1((instances / b.wallMs) * 1000))),
    latencyMs: latencySpread(batches.map((b) => b.latencies)),
    firstActivityMs: latencySpread(batches.map((b) => b.firstActivity)),
  };
}

export async function runProcessBenchmark(
  worker: BenchWorker,
  opts: { runs: number; instances: number; concurrency: number; kinds?: readonly ProcessKind[] },
  log: (line: string) => void,
): Promise<ProcessBenchmark> {
  const client = worker.client.client;
  const out: ProcessFigures[] = [];
  for (const driver of processDrivers.filter((d) => !opts.kinds || opts.kinds.includes(d.kind))) {
    const ctx = (onStart: (id: string) => void): DriverContext => ({
      client,
      taskQueue: worker.taskQueue,
      emr: worker.emr,
      onStart,
    });
    // Warm-up instance: JIT, connections, and the history the floor's shape is read from.
    const warmId = await driver.run(ctx(() => undefined));
    const history = await client.workflow.getHandle(warmId).fetchHistory();
    const shape = shapeOf((history.events ?? []) as Parameters<typeof shapeOf>[0]);
    if (shape.steps !== driver.waits.length)
      throw new Error(
        `bench: ${driver.kind} delivered ${shape.steps} steps, the driver declares ${driver.waits.length}`,
      );
    const floorId = await floorRun(client, worker.taskQueue, shape, driver.waits, () => undefined);
    const floorHistory = await client.workflow.getHandle(floorId).fetchHistory();
    log(
      `bench: ${driver.kind}: ${shape.activities} activities, ${shape.timers} timers, ${shape.steps} steps, ${shape.children} children; history events ${shape.historyEvents} (floor ${floorHistory.events?.length ?? 0})`,
    );
    const ours: Batch[] = [];
    const floor: Batch[] = [];
    worker.activityMs.clear();
    for (let r = 0; r < opts.runs; r++) {
      const runOurs = () =>
        batch(worker, opts.instances, opts.concurrency, (onStart) => driver.run(ctx(onStart)));
      const runFloor = () =>
        batch(worker, opts.instances, opts.concurrency, (onStart) =>
          floorRun(client, worker.taskQueue, shape, driver.waits, onStart),
        );
      // Alternate which side goes first, so neither always runs on a warmer (or more tired) server.
      if (r % 2 === 0) {
        floor.push(await runFloor());
        ours.push(await runOurs());
      } else {
        ours.push(await runOurs());
        floor.push(await runFloor());
      }
      log(
        `bench: ${driver.kind} run ${r + 1}/${opts.runs}: ptflow ${Math.round(ours.at(-1)!.wallMs)} ms, floor ${Math.round(floor.at(-1)!.wallMs)} ms`,
      );
    }
    // Where ptflow's activity time went (all its runs; the floor's no-op included for scale).
    const perInstance = opts.runs * opts.instances;
    log(
      `bench: ${driver.kind} activity ms per instance: ${[...worker.activityMs]
        .map(
          ([name, f]) =>
            `${name} ${Math.round(f.totalMs / perInstance)} (${Math.round(f.calls / perInstance)}×)`,
        )
        .join(', ')}`,
    );
    const { floor: _floor, ...shapeFigures } = shape;
    out.push({
      kind: driver.kind,
      label: driver.label,
      shape: shapeFigures,
      ours: side(ours, opts.instances),
      floor: side(floor, opts.instances),
      ratio: spread(ours.map((o, i) => Math.round((floor[i]!.wallMs / o.wallMs) * 100) / 100)),
    });
  }
  return { runs: opts.runs, instances: opts.instances, concurrency: opts.concurrency, processes: out };
}

export type { ProcessDriver };

// Scenario 2: workflow start → first activity, one process at a time on an otherwise idle worker: the time from
// the client's start request to the first activity function being entered on the worker (same process, same
// monotonic clock). Measured for each ptflow process and for the floor (a workflow whose first command is a
// no-op activity). Instances are terminated once their first activity has started.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { processDrivers } from './drivers.js';
import { latencySpread, nowMs, type LatencySpread } from './stats.js';
import type { BenchWorker } from './worker.js';
import { benchFloor } from './workflows/floor.js';

export interface FirstActivityBenchmark {
  samples: number;
  rows: { label: string; latencyMs: LatencySpread }[];
}

async function firstActivity(
  worker: BenchWorker,
  start: (onStart: (id: string) => void) => Promise<WorkflowHandle>,
) {
  let begun = 0;
  let id = '';
  const handle = await start((wfId) => {
    id = wfId;
    begun = nowMs();
  });
  const deadline = Date.now() + 60_000;
  while (!worker.firstActivityAt.has(id)) {
    if (Date.now() > deadline) throw new Error(`bench: no activity started for ${id}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = worker.firstActivityAt.get(id)! - begun;
  await handle.terminate('benchmark sample taken').catch(() => undefined);
  return ms;
}

export async function runFirstActivityBenchmark(
  worker: BenchWorker,
  opts: { runs: number; samples: number },
): Promise<FirstActivityBenchmark> {
  const samples = opts.samples;
  const client = worker.client.client;
  const rows: FirstActivityBenchmark['rows'] = [];
  const measure = async (
    label: string,
    start: (onStart: (id: string) => void) => Promise<WorkflowHandle>,
  ) => {
    await firstActivity(worker, start); // warm-up
    const runs: number[][] = [];
    for (let r = 0; r < opts.runs; r++) {
      const values: number[] = [];
      for (let i = 0; i < Math.ceil(samples / opts.runs); i++)
        values.push(await firstActivity(worker, start));
      runs.push(values);
    }
    rows.push({ label, latencyMs: latencySpread(runs) });
  };
  await measure('Floor (no-op activity first)', (onStart) => {
    const id = `bench-first-${randomUUID()}`;
    onStart(id);
    return client.workflow.start(benchFloor, {
      taskQueue: worker.taskQueue,
      workflowId: id,
      args: [{ stages: [['a']], steps: [] }],
    });
  });
  for (const d of processDrivers.filter((p) => p.firstActivity !== false)) {
    await measure(d.label, (onStart) =>
      d.start({ client, taskQueue: worker.taskQueue, emr: worker.emr, onStart }),
    );
  }
  return { samples, rows };
}

// The floor a ptflow process is measured against: the least a Temporal workflow with the same shape can cost on
// the same server — the same number of activities (no-ops), the same timers, waiting for the same number of
// signals/updates at the same points — and nothing else (no domain code, no connectors, no search attributes).
// The shape is read from the history of a real ptflow run (bench/shape.ts).
import {
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';

/** One stage runs after the previous stage's step arrived: activities ('a') and timers (milliseconds). */
export type FloorOp = 'a' | number;
export interface FloorInput {
  stages: FloorOp[][];
  /** How the driver delivers each step (the same kind ptflow's driver uses). */
  steps: ('signal' | 'update')[];
}

export interface FloorActivities {
  benchNoop(): Promise<void>;
}

export const floorStepSignal = defineSignal('floorStep');
export const floorStepUpdate = defineUpdate<number>('floorStep');
/** Stages finished so far: the driver sends step k once k stages are done. */
export const floorProgressQuery = defineQuery<number>('floorProgress');

const { benchNoop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

export async function benchFloor(input: FloorInput): Promise<number> {
  let steps = 0;
  let done = 0;
  setHandler(floorProgressQuery, () => done);
  setHandler(floorStepSignal, () => void (steps += 1));
  setHandler(floorStepUpdate, () => (steps += 1));
  for (const [i, stage] of input.stages.entries()) {
    if (i > 0) await condition(() => steps >= i);
    for (const op of stage) {
      if (op === 'a') await benchNoop();
      else await sleep(op);
    }
    done = i + 1;
  }
  return done;
}

// Reads the shape of a finished ptflow process from its history — activities and fired timers, split into
// stages by the signals/updates the driver delivered — so the floor workflow can repeat exactly that shape.
import type { FloorInput, FloorOp } from './workflows/floor.js';

interface HistoryEvent {
  activityTaskScheduledEventAttributes?: unknown;
  timerStartedEventAttributes?: {
    timerId?: string | null;
    startToFireTimeout?: { seconds?: unknown; nanos?: number | null } | null;
  } | null;
  timerFiredEventAttributes?: { timerId?: string | null } | null;
  workflowExecutionSignaledEventAttributes?: unknown;
  workflowExecutionUpdateAcceptedEventAttributes?: unknown;
  startChildWorkflowExecutionInitiatedEventAttributes?: unknown;
}

export interface ProcessShape {
  floor: FloorInput;
  activities: number;
  timers: number;
  steps: number;
  children: number;
  historyEvents: number;
}

const durationMs = (d: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  Number(d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);

export function shapeOf(events: HistoryEvent[]): ProcessShape {
  const fired = new Set(
    events.map((e) => e.timerFiredEventAttributes?.timerId).filter((id): id is string => !!id),
  );
  const stages: FloorOp[][] = [[]];
  const steps: ('signal' | 'update')[] = [];
  let activities = 0;
  let timers = 0;
  let children = 0;
  for (const e of events) {
    const stage = stages[stages.length - 1]!;
    if (e.activityTaskScheduledEventAttributes) {
      stage.push('a');
      activities += 1;
    } else if (e.timerStartedEventAttributes && fired.has(e.timerStartedEventAttributes.timerId ?? '')) {
      stage.push(Math.max(1, durationMs(e.timerStartedEventAttributes.startToFireTimeout)));
      timers += 1;
    } else if (
      e.workflowExecutionSignaledEventAttributes ||
      e.workflowExecutionUpdateAcceptedEventAttributes
    ) {
      steps.push(e.workflowExecutionSignaledEventAttributes ? 'signal' : 'update');
      stages.push([]);
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      children += 1;
    }
  }
  return {
    floor: { stages, steps },
    activities,
    timers,
    steps: steps.length,
    children,
    historyEvents: events.length,
  };
}

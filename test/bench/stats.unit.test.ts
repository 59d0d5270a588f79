import { describe, expect, it } from 'vitest';
import { shapeOf } from '../../bench/shape.js';
import { latencySpread, percentile, pool, spread } from '../../bench/stats.js';

describe('bench statistics', () => {
  it('min/median/max (median of an even count is the mean of the middle two) and nearest-rank percentiles', () => {
    expect(spread([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
    expect(spread([])).toEqual({ min: 0, median: 0, max: 0 });
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });

  it('p50/p99 per run, summarised over runs', () => {
    expect(latencySpread([[1, 2, 3], [10, 20, 30], []])).toEqual({
      p50: { min: 2, median: 11, max: 20 },
      p99: { min: 3, median: 16.5, max: 30 },
      samples: 6,
    });
  });

  it('pool keeps input order and never runs more than the limit at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await pool([5, 1, 4, 2, 3], 2, async (v) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, v));
      inFlight -= 1;
      return v * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});

describe('process shape read from a history', () => {
  it('splits activities and fired timers into stages at each signal/update; cancelled timers and children are not ops', () => {
    const shape = shapeOf([
      { activityTaskScheduledEventAttributes: {} },
      {
        timerStartedEventAttributes: { timerId: '1', startToFireTimeout: { seconds: 2, nanos: 500_000_000 } },
      },
      { timerStartedEventAttributes: { timerId: '2', startToFireTimeout: { seconds: 60 } } },
      { timerFiredEventAttributes: { timerId: '1' } },
      { workflowExecutionSignaledEventAttributes: {} },
      { activityTaskScheduledEventAttributes: {} },
      { startChildWorkflowExecutionInitiatedEventAttributes: {} },
      { workflowExecutionUpdateAcceptedEventAttributes: {} },
    ]);
    expect(shape.floor).toEqual({ stages: [['a', 2500], ['a'], []], steps: ['signal', 'update'] });
    expect(shape).toMatchObject({ activities: 2, timers: 1, steps: 2, children: 1, historyEvents: 8 });
  });
});

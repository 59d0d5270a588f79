// What a clean rolling upgrade looks like (shared by the dev-server and cluster suites): the assertions over the
// reports of ./upgrade-drill.ts.
import { expect } from 'vitest';
import type { DrillReport, UnguardedReport } from './upgrade-drill.js';

/** Every process completed on v2, v1 ones along the old path, the new one along the new, no task failure. */
export function expectCleanUpgrade(report: DrillReport, patchId: string): void {
  // The scenario happened as designed: when v1 stopped, all three were running and mid-flight.
  expect(report.atV1Stop.signal).toMatchObject({ running: true, row: 'open' });
  expect(report.atV1Stop.timer, 'its due-date timer had not fired yet').toMatchObject({
    running: true,
    row: 'open',
    timersFired: 0,
  });
  expect(report.atV1Stop.activity, 'openTask had not completed').toEqual({ running: true, timersFired: 0 });

  for (const p of report.processes) {
    const label = `process waiting on ${p.waitingOn}`;
    expect(p.result.state, label).toBe('completed');
    expect(p.result.overdue, label).toBe(p.waitingOn === 'timer');
    expect(p.facts.completed, label).toBe(true);
    expect(p.facts.workflowTaskFailures, `${label}: no workflow task failed`).toBe(0);
    expect(p.replayOnV2, `${label}: its final history replays on v2`).toBeUndefined();
    if (p.waitingOn === 'new') {
      expect(p.facts.completedBy, label).toEqual(['upgrade-drill-v2']);
      expect(p.facts.patches, `${label}: new path, recorded`).toContain(patchId);
      expect(p.facts.activities[0], label).toBe('acknowledgeTask');
    } else {
      expect(p.facts.completedBy, `${label}: started on v1, finished on v2`).toEqual([
        'upgrade-drill-v1',
        'upgrade-drill-v2',
      ]);
      expect(p.facts.patches, `${label}: old path`).not.toContain(patchId);
      expect(p.facts.activities, `${label}: old path`).not.toContain('acknowledgeTask');
      expect(p.facts.activities[0], label).toBe('openTask');
      // Without the guard v2 could not have replayed it.
      expect(p.replayOnUnguarded, label).toBe('DeterminismViolationError');
    }
  }
  expect(report.processes.find((p) => p.waitingOn === 'timer')!.facts.activities).toContain('escalateTask');
  expect(report.acknowledged, 'the v2-only step ran for the new process only').toEqual([report.taskIds.new]);
}

/** The unguarded release failed the v1 execution's workflow task as nondeterministic and lost nothing. */
export function expectUnguardedCaught(report: UnguardedReport): void {
  expect(report.facts.nondeterminismFailures).toBeGreaterThan(0);
  expect(report.facts.completed).toBe(false);
  expect(report.status, 'the execution waits for a fixed release; nothing is lost').toBe('RUNNING');
  expect(report.facts.activities).not.toContain('acknowledgeTask');
}

import { describe, it, expect } from 'vitest';
import {
  assessOutcome,
  assessOutcomes,
  improvement,
  MCID_ROWS,
  mcidOn,
  scoreProblem,
  suggestedNextSteps,
  type OutcomeMeasurement,
} from '../../../domain/outcomes/index.js';
import { findOverlaps } from '../../../domain/core/effective.js';

const odi = (score: number, date: string): OutcomeMeasurement => ({ instrument: 'ODI', score, date });
const lefs = (score: number, date: string): OutcomeMeasurement => ({ instrument: 'LEFS', score, date });

describe('instrument data', () => {
  it('has one MCID row per instrument in force, each flagged for review (domain-rules §11 cites no source)', () => {
    expect(findOverlaps(MCID_ROWS, (r) => r.instrument)).toEqual([]);
    for (const i of ['ODI', 'NDI', 'LEFS', 'QuickDASH', 'PSFS', 'NPRS'] as const) {
      const row = mcidOn(i, '2025-06-01');
      expect(row?.verify).toBeTruthy();
    }
    expect(mcidOn('ODI', '2025-06-01')?.mcid).toBe(10);
    expect(mcidOn('LEFS', '2025-06-01')?.mcid).toBe(9);
  });
  it('validates scores against the instrument range', () => {
    expect(scoreProblem('ODI', 40)).toBeUndefined();
    expect(scoreProblem('ODI', 101)).toMatch(/outside its range 0–100/);
    expect(scoreProblem('NPRS', -1)).toMatch(/outside/);
    expect(scoreProblem('PSFS', 7.4)).toBeUndefined();
    expect(scoreProblem('NDI', Number.NaN)).toMatch(/number/);
    expect(scoreProblem('FOTO', 50)).toMatch(/Unknown/);
  });
  it('improvement follows the direction of the instrument', () => {
    expect(improvement('ODI', 40, 28)).toBe(12);
    expect(improvement('LEFS', 40, 28)).toBe(-12);
  });
});

describe('assessOutcome', () => {
  it('baseline only: insufficient data', () => {
    expect(assessOutcome([odi(40, '2025-03-03')])?.trend).toBe('insufficient_data');
  });
  it('meaningful improvement against baseline and MCID', () => {
    const a = assessOutcome([odi(40, '2025-03-03'), odi(30, '2025-03-24')]);
    expect(a).toMatchObject({
      improvementFromBaseline: 10,
      meaningfulSinceBaseline: true,
      trend: 'improving',
    });
  });
  it('plateau: no meaningful change across the last two reports', () => {
    const a = assessOutcome([odi(40, '2025-03-03'), odi(37, '2025-03-10'), odi(35, '2025-03-17')]);
    expect(a).toMatchObject({ trend: 'plateau', meaningfulSinceBaseline: false });
  });
  it('plateau: no meaningful change over three weeks even with one follow-up', () => {
    expect(assessOutcome([lefs(40, '2025-03-03'), lefs(45, '2025-03-24')])?.trend).toBe('plateau');
    // One week is not yet a window.
    expect(assessOutcome([lefs(40, '2025-03-03'), lefs(45, '2025-03-10')])?.trend).toBe('insufficient_data');
  });
  it('worsening by the MCID since the previous report', () => {
    expect(
      assessOutcome([lefs(40, '2025-03-03'), lefs(50, '2025-03-10'), lefs(40, '2025-03-17')])?.trend,
    ).toBe('worsening');
  });
  it('assesses each instrument on its own and suggests next steps for a plateau', () => {
    const all = assessOutcomes([odi(40, '2025-03-03'), lefs(30, '2025-03-03'), odi(38, '2025-03-24')]);
    expect(all.map((a) => [a.instrument, a.trend])).toEqual([
      ['ODI', 'plateau'],
      ['LEFS', 'insufficient_data'],
    ]);
    expect(suggestedNextSteps('plateau')).toContain('reassess_goals');
    expect(suggestedNextSteps('improving')).toEqual([]);
  });
});

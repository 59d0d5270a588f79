import { describe, expect, it } from 'vitest';
import {
  assessCandidates,
  explainCandidate,
  explainNoSlot,
  isFeasible,
  toOption,
} from '../../../domain/scheduling/index.js';
import { DOWNTOWN, NORTHSIDE, request, slot } from './fixtures.js';

describe('explanations', () => {
  const r = request({
    diagnosisCode: 'S83.511A',
    preferredLocations: [
      { locationId: NORTHSIDE, distanceKm: 12 },
      { locationId: DOWNTOWN, distanceKm: 3 },
    ],
    availability: [{ weekday: 2, start: '09:00', end: '12:00' }],
  });

  it('names the specialty, the location rank and the timing, with the booked length', () => {
    const a = assessCandidates(r, [
      slot({ slotId: 'first', start: '2025-03-04T15:00:00Z', locationId: DOWNTOWN }),
      slot({
        slotId: 'later',
        start: '2025-03-11T15:00:00Z',
        locationId: NORTHSIDE,
        specialties: ['sports'],
      }),
    ]);
    const [first, later] = a.candidates;
    expect(first && explainCandidate(first, a, r)).toBe(
      "matched orthopedic specialty (knee), nearest location, first slot within patient's window, 45-minute acute evaluation",
    );
    expect(later && explainCandidate(later, a, r)).toBe(
      "matched sports specialty (knee), location 2 by distance, 7 days after the first slot within patient's window, 45-minute acute evaluation",
    );
  });

  it('says so when no specialist is free and when post-surgical experience counted', () => {
    const ps = request({ diagnosisCode: 'S83.511A', acuity: 'post-surgical' });
    const a = assessCandidates(ps, [
      slot({ specialties: ['vestibular'], minutesAvailable: 90 }),
      slot({ specialties: ['post-surgical'], minutesAvailable: 90, start: '2025-03-05T15:00:00Z' }),
    ]);
    const [none, post] = a.candidates;
    expect(none && explainCandidate(none, a, ps)).toBe(
      'no orthopedic/sports/post-surgical specialist free, any PT may evaluate, first available slot, 75-minute post-surgical evaluation',
    );
    expect(post && explainCandidate(post, a, ps)).toContain(
      'matched post-surgical specialty (knee), post-surgical experience',
    );
  });

  it('contains no PHI: no therapist or slot ids, no diagnosis code', () => {
    const a = assessCandidates(r, [slot({ therapistId: 'Dana Whitfield', slotId: 'slot-secret' })]);
    const c = a.candidates[0];
    if (!c) throw new Error('no candidate');
    const text = toOption(c, a, r).explanation;
    expect(text).not.toMatch(/Dana|Whitfield|slot-secret|S83/);
  });

  it('explains a miss with counts per broken constraint', () => {
    const a = assessCandidates(r, [
      slot({ discipline: 'PTA' }),
      slot({ discipline: 'PTA', start: '2025-03-05T15:00:00Z' }),
      slot({ start: '2025-03-04T20:00:00Z' }),
    ]);
    expect(a.candidates.some(isFeasible)).toBe(false);
    expect(explainNoSlot(a)).toBe(
      "no feasible slot among 3 candidates: 2 PTA (evaluations need a PT), 2 outside patient's window",
    );
    expect(explainNoSlot(assessCandidates(r, []))).toBe(
      'no free slots of 45 minutes or more in the date range',
    );
  });
});

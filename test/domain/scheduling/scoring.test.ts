import { describe, expect, it } from 'vitest';
import {
  SCORING_WEIGHTS,
  rankedLocations,
  scoreSlot,
  specialtyNeed,
} from '../../../domain/scheduling/index.js';
import { DOWNTOWN, NORTHSIDE, request, slot } from './fixtures.js';

describe('scoring', () => {
  const r = request({
    diagnosisCode: 'M54.50',
    preferredLocations: [{ locationId: NORTHSIDE }, { locationId: DOWNTOWN }],
  });
  const need = specialtyNeed(r);

  it('primary specialty > secondary specialty > none', () => {
    const spine = scoreSlot(slot({ specialties: ['spine'] }), '2025-03-03', r, need);
    const ortho = scoreSlot(slot({ specialties: ['orthopedic'] }), '2025-03-03', r, need);
    const vest = scoreSlot(slot({ specialties: ['vestibular'] }), '2025-03-03', r, need);
    expect([spine.specialty, ortho.specialty, vest.specialty]).toEqual([60, 40, 0]);
    expect(spine.matchedSpecialty).toBe('spine');
    expect(vest.matchedSpecialty).toBeUndefined();
  });

  it('a specialty match outweighs the best location plus the soonest day', () => {
    const w = SCORING_WEIGHTS;
    const bestNonSpecialty = (w.locationByRank[0] ?? 0) + w.soonestDay;
    expect(w.secondarySpecialty).toBeGreaterThan(bestNonSpecialty);
    const far = scoreSlot(
      slot({ specialties: ['orthopedic'], locationId: 'elsewhere' }),
      '2025-03-16',
      r,
      need,
    );
    const near = scoreSlot(slot({ specialties: [], locationId: NORTHSIDE }), '2025-03-03', r, need);
    expect(far.total).toBeGreaterThan(near.total);
  });

  it('location points by rank; distances re-rank when every location has one', () => {
    expect(scoreSlot(slot({ locationId: NORTHSIDE }), '2025-03-03', r, need).locationRank).toBe(0);
    expect(scoreSlot(slot({ locationId: DOWNTOWN }), '2025-03-03', r, need).location).toBe(12);
    expect(scoreSlot(slot({ locationId: 'other' }), '2025-03-03', r, need).location).toBe(0);
    const byDistance = rankedLocations([
      { locationId: NORTHSIDE, distanceKm: 9 },
      { locationId: DOWNTOWN, distanceKm: 2.5 },
    ]);
    expect(byDistance.map((l) => l.locationId)).toEqual([DOWNTOWN, NORTHSIDE]);
    // One missing distance: keep the patient's order.
    expect(
      rankedLocations([{ locationId: NORTHSIDE }, { locationId: DOWNTOWN, distanceKm: 1 }])[0]?.locationId,
    ).toBe(NORTHSIDE);
  });

  it('sooner is better, one point per day, never negative', () => {
    expect(scoreSlot(slot(), '2025-03-03', r, need).time).toBe(14);
    expect(scoreSlot(slot(), '2025-03-10', r, need).time).toBe(7);
    expect(scoreSlot(slot(), '2025-03-21', r, need).time).toBe(0);
  });

  it('post-surgical acuity rewards post-surgical experience', () => {
    const ps = request({ diagnosisCode: 'M54.50', acuity: 'post-surgical' });
    const psNeed = specialtyNeed(ps);
    expect(
      scoreSlot(slot({ specialties: ['spine', 'post-surgical'] }), '2025-03-03', ps, psNeed).acuity,
    ).toBe(10);
    expect(scoreSlot(slot({ specialties: ['spine', 'post-surgical'] }), '2025-03-03', r, need).acuity).toBe(
      0,
    );
  });
});

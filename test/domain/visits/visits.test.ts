// Missed visits and the waitlist order (domain/visits): late cancellations, the 2-in-14-days pattern, and the
// fair, explained order of offers for a freed slot.
import { describe, expect, it } from 'vitest';
import {
  assessMisses,
  findMissedVisitRule,
  isLateCancellation,
  missedVisitRuleOn,
  rankWaitlist,
  waitlistRuleOn,
  type WaitlistCandidate,
} from '../../../domain/visits/index.js';
import { parseProcessReply } from '../../../connectors/messaging/inbound.js';

const rule = missedVisitRuleOn('2026-12-07');

describe('missed-visit rules', () => {
  it('are rules data with an effective date and a source', () => {
    expect(rule).toMatchObject({ lateCancelHours: 24, patternMisses: 2, patternWindowDays: 14 });
    expect(rule.source).toMatch(/policy/);
    expect(() => missedVisitRuleOn('2019-12-31')).toThrow(/no missed-visit rule/);
    expect(findMissedVisitRule('2019-12-31')).toBeUndefined();
    expect(waitlistRuleOn('2026-12-07')).toMatchObject({ offersPerRound: 3, offerMinutes: 120 });
  });

  it('a patient cancellation within 24 h is late; the clinic’s or the weather’s never counts', () => {
    const start = '2026-12-08T15:00:00Z';
    expect(isLateCancellation({ start, cancelledAt: '2026-12-07T15:00:00Z', reason: 'patient' }, rule)).toBe(
      true,
    );
    expect(isLateCancellation({ start, cancelledAt: '2026-12-07T14:59:00Z', reason: 'patient' }, rule)).toBe(
      false,
    );
    expect(isLateCancellation({ start, cancelledAt: '2026-12-08T14:00:00Z', reason: 'other' }, rule)).toBe(
      true,
    );
    expect(isLateCancellation({ start, cancelledAt: '2026-12-08T14:00:00Z', reason: 'clinic' }, rule)).toBe(
      false,
    );
    expect(isLateCancellation({ start, cancelledAt: '2026-12-08T14:00:00Z', reason: 'weather' }, rule)).toBe(
      false,
    );
  });

  it('one miss: automated offer; two within 14 days: the pattern and a call; two 20 days apart: a call, no pattern', () => {
    expect(assessMisses(['2026-12-01'], rule)).toMatchObject({
      missesInEpisode: 1,
      pattern: false,
      frontDeskCalls: false,
    });
    const two = assessMisses(['2026-12-10', '2026-11-27'], rule);
    expect(two).toMatchObject({ missesInEpisode: 2, missesInWindow: 2, pattern: true, frontDeskCalls: true });
    expect(two.explanation).toContain('episode is at risk');
    // 14 days counting the latest day: 11-27 … 12-10 is inside, 11-26 is not.
    expect(assessMisses(['2026-12-10', '2026-11-26'], rule)).toMatchObject({
      missesInWindow: 1,
      pattern: false,
      frontDeskCalls: true,
    });
  });
});

describe('waitlist order', () => {
  const slot = {
    locationId: 'L1',
    therapistId: 'T1',
    start: '2026-12-10T15:00:00Z',
    end: '2026-12-10T16:00:00Z',
    date: '2026-12-10',
    freedByPatientId: 'P-freed',
  };
  const base = (id: string, over: Partial<WaitlistCandidate> = {}): WaitlistCandidate => ({
    entryId: id,
    patientId: `P-${id}`,
    locationId: 'L1',
    acuity: 1,
    minutes: 45,
    waitingSince: '2026-11-01T00:00:00Z',
    ...over,
  });

  it('authorization ending soonest first, then longest waiting, then acuity; each place explained', () => {
    const { ranked } = rankWaitlist(
      [
        base('a', { waitingSince: '2026-10-01T00:00:00Z' }),
        base('b', { authorizationEndsOn: '2026-12-31' }),
        base('c', { authorizationEndsOn: '2026-12-20' }),
        base('d', { acuity: 3 }),
        base('e', { acuity: 2 }),
      ],
      slot,
    );
    expect(ranked.map((r) => r.entryId)).toEqual(['c', 'b', 'a', 'd', 'e']);
    expect(ranked[0]!.explanation).toBe(
      '#1: authorization ends 2026-12-20 (10 days after the slot); waiting 39 days; acuity 1 of 3',
    );
    expect(ranked[3]!.explanation).toMatch(/acuity 3 of 3$/);
  });

  it('leaves out, with the reason, whoever the slot cannot serve', () => {
    const { ranked, ineligible } = rankWaitlist(
      [
        base('own', { patientId: 'P-freed' }),
        base('far', { locationId: 'L2' }),
        base('other', { therapistId: 'T2' }),
        base('long', { minutes: 90 }),
        base('expired', { authorizationEndsOn: '2026-12-09' }),
        base('ok', { therapistId: 'T1' }),
      ],
      slot,
    );
    expect(ranked.map((r) => r.entryId)).toEqual(['ok']);
    expect(Object.fromEntries(ineligible.map((i) => [i.entryId, i.reason]))).toEqual({
      own: 'freed this slot',
      far: 'other location',
      other: 'waits for another therapist',
      long: 'needs 90 min, slot has 60',
      expired: 'authorization ends before the slot',
    });
  });

  it('is a total order: the same input gives the same order whatever the input order', () => {
    const list = [base('x'), base('y'), base('z')];
    const a = rankWaitlist(list, slot).ranked.map((r) => r.entryId);
    const b = rankWaitlist([...list].reverse(), slot).ranked.map((r) => r.entryId);
    expect(a).toEqual(['x', 'y', 'z']);
    expect(b).toEqual(a);
  });
});

describe('process replies (inbound SMS)', () => {
  it('a slot number or YES/NO, nothing else', () => {
    expect(parseProcessReply(' 2. ', 'slot_number')).toEqual({ slot: 2 });
    expect(parseProcessReply('12', 'slot_number')).toBeUndefined();
    expect(parseProcessReply('yes please', 'yes_no')).toBeUndefined();
    expect(parseProcessReply('Sí', 'yes_no')).toEqual({ accept: true });
    expect(parseProcessReply('no', 'yes_no')).toEqual({ accept: false });
  });
});

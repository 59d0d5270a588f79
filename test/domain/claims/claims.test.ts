import { describe, it, expect } from 'vitest';
import { timelyFilingDeadline, timelyFilingStatus } from '../../../domain/claims/timely-filing.js';
import { findDuplicates, type PriorClaim } from '../../../domain/claims/duplicates.js';
import {
  planAuthorizationRequest,
  checkAuthorization,
  isInitialRequest,
} from '../../../domain/prior-authorization/authorization.js';
import { profile } from '../helpers.js';

describe('worked example 6: Medicare timely filing', () => {
  const medicare = { kind: 'calendar_year' } as const;
  it('DOS 2025-07-01 must be received by 2026-07-01', () => {
    expect(timelyFilingDeadline(medicare, '2025-07-01')).toBe('2026-07-01');
    expect(timelyFilingStatus(medicare, '2025-07-01', '2026-07-01')).toEqual({
      status: 'open',
      deadline: '2026-07-01',
      daysLeft: 0,
    });
    expect(timelyFilingStatus(medicare, '2025-07-01', '2026-07-02').status).toBe('expired');
  });
  it('Feb-29 variant: DOS 2024-02-29 due 2025-02-28', () => {
    expect(timelyFilingDeadline(medicare, '2024-02-29')).toBe('2025-02-28');
  });
  it('a 999/277CA rejection before the deadline does not count as filed', () => {
    const s = timelyFilingStatus(medicare, '2025-07-01', '2026-07-05', [
      { receivedDate: '2026-06-20', outcome: 'rejected' },
    ]);
    expect(s.status).toBe('expired');
    const ok = timelyFilingStatus(medicare, '2025-07-01', '2026-07-05', [
      { receivedDate: '2026-06-20', outcome: 'rejected' },
      { receivedDate: '2026-06-25', outcome: 'accepted' },
    ]);
    expect(ok).toEqual({ status: 'filed', filedOn: '2026-06-25', deadline: '2026-07-01', timely: true });
  });
  it('commercial: days from the payer profile', () => {
    expect(timelyFilingDeadline(profile('commercial-ama').timelyFiling, '2025-01-15')).toBe('2025-04-15');
  });
});

describe('worked example 7: UHC Medicare Advantage, new patient, POC for 12 visits', () => {
  const rule = profile('ma-fastlane', '2025-06-01').auth;
  it('submit for the full POC; first 6 covered, 7–12 to clinical review; do not schedule 7+ as authorized', () => {
    expect(planAuthorizationRequest(rule, 12, '2025-06-02')).toEqual({
      requestedVisits: 12,
      fastLaneVisits: 6,
      reviewVisits: 6,
      shortForm: false,
      schedulableThroughVisit: 6,
      fastLaneWindowEnds: '2025-07-27',
    });
  });
  it('≤ 6 visits qualify for the short form / same-day path', () => {
    expect(planAuthorizationRequest(rule, 6)).toMatchObject({ shortForm: true, reviewVisits: 0 });
  });
  it('initial request: new patient, new condition, or a gap of ≥ 90 days', () => {
    const base = { newPatient: false, newCondition: false, requestDate: '2025-06-01' };
    expect(isInitialRequest(rule, { ...base, newPatient: true })).toBe(true);
    expect(isInitialRequest(rule, { ...base, lastVisitDate: '2025-03-03' })).toBe(true);
    expect(isInitialRequest(rule, { ...base, lastVisitDate: '2025-03-04' })).toBe(false);
  });
  it('policy changes by date: no fast lane before 2025-01-13', () => {
    expect(profile('ma-fastlane', '2024-10-01').auth.fastLane).toBeUndefined();
    expect(profile('ma-fastlane', '2025-01-13').auth.fastLane).toEqual({ maxVisits: 6, withinWeeks: 8 });
  });
  it('auth checks: evaluation exempt, visits exhausted ("visit 13 of 12"), window', () => {
    const auth = {
      number: 'A1',
      status: 'approved' as const,
      startDate: '2025-06-01',
      endDate: '2025-07-31',
      visitsAuthorized: 12,
    };
    const base = { rule, dos: '2025-06-10', units: 3, codes: ['97110'], evaluationOnly: false };
    expect(checkAuthorization({ ...base, evaluationOnly: true, authorizations: [] })).toEqual({
      required: false,
      problems: [],
    });
    expect(checkAuthorization({ ...base, authorizations: [] }).problems).toEqual(['missing']);
    expect(checkAuthorization({ ...base, authorizations: [{ ...auth, visitsUsed: 11 }] }).problems).toEqual(
      [],
    );
    expect(checkAuthorization({ ...base, authorizations: [{ ...auth, visitsUsed: 12 }] }).problems).toEqual([
      'visits_exhausted',
    ]);
    expect(checkAuthorization({ ...base, dos: '2025-08-01', authorizations: [auth] }).problems).toEqual([
      'outside_window',
    ]);
  });
  it('an episode the payer answered "not required" for needs no authorization or number on its dates', () => {
    const waived = { status: 'not_required' as const, startDate: '2025-06-01', endDate: '2025-07-31' };
    const base = { rule, dos: '2025-06-10', units: 3, codes: ['97110'], evaluationOnly: false };
    expect(checkAuthorization({ ...base, authorizations: [waived] })).toEqual({
      required: false,
      problems: [],
    });
    // Outside the answered dates the payer's rule applies again.
    expect(checkAuthorization({ ...base, dos: '2025-08-01', authorizations: [waived] })).toMatchObject({
      required: true,
      problems: expect.arrayContaining(['not_approved', 'no_number', 'outside_window']),
    });
  });
});

describe('duplicate detection', () => {
  const prior: PriorClaim = {
    claimId: 'c-0',
    patientId: 'p',
    payerId: 'medicare-part-b',
    dos: '2025-07-01',
    status: 'submitted',
    frequency: '1',
    lines: [{ code: '97110', modifiers: ['GP'], units: 2 }],
  };
  const key = {
    claimId: 'c-1',
    patientId: 'p',
    payerId: 'medicare-part-b',
    dos: '2025-07-01',
    lines: prior.lines,
  };
  it('exact, overlapping, and ignored (rejected/voided)', () => {
    expect(findDuplicates(key, [prior])[0]?.kind).toBe('exact');
    expect(
      findDuplicates({ ...key, lines: [...prior.lines, { code: '97140', modifiers: ['GP'], units: 1 }] }, [
        prior,
      ])[0]?.kind,
    ).toBe('overlapping');
    expect(findDuplicates(key, [{ ...prior, status: 'rejected' }])).toEqual([]);
    expect(findDuplicates(key, [{ ...prior, dos: '2025-07-02' }])).toEqual([]);
  });
});

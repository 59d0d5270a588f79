import { describe, expect, it } from 'vitest';
import {
  applyDecision,
  checkVisit,
  DEFAULT_AUTHORIZATION_ALERT_POLICY,
  dueAlerts,
  newLedger,
  nextAlertDate,
  recordVisit,
  shouldRequestExtension,
  type AuthorizationLedger,
} from '../../../domain/prior-authorization/lifecycle.js';
import { endOfLocalDay, localDate, startOfLocalDay } from '../../../domain/core/zoned.js';

const approved = (visits = 6): AuthorizationLedger =>
  applyDecision(newLedger(), {
    outcome: 'approved',
    authNumber: 'AUTH-1',
    visitsAuthorized: visits,
    startDate: '2026-03-01',
    endDate: '2026-03-30',
  });

describe('authorization ledger', () => {
  it('counts visits 1-6 and rejects visit 7 of 6 with a reason', () => {
    let l = approved();
    for (let i = 1; i <= 6; i++) {
      const v = { visitId: `v${i}`, dos: '2026-03-10', units: 3 };
      expect(checkVisit(l, v)).toEqual({ ok: true, duplicate: false });
      l = recordVisit(l, v);
    }
    expect(l.status).toBe('exhausted');
    expect(checkVisit(l, { visitId: 'v7', dos: '2026-03-11', units: 3 })).toEqual({
      ok: false,
      code: 'visits_exhausted',
      reason: 'Visit 7 would exceed the 6 authorized visits.',
    });
  });

  it('never counts the same visit twice', () => {
    const v = { visitId: 'v1', dos: '2026-03-10', units: 2 };
    const once = recordVisit(approved(), v);
    expect(checkVisit(once, v)).toEqual({ ok: true, duplicate: true });
    expect(recordVisit(once, v)).toBe(once);
    expect(once.visitsUsed).toBe(1);
  });

  it('rejects visits outside the date window and before approval', () => {
    expect(checkVisit(approved(), { visitId: 'a', dos: '2026-02-28', units: 1 })).toMatchObject({
      ok: false,
      code: 'before_start',
    });
    expect(checkVisit(approved(), { visitId: 'b', dos: '2026-03-31', units: 1 })).toMatchObject({
      ok: false,
      code: 'after_end',
    });
    expect(checkVisit(newLedger(), { visitId: 'c', dos: '2026-03-10', units: 1 })).toMatchObject({
      ok: false,
      code: 'not_approved',
    });
  });

  it('rejects units beyond a unit-scoped authorization', () => {
    const l = applyDecision(newLedger(), {
      outcome: 'approved',
      unitsAuthorized: 8,
      startDate: '2026-03-01',
      endDate: '2026-03-30',
    });
    expect(checkVisit(l, { visitId: 'x', dos: '2026-03-02', units: 9 })).toMatchObject({
      ok: false,
      code: 'units_exhausted',
    });
  });

  it('raises a visits-low alert at 2 remaining, once, and asks for an extension while the POC continues', () => {
    let l = approved();
    for (let i = 1; i <= 4; i++) l = recordVisit(l, { visitId: `v${i}`, dos: '2026-03-05', units: 2 });
    const alerts = dueAlerts(l, DEFAULT_AUTHORIZATION_ALERT_POLICY, '2026-03-05');
    expect(alerts.map((a) => a.kind)).toEqual(['visits_low']);
    expect(shouldRequestExtension(l, alerts, true)).toBe(true);
    expect(shouldRequestExtension(l, alerts, false)).toBe(false);
    const raised = { ...l, alertsRaised: alerts.map((a) => a.key) };
    expect(dueAlerts(raised, DEFAULT_AUTHORIZATION_ALERT_POLICY, '2026-03-05')).toEqual([]);
  });

  it('adds the visits of an approved extension and keeps used visits counted', () => {
    let l = approved();
    for (let i = 1; i <= 6; i++) l = recordVisit(l, { visitId: `v${i}`, dos: '2026-03-05', units: 2 });
    l = { ...l, extensionsRequested: 1, status: 'extension_requested' };
    l = applyDecision(l, { outcome: 'approved', visitsAuthorized: 6, endDate: '2026-04-30' });
    expect(l).toMatchObject({
      status: 'extended',
      visitsAuthorized: 12,
      visitsUsed: 6,
      endDate: '2026-04-30',
      extensionsApproved: 1,
    });
    expect(checkVisit(l, { visitId: 'v7', dos: '2026-04-02', units: 2 })).toEqual({
      ok: true,
      duplicate: false,
    });
  });

  it('schedules date alerts 14 and 7 days before the end date', () => {
    const l = approved();
    expect(nextAlertDate(l, DEFAULT_AUTHORIZATION_ALERT_POLICY, '2026-03-01')).toBe('2026-03-16');
    expect(dueAlerts(l, DEFAULT_AUTHORIZATION_ALERT_POLICY, '2026-03-16').map((a) => a.key)).toEqual([
      'ending:2026-03-30:14',
    ]);
    expect(dueAlerts(l, DEFAULT_AUTHORIZATION_ALERT_POLICY, '2026-03-23').map((a) => a.key)).toEqual([
      'ending:2026-03-30:14',
      'ending:2026-03-30:7',
    ]);
  });
});

describe('clinic-local dates', () => {
  it('computes local dates and day boundaries across a DST change', () => {
    expect(localDate(new Date('2026-03-08T05:30:00Z'), 'America/Chicago')).toBe('2026-03-07');
    // 2026-03-08 is 23 hours long in Chicago (clocks spring forward).
    const start = startOfLocalDay('2026-03-08', 'America/Chicago');
    const end = endOfLocalDay('2026-03-08', 'America/Chicago');
    expect(start.toISOString()).toBe('2026-03-08T06:00:00.000Z');
    expect(end.toISOString()).toBe('2026-03-09T05:00:00.000Z');
    expect(endOfLocalDay('2026-11-01', 'America/Chicago').toISOString()).toBe('2026-11-02T06:00:00.000Z');
  });
});

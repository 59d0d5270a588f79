// The break-glass policy (SEC-AC-3) is dated data: the entry in force is the latest one whose effective date has
// come, and every entry stays inside what security.md asks for (a short window, a required reason, a rate).
import { describe, expect, it } from 'vitest';
import { breakGlassPolicies, breakGlassPolicyAt, checkSecondFactor } from '../../domain/break-glass.js';

describe('break-glass policy', () => {
  it('picks the entry in force on the day (UTC), the first one before any entry', () => {
    const first = breakGlassPolicies[0]!;
    expect(breakGlassPolicyAt(new Date(`${first.effectiveFrom}T00:00:00Z`))).toBe(first);
    expect(breakGlassPolicyAt(new Date('2000-01-01T00:00:00Z'))).toBe(first);
    expect(breakGlassPolicyAt(new Date('2099-12-31T23:59:59Z'))).toBe(breakGlassPolicies.at(-1));
  });

  it('keeps every entry time-boxed, rate-limited and reason-bound, in date order', () => {
    const dates = breakGlassPolicies.map((p) => p.effectiveFrom);
    expect([...dates].sort()).toEqual(dates);
    for (const p of breakGlassPolicies) {
      expect(p.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.grantMinutes).toBeGreaterThan(0);
      expect(p.grantMinutes).toBeLessThanOrEqual(60);
      expect(p.maxGrantsPerWindow).toBeGreaterThan(0);
      expect(p.rateWindowHours).toBeGreaterThanOrEqual(1);
      expect(p.reasonMinChars).toBeGreaterThanOrEqual(10);
      expect(p.reasonMaxChars).toBeGreaterThan(p.reasonMinChars);
    }
  });
});

describe('break-glass second factor (issue #20)', () => {
  const policy = breakGlassPolicyAt(new Date('2026-12-08T12:00:00Z'));
  const now = new Date('2026-12-08T12:00:00Z');
  const at = (minutesAgo: number) => Math.floor(now.getTime() / 1000) - minutesAgo * 60;

  it('is required from 2026-12-07 on, not before (dated policy)', () => {
    expect(policy.secondFactor).toBeDefined();
    expect(breakGlassPolicyAt(new Date('2026-12-01T00:00:00Z')).secondFactor).toBeUndefined();
  });

  it('refuses API keys, sign-ins without a second factor and stale or undated ones; admits a recent one', () => {
    const max = policy.secondFactor!.maxAgeMinutes;
    expect(checkSecondFactor({ type: 'api_key', amr: [] }, now, policy)).toEqual({
      ok: false,
      reason: 'InteractiveSignInRequired',
    });
    expect(checkSecondFactor({ type: 'user', amr: ['pwd'], authTime: at(1) }, now, policy)).toEqual({
      ok: false,
      reason: 'MfaRequired',
    });
    expect(checkSecondFactor({ type: 'user', amr: ['pwd', 'otp'] }, now, policy).ok).toBe(false);
    expect(checkSecondFactor({ type: 'user', amr: ['mfa'], authTime: at(max + 1) }, now, policy).ok).toBe(
      false,
    );
    expect(checkSecondFactor({ type: 'user', amr: ['mfa'], authTime: at(-10) }, now, policy).ok).toBe(false);
    for (const m of ['mfa', 'otp', 'hwk']) {
      expect(
        checkSecondFactor({ type: 'user', amr: ['pwd', m], authTime: at(max - 1) }, now, policy),
      ).toEqual({
        ok: true,
      });
    }
  });
});

// The break-glass policy (SEC-AC-3) is dated data: the entry in force is the latest one whose effective date has
// come, and every entry stays inside what security.md asks for (a short window, a required reason, a rate).
import { describe, expect, it } from 'vitest';
import { breakGlassPolicies, breakGlassPolicyAt } from '../../domain/break-glass.js';

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

// Break-glass policy (SEC-AC-3, 45 CFR 164.312(a)(2)(ii) emergency access), as dated data: a change of the
// window or the rate is a new entry with its own effective date, so the rule in force at any moment is known.
// The numbers are a design choice (security.md suggests 60 minutes), pending the privacy officer's sign-off.

export interface BreakGlassPolicy {
  /** First day (UTC, YYYY-MM-DD) the policy applies. */
  effectiveFrom: string;
  /** How long a grant lasts before it lapses on its own. */
  grantMinutes: number;
  /** Grants one principal may open within `rateWindowHours` (ended or not); more answer 429. */
  maxGrantsPerWindow: number;
  rateWindowHours: number;
  /** Bounds of the free-text reason: long enough to say why, short enough to stay a reason. */
  reasonMinChars: number;
  reasonMaxChars: number;
}

export const breakGlassPolicies: readonly BreakGlassPolicy[] = [
  {
    effectiveFrom: '2026-11-27',
    grantMinutes: 60,
    maxGrantsPerWindow: 3,
    rateWindowHours: 24,
    reasonMinChars: 10,
    reasonMaxChars: 500,
  },
];

/** The policy in force at `at` (the earliest one for instants before every entry). */
export function breakGlassPolicyAt(at: Date): BreakGlassPolicy {
  const day = at.toISOString().slice(0, 10);
  const inForce = breakGlassPolicies.filter((p) => p.effectiveFrom <= day);
  return inForce.at(-1) ?? breakGlassPolicies[0]!;
}

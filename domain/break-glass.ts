// Break-glass policy (emergency access to PHI, 45 CFR 164.312(a)(2)(ii): a stated reason, a short window that
// expires by itself, an audit event and a privacy-officer notification, rate-limited), as dated data: a
// change of the window or the rate is a new entry with its own effective date, so the rule in force at any
// moment is known. The numbers are a design choice (the security requirements suggest 60 minutes), pending
// the privacy officer's sign-off.

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
  /**
   * Second factor: opening a grant needs an interactive sign-in whose `amr` (RFC 8176 method references) names
   * one of `methods`, authenticated at most `maxAgeMinutes` ago (`auth_time`). API keys carry neither and are
   * refused. Absent: no second factor required (the rule before 2026-12-07).
   */
  secondFactor?: { methods: readonly string[]; maxAgeMinutes: number };
}

export const breakGlassPolicies: readonly [BreakGlassPolicy, ...BreakGlassPolicy[]] = [
  {
    effectiveFrom: '2026-11-27',
    grantMinutes: 60,
    maxGrantsPerWindow: 3,
    rateWindowHours: 24,
    reasonMinChars: 10,
    reasonMaxChars: 500,
  },
  {
    // Issue #20: a second factor, recent, from an interactive sign-in (NIST SP 800-63B AAL2 re-authentication
    // for a privileged action; RFC 8176 for the method names; RFC 9470 for asking the client to step up).
    effectiveFrom: '2026-12-07',
    grantMinutes: 60,
    maxGrantsPerWindow: 3,
    rateWindowHours: 24,
    reasonMinChars: 10,
    reasonMaxChars: 500,
    secondFactor: {
      methods: ['mfa', 'otp', 'hwk', 'swk', 'sc', 'sms', 'tel', 'fpt', 'face', 'iris', 'retina'],
      maxAgeMinutes: 15,
    },
  },
];

/** The policy in force at `at` (the earliest one for instants before every entry). */
export function breakGlassPolicyAt(at: Date): BreakGlassPolicy {
  const day = at.toISOString().slice(0, 10);
  const inForce = breakGlassPolicies.filter((policy) => policy.effectiveFrom <= day);
  return inForce.at(-1) ?? breakGlassPolicies[0];
}

export type SecondFactorCheck =
  | { ok: true }
  /** An API key: it cannot carry a sign-in's second factor. */
  | { ok: false; reason: 'InteractiveSignInRequired' }
  /** A sign-in without a second factor, or one older than the policy's window (or of unknown age). */
  | { ok: false; reason: 'MfaRequired' };

/** Whether a caller may open a grant at `now`: a recent second factor from an interactive (OIDC) sign-in. */
export function checkSecondFactor(
  caller: { type: 'api_key' | 'user'; amr: readonly string[]; authTime?: number },
  now: Date,
  policy: BreakGlassPolicy,
): SecondFactorCheck {
  const required = policy.secondFactor;
  if (!required) return { ok: true };
  if (caller.type !== 'user') return { ok: false, reason: 'InteractiveSignInRequired' };
  if (!caller.amr.some((m) => required.methods.includes(m))) return { ok: false, reason: 'MfaRequired' };
  if (caller.authTime === undefined) return { ok: false, reason: 'MfaRequired' };
  const ageSeconds = now.getTime() / 1000 - caller.authTime;
  // A sign-in dated in the future by more than clock skew is not trusted either.
  if (ageSeconds > required.maxAgeMinutes * 60 || ageSeconds < -60)
    return { ok: false, reason: 'MfaRequired' };
  return { ok: true };
}

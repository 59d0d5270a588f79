// Chaos profiles (CHAOS_PROFILE=reduced|full): how many processes of each kind, how long the outages last,
// how many times the worker dies and the Temporal server restarts. `reduced` is sized for CI (a few minutes on
// two cores); `full` is the recipe (60 s outages) for an on-demand run.
import { z } from 'zod';

export interface ChaosProfile {
  name: 'reduced' | 'full';
  /** Onboardings with a commercial plan (no authorization) and with a Medicare Advantage plan (auth child). */
  onboardings: { commercial: number; withAuthorization: number };
  /** Claims that should be paid at once, and claims denied CO-15 that go back as a frequency-7 replacement. */
  claims: { paid: number; replaced: number };
  plansOfCare: number;
  /** Payer and EMR outage length. */
  outageMs: number;
  workerKills: number;
  serverRestarts: number;
  /** Transient connector failures and lost answers, per call. */
  faultRate: number;
  seed: number;
}

const PROFILES: Record<ChaosProfile['name'], Omit<ChaosProfile, 'seed'>> = {
  reduced: {
    name: 'reduced',
    onboardings: { commercial: 2, withAuthorization: 2 },
    claims: { paid: 3, replaced: 1 },
    plansOfCare: 2,
    outageMs: 15_000,
    workerKills: 4,
    serverRestarts: 1,
    faultRate: 0.1,
  },
  full: {
    name: 'full',
    onboardings: { commercial: 6, withAuthorization: 6 },
    claims: { paid: 10, replaced: 3 },
    plansOfCare: 6,
    outageMs: 60_000,
    workerKills: 8,
    serverRestarts: 2,
    faultRate: 0.1,
  },
};

const Env = z.object({
  CHAOS_PROFILE: z.enum(['reduced', 'full']).default('reduced'),
  CHAOS_SEED: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31)
    .default(20_261_127),
});

export function chaosProfile(env: NodeJS.ProcessEnv = process.env): ChaosProfile {
  const e = Env.parse(env);
  return { ...PROFILES[e.CHAOS_PROFILE], seed: e.CHAOS_SEED };
}

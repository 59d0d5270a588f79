// The sandbox payer's book of business: which X12 payer ids it answers for, the domain payer profile each
// follows, and the plan benefits a profile does not carry (cost share, contracted rates). Data, not logic.
import {
  COMMERCIAL_AMA,
  DEMO_PRACTICE_ID,
  MEDICARE_ADVANTAGE_FASTLANE,
  MEDICARE_PART_B,
} from '../../../domain/rules/data/index.js';

export interface SandboxPlan {
  /** NM109 payer id the sandbox answers to. */
  x12PayerId: string;
  name: string;
  /** Domain payer-profile id: coding, auth and filing rules come from there. */
  profileId: string;
  /** 271 EB04 insurance type (MB Medicare Part B, HM HMO, C1 commercial). */
  insuranceType: string;
  /**
   * 835 CLP06 claim filing indicator. The 835 (005010X221A1) allows a narrower list than the 837's SBR09: 12
   * PPO, 13 POS, 14 EPO, 15 indemnity, 16 HMO Medicare risk, 17 DMO, AM, CH, DS, HM, LM, MA, MB, MC, OF, TV,
   * VA, WC, ZZ — there is no CI (commercial) or BL, so a commercial plan says what kind of plan it is.
   */
  remittanceFilingIndicator: '12' | '13' | '14' | '15' | '16' | 'HM' | 'MA' | 'MB' | 'MC';
  /** Yearly deductible (PR-1) and coinsurance (PR-2, basis points); copay (PR-3) is the profile's. */
  deductibleCents: number;
  coinsuranceBasisPoints: number;
  /**
   * Contracted allowed amount: a share (basis points) of the base fee schedule rows (the Medicare expected
   * allowed of domain/ data); codes without a row are allowed at `fallbackBasisPointsOfCharge`.
   */
  baseFeeSchedule: { practiceId: string; payerId: string };
  allowedBasisPointsOfBase: number;
  fallbackBasisPointsOfCharge: number;
  source: string;
}

export const SANDBOX_PLANS: readonly SandboxPlan[] = [
  {
    x12PayerId: 'SBXMCR',
    name: 'SANDBOX MEDICARE PART B',
    profileId: MEDICARE_PART_B,
    insuranceType: 'MB',
    remittanceFilingIndicator: 'MB',
    // CY2025 Part B deductible $257 (VERIFY yearly); 20 % coinsurance after it.
    deductibleCents: 25_700,
    coinsuranceBasisPoints: 2_000,
    baseFeeSchedule: { practiceId: DEMO_PRACTICE_ID, payerId: MEDICARE_PART_B },
    allowedBasisPointsOfBase: 10_000,
    fallbackBasisPointsOfCharge: 4_500,
    source: 'sandbox: CY2025 Part B cost share; allowed = demo MPFS estimate',
  },
  {
    x12PayerId: 'SBXMAFL',
    name: 'SANDBOX MEDICARE ADVANTAGE',
    profileId: MEDICARE_ADVANTAGE_FASTLANE,
    insuranceType: 'HM',
    remittanceFilingIndicator: '16',
    deductibleCents: 0,
    coinsuranceBasisPoints: 0,
    baseFeeSchedule: { practiceId: DEMO_PRACTICE_ID, payerId: MEDICARE_PART_B },
    allowedBasisPointsOfBase: 10_000,
    fallbackBasisPointsOfCharge: 4_500,
    source: 'sandbox: MA plan paying 100 % of Medicare with a per-visit copay',
  },
  {
    x12PayerId: 'SBXCOMM',
    name: 'SANDBOX COMMERCIAL PPO',
    profileId: COMMERCIAL_AMA,
    insuranceType: 'C1',
    remittanceFilingIndicator: '12',
    deductibleCents: 0,
    coinsuranceBasisPoints: 0,
    baseFeeSchedule: { practiceId: DEMO_PRACTICE_ID, payerId: MEDICARE_PART_B },
    allowedBasisPointsOfBase: 12_000,
    fallbackBasisPointsOfCharge: 6_000,
    source: 'sandbox: commercial PPO at 120 % of Medicare with a per-visit copay',
  },
];

export function planByX12Id(x12PayerId: string): SandboxPlan | undefined {
  return SANDBOX_PLANS.find((p) => p.x12PayerId === x12PayerId);
}

/** The directory entries a connector needs to talk to the sandbox (domain payer id → X12 id). */
export function sandboxPayerDirectory(): { payerId: string; x12PayerId: string; name: string }[] {
  return SANDBOX_PLANS.map((p) => ({ payerId: p.profileId, x12PayerId: p.x12PayerId, name: p.name }));
}

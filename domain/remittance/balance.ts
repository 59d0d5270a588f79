// Remittance balancing (835, 005010X221A1 §1.10.2): a remittance is posted only when every balance holds.
//  - transaction: BPR02 = Σ CLP04 − Σ PLB amounts (a debit BPR counts negative; PLB amounts are signed: a
//    positive WO overpayment recovery or FB forward balance reduces the payment, a negative L6 interest or FB
//    increases it);
//  - claim: CLP03 − CLP04 = Σ claim CAS + Σ line CAS, and CLP05 = Σ PR adjustments when both are present;
//  - line: SVC02 − SVC03 = Σ line CAS.
// Pure: the caller passes the parsed 835 (structurally: no connector import in domain/). Imbalances name the
// level, the rule, the position and the amounts — never a patient, member or claim identifier.

export interface BalanceAdjustment {
  group: string;
  reasonCode: string;
  amountCents: number;
}

export interface BalanceLine {
  chargeCents: number;
  paidCents: number;
  adjustments: readonly BalanceAdjustment[];
}

export interface BalanceClaim {
  statusCode: string;
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents?: number;
  adjustments: readonly BalanceAdjustment[];
  services: readonly BalanceLine[];
}

export interface BalanceProviderAdjustment {
  adjustments: readonly { reasonCode: string; referenceId?: string; amountCents: number }[];
}

export interface BalanceRemittance {
  payment: { amountCents: number; creditDebit: 'C' | 'D' };
  claims: readonly BalanceClaim[];
  providerAdjustments: readonly BalanceProviderAdjustment[];
}

export type ImbalanceRule = 'BPR02_TOTAL' | 'CLAIM_CAS' | 'CLAIM_PATIENT_RESPONSIBILITY' | 'LINE_CAS';

export interface Imbalance {
  rule: ImbalanceRule;
  /** 1-based CLP position in the transaction (claim and line rules). */
  claimIndex?: number;
  /** 1-based SVC position in the claim (line rule). */
  lineIndex?: number;
  expectedCents: number;
  actualCents: number;
  /** PHI-free sentence for the biller's task. */
  message: string;
}

/** PLB03-1 adjustment reason codes the balance report names (X12 5010 code list, our wording). */
export const PLB_REASONS: Readonly<Record<string, string>> = {
  WO: 'overpayment recovery',
  FB: 'forwarding balance',
  L6: 'interest owed',
  '72': 'authorized return',
  CS: 'adjustment',
  J1: 'non-reimbursable',
  IR: 'internal revenue service withholding',
  L3: 'penalty',
  50: 'late charge',
  B2: 'rebate',
  BD: 'bad debt adjustment',
  C5: 'temporary allowance',
  AP: 'acceleration of benefits',
};

export interface ProviderAdjustmentSummary {
  reasonCode: string;
  meaning: string;
  amountCents: number;
}

export interface BalanceReport {
  balanced: boolean;
  /** Σ CLP04 − Σ PLB. */
  expectedPaymentCents: number;
  /** BPR02, negative for a debit. */
  paymentCents: number;
  providerAdjustments: ProviderAdjustmentSummary[];
  imbalances: Imbalance[];
}

const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
const dollars = (cents: number): string => `${cents < 0 ? '-' : ''}${(Math.abs(cents) / 100).toFixed(2)}`;

/** SVC02 − SVC03 = Σ line CAS. */
export function lineImbalance(
  line: BalanceLine,
  claimIndex: number,
  lineIndex: number,
): Imbalance | undefined {
  const expected = line.chargeCents - line.paidCents;
  const actual = sum(line.adjustments.map((a) => a.amountCents));
  if (expected === actual) return undefined;
  return {
    rule: 'LINE_CAS',
    claimIndex,
    lineIndex,
    expectedCents: expected,
    actualCents: actual,
    message: `claim ${claimIndex} line ${lineIndex}: charge − paid is ${dollars(expected)} but its adjustments total ${dollars(actual)}`,
  };
}

/** CLP03 − CLP04 = Σ claim CAS + Σ line CAS; CLP05 = Σ PR; and every line. */
export function claimImbalances(claim: BalanceClaim, claimIndex: number): Imbalance[] {
  const out: Imbalance[] = [];
  const all = [...claim.adjustments, ...claim.services.flatMap((l) => l.adjustments)];
  const expected = claim.chargeCents - claim.paidCents;
  const actual = sum(all.map((a) => a.amountCents));
  if (expected !== actual) {
    out.push({
      rule: 'CLAIM_CAS',
      claimIndex,
      expectedCents: expected,
      actualCents: actual,
      message: `claim ${claimIndex}: charge − paid is ${dollars(expected)} but its adjustments total ${dollars(actual)}`,
    });
  }
  if (claim.patientResponsibilityCents !== undefined) {
    const pr = sum(all.filter((a) => a.group === 'PR').map((a) => a.amountCents));
    if (pr !== claim.patientResponsibilityCents) {
      out.push({
        rule: 'CLAIM_PATIENT_RESPONSIBILITY',
        claimIndex,
        expectedCents: claim.patientResponsibilityCents,
        actualCents: pr,
        message: `claim ${claimIndex}: patient responsibility is ${dollars(claim.patientResponsibilityCents)} but its PR adjustments total ${dollars(pr)}`,
      });
    }
  }
  claim.services.forEach((line, i) => {
    const bad = lineImbalance(line, claimIndex, i + 1);
    if (bad) out.push(bad);
  });
  return out;
}

/** Every balance of one 835 transaction. */
export function balanceRemittance(remit: BalanceRemittance): BalanceReport {
  const plb = remit.providerAdjustments.flatMap((p) => p.adjustments);
  const expectedPaymentCents = sum(remit.claims.map((c) => c.paidCents)) - sum(plb.map((a) => a.amountCents));
  const paymentCents =
    remit.payment.creditDebit === 'D' ? -remit.payment.amountCents : remit.payment.amountCents;
  const imbalances: Imbalance[] = [];
  if (expectedPaymentCents !== paymentCents) {
    imbalances.push({
      rule: 'BPR02_TOTAL',
      expectedCents: expectedPaymentCents,
      actualCents: paymentCents,
      message: `payment is ${dollars(paymentCents)} but claims paid less provider adjustments is ${dollars(expectedPaymentCents)}`,
    });
  }
  remit.claims.forEach((c, i) => imbalances.push(...claimImbalances(c, i + 1)));
  return {
    balanced: imbalances.length === 0,
    expectedPaymentCents,
    paymentCents,
    providerAdjustments: plb.map((a) => ({
      reasonCode: a.reasonCode,
      meaning: PLB_REASONS[a.reasonCode] ?? 'other provider-level adjustment',
      amountCents: a.amountCents,
    })),
    imbalances,
  };
}

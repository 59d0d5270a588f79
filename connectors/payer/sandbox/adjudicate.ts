// How the sandbox payer judges a claim: with the same domain rules the engine codes and scrubs by (discipline
// modifier, NCCI, MUE, KX threshold, prior auth, timely filing, duplicates), paying the contracted allowed
// amount less patient cost share. Pure: the store supplies the member's history, the caller the date.
import type { AuthorizationRecord } from '../../../domain/prior-authorization/authorization.js';
import { checkAuthorization } from '../../../domain/prior-authorization/authorization.js';
import { assistantAllowedCents, feeOn } from '../../../domain/billing/fees.js';
import { kxThresholdOn } from '../../../domain/billing/kx.js';
import { checkMue } from '../../../domain/billing/mue.js';
import { activePtpEdits, allowsBypass, isBypassModifier } from '../../../domain/billing/ncci.js';
import { DISCIPLINE_MODIFIER, ASSISTANT_MODIFIER } from '../../../domain/billing/modifiers.js';
import { findDuplicates, type PriorClaim } from '../../../domain/claims/duplicates.js';
import { timelyFilingStatus } from '../../../domain/claims/timely-filing.js';
import { lookupCode } from '../../../domain/codes/cpt.js';
import { applyBasisPoints } from '../../../domain/core/money.js';
import type { PayerProfile } from '../../../domain/model/payer-profile.js';
import type { Adjustment, AdjustmentGroup, Claim837, ServiceLine837 } from '../x12/index.js';
import type { SandboxPlan } from './plans.js';
import type { Scenario } from './scenarios.js';

export interface AdjudicationInput {
  claim: Claim837;
  plan: SandboxPlan;
  profile: PayerProfile;
  /** Date the payer received the claim (timely filing). */
  receivedDate: string;
  scenario?: Scenario;
  /** Member's allowed therapy amount already accrued this calendar year (KX bucket). */
  accruedAllowedCents: number;
  /** Deductible already met this year. */
  deductibleMetCents: number;
  /** Member's other claims (duplicate check). */
  priorClaims: readonly PriorClaim[];
  /** Member's authorizations on file at this payer. */
  authorizations: readonly AuthorizationRecord[];
}

export interface LineAdjudication {
  line: ServiceLine837;
  allowedCents: number;
  paidCents: number;
  adjustments: Adjustment[];
  remarks: string[];
}

export interface Adjudication {
  /** CLP02: 1 processed as primary, 4 denied. */
  statusCode: '1' | '4';
  lines: LineAdjudication[];
  chargeCents: number;
  allowedCents: number;
  paidCents: number;
  patientResponsibilityCents: number;
  deductibleCents: number;
  /** The first denial reason, for the claim row and the 277. */
  denial?: { group: AdjustmentGroup; carc: string };
}

const DISCIPLINE = new Set<string>(Object.values(DISCIPLINE_MODIFIER));
const ASSISTANT = new Set<string>(Object.values(ASSISTANT_MODIFIER));
/** Scenario cost shares when the plan itself has none (a plan with coinsurance/copay uses its own). */
const SCENARIO_COINSURANCE_BP = 2_000;
const SCENARIO_COPAY_CENTS = 3_000;

type Denial = { group: AdjustmentGroup; carc: string; rarcs: string[] };

const deny = (group: AdjustmentGroup, carc: string, rarcs: string[] = []): Denial => ({ group, carc, rarcs });

function claimDenial(input: AdjudicationInput, dos: string): Denial | undefined {
  const { claim, profile, scenario } = input;
  // A forced denial stands for "the original claim had this defect": a corrected replacement (frequency 7)
  // is adjudicated on its merits, which is what lets the engine's correct-and-resubmit path be exercised.
  if (
    scenario?.kind === 'carc' &&
    !scenario.lastLineOnly &&
    !['1', '2', '3', '45'].includes(scenario.carc) &&
    claim.frequencyCode !== '7'
  ) {
    return deny(scenario.group, scenario.carc, scenario.rarcs);
  }
  const filing = timelyFilingStatus(profile.timelyFiling, dos, input.receivedDate, [
    { receivedDate: input.receivedDate, outcome: 'accepted' },
  ]);
  if (filing.status === 'filed' && !filing.timely) return deny('CO', '29', ['N211']);
  const dupes = findDuplicates(
    {
      claimId: claim.patientControlNumber,
      patientId: claim.subscriber.memberId,
      payerId: claim.payer.payerId,
      dos,
      lines: claim.lines.map((l) => ({ code: l.procedureCode, modifiers: l.modifiers, units: l.units })),
    },
    input.priorClaims,
  );
  if (dupes.some((d) => d.kind === 'exact')) return deny('CO', '18');
  const auth = checkAuthorization({
    rule: profile.auth,
    dos,
    evaluationOnly: claim.lines.every((l) => lookupCode(l.procedureCode)?.kind === 'evaluation'),
    units: claim.lines.reduce((s, l) => s + l.units, 0),
    codes: [],
    authorizations: input.authorizations.filter(
      (a) => claim.priorAuthorizationNumber !== undefined && a.number === claim.priorAuthorizationNumber,
    ),
  });
  if (auth.required) {
    if (claim.priorAuthorizationNumber === undefined) return deny('CO', '197');
    if (auth.problems.includes('missing')) return deny('CO', '15');
    if (auth.problems.includes('not_approved')) return deny('CO', '197');
    if (auth.problems.length > 0) return deny('CO', '198');
  }
  return undefined;
}

function lineDenial(
  line: ServiceLine837,
  input: AdjudicationInput,
  codes: readonly string[],
  dos: string,
): Denial | undefined {
  const { profile } = input;
  const info = lookupCode(line.procedureCode);
  if (info === undefined) return deny('CO', '16', ['M51']);
  if (info.medicareNonCovered && !profile.coversDryNeedling) return deny('CO', '96');
  if (
    info.alwaysTherapy &&
    profile.requiresDisciplineModifier &&
    !line.modifiers.some((m) => DISCIPLINE.has(m))
  )
    return deny('CO', '4', ['N519']);
  if (profile.appliesNcci) {
    const bundled = activePtpEdits(codes, dos).some(
      (e) => e.column2 === line.procedureCode && (!allowsBypass(e) || !line.modifiers.some(isBypassModifier)),
    );
    if (bundled) return deny('CO', '97');
  }
  return undefined;
}

function allowedPerUnit(line: ServiceLine837, input: AdjudicationInput, dos: string): number {
  const { plan, profile } = input;
  const base = feeOn(
    plan.baseFeeSchedule.practiceId,
    plan.baseFeeSchedule.payerId,
    line.procedureCode,
    dos,
  )?.expectedAllowedCents;
  const perUnitCharge = Math.floor(line.chargeCents / Math.max(1, line.units));
  const allowed =
    base === null || base === undefined
      ? applyBasisPoints(perUnitCharge, plan.fallbackBasisPointsOfCharge)
      : applyBasisPoints(base, plan.allowedBasisPointsOfBase);
  return profile.requiresAssistantModifier && line.modifiers.some((m) => ASSISTANT.has(m))
    ? assistantAllowedCents(allowed, dos)
    : allowed;
}

export function adjudicate(input: AdjudicationInput): Adjudication {
  const { claim, plan, profile, scenario } = input;
  const dos = claim.lines.map((l) => l.serviceDate).sort()[0] ?? input.receivedDate;
  const codes = claim.lines.map((l) => l.procedureCode);
  const overKx = scenario?.kind === 'over_kx_threshold';
  const threshold = profile.therapyThresholdKx ? kxThresholdOn(dos) : undefined;
  let accrued = input.accruedAllowedCents + (overKx && threshold !== undefined ? threshold : 0);
  let deductibleLeft = overKx ? 0 : Math.max(0, plan.deductibleCents - input.deductibleMetCents);
  const claimLevel = claimDenial(input, dos);

  // `SBX-L…`: the forced denial lands on the last line of the original claim only (a partial payment).
  const lastLineDenial =
    scenario?.kind === 'carc' && scenario.lastLineOnly && claim.frequencyCode !== '7'
      ? deny(scenario.group, scenario.carc, scenario.rarcs)
      : undefined;
  const lines: LineAdjudication[] = claim.lines.map((line, i) => {
    const denial =
      claimLevel ??
      (i === claim.lines.length - 1 && claim.lines.length > 1 ? lastLineDenial : undefined) ??
      lineDenial(line, input, codes, dos);
    if (denial !== undefined) {
      return {
        line,
        allowedCents: 0,
        paidCents: 0,
        adjustments: [{ group: denial.group, reasonCode: denial.carc, amountCents: line.chargeCents }],
        remarks: denial.rarcs,
      };
    }
    const adjustments: Adjustment[] = [];
    const remarks: string[] = [];
    let payableUnits = line.units;
    let payableCharge = line.chargeCents;
    const cap = profile.appliesMue ? checkMue(line.procedureCode, line.units, dos) : undefined;
    if (cap !== undefined) {
      payableUnits = cap.allowed;
      payableCharge = Math.floor((line.chargeCents * payableUnits) / line.units);
      adjustments.push({ group: 'CO', reasonCode: '151', amountCents: line.chargeCents - payableCharge });
      remarks.push('N362');
    }
    const allowed = Math.min(payableCharge, allowedPerUnit(line, input, dos) * payableUnits);
    const therapy = lookupCode(line.procedureCode)?.alwaysTherapy === true;
    if (
      threshold !== undefined &&
      therapy &&
      accrued + allowed > threshold &&
      !line.modifiers.includes('KX')
    ) {
      return {
        line,
        allowedCents: 0,
        paidCents: 0,
        adjustments: [{ group: 'CO', reasonCode: '119', amountCents: line.chargeCents }],
        remarks: [],
      };
    }
    if (therapy) accrued += allowed;
    if (payableCharge > allowed)
      adjustments.push({ group: 'CO', reasonCode: '45', amountCents: payableCharge - allowed });
    return { line, allowedCents: allowed, paidCents: allowed, adjustments, remarks };
  });

  // Patient cost share over the payable lines: deductible, then coinsurance, then one copay per visit.
  const forced = scenario?.kind === 'carc' ? scenario.carc : undefined;
  const coinsuranceBp =
    forced === '2' && plan.coinsuranceBasisPoints === 0
      ? SCENARIO_COINSURANCE_BP
      : plan.coinsuranceBasisPoints;
  let copayLeft = forced === '3' ? (profile.copayCents ?? SCENARIO_COPAY_CENTS) : (profile.copayCents ?? 0);
  let deductibleTaken = 0;
  for (const l of lines) {
    if (l.allowedCents === 0) continue;
    let left = l.allowedCents;
    const take = (carc: string, amount: number): void => {
      const a = Math.min(left, amount);
      if (a <= 0) return;
      l.adjustments.push({ group: 'PR', reasonCode: carc, amountCents: a });
      left -= a;
    };
    const ded = forced === '1' ? left : Math.min(left, deductibleLeft);
    take('1', ded);
    deductibleLeft = Math.max(0, deductibleLeft - ded);
    deductibleTaken += ded;
    take('2', applyBasisPoints(left, coinsuranceBp));
    const copay = Math.min(left, copayLeft);
    take('3', copay);
    copayLeft -= copay;
    l.paidCents = left;
  }

  const sum = (f: (l: LineAdjudication) => number): number => lines.reduce((s, l) => s + f(l), 0);
  const patientResponsibilityCents = sum((l) =>
    l.adjustments.filter((a) => a.group === 'PR').reduce((s, a) => s + a.amountCents, 0),
  );
  const firstDenial = lines
    .flatMap((l) => l.adjustments)
    .find((a) => !(a.group === 'PR' && ['1', '2', '3'].includes(a.reasonCode)) && a.reasonCode !== '45');
  const allDenied = lines.every((l) => l.allowedCents === 0);
  const out: Adjudication = {
    statusCode: allDenied ? '4' : '1',
    lines,
    chargeCents: sum((l) => l.line.chargeCents),
    allowedCents: sum((l) => l.allowedCents),
    paidCents: sum((l) => l.paidCents),
    patientResponsibilityCents,
    deductibleCents: deductibleTaken,
  };
  if (firstDenial !== undefined) out.denial = { group: firstDenial.group, carc: firstDenial.reasonCode };
  // `SBX-UNBALANCED-…`: a payer's arithmetic slip — the first line's adjustments are one cent short, so neither
  // the line nor the claim balances (charge − paid ≠ Σ CAS). What the engine must refuse to post.
  const first = lines[0];
  if (scenario?.kind === 'unbalanced' && first !== undefined && first.adjustments[0] !== undefined) {
    first.adjustments[0] = { ...first.adjustments[0], amountCents: first.adjustments[0].amountCents - 1 };
  }
  return out;
}

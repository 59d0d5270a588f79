// Codes one visit into claim lines (DESIGN §2.3 step 1): units by the payer's method, GP, CQ, KX, NCCI
// bypass modifiers only where allowed and documented, MUE caps, four modifiers per line. Problems are
// findings, never exceptions: a visit with unknown codes or impossible minutes still codes what it can.
import { applyBasisPoints, type Cents } from '../core/money.js';
import { lookupCode, isCodeValidOn, isRetiredFunctionalLimitationCode } from '../codes/cpt.js';
import type { ClaimLine } from '../model/claim.js';
import { finding, type Finding } from '../model/finding.js';
import type { PayerProfile } from '../model/payer-profile.js';
import type { Visit } from '../model/visit.js';
import { resolveUnitMethod } from '../rules/payers.js';
import { ASSISTANT_PAYMENT } from '../rules/data/assistant-payment.js';
import { FEE_SCHEDULES } from '../rules/data/fee-schedules.js';
import { MUE_CURATED } from '../rules/data/mue.js';
import { NCCI_PTP_CURATED } from '../rules/data/ncci-ptp.js';
import { THERAPY_THRESHOLDS } from '../rules/data/therapy-thresholds.js';
import type { AssistantPaymentRow, FeeRow, MueRow, PtpRow, ThresholdRow } from '../rules/types.js';
import { splitAssistantUnits } from './assistant.js';
import { feeOn } from './fees.js';
import { decideKx, type KxDecision } from './kx.js';
import { ASSISTANT_MODIFIER, DISCIPLINE_MODIFIER, fitModifiers } from './modifiers.js';
import { checkMue, mueOn, type MueCap } from './mue.js';
import { activePtpEdits, allowsBypass } from './ncci.js';
import { allocateTimedUnits, type UnitAllocation } from './units.js';
import { findEffective } from '../core/effective.js';

export interface RuleSet {
  ptp: readonly PtpRow[];
  mue: readonly MueRow[];
  fees: readonly FeeRow[];
  thresholds: readonly ThresholdRow[];
  assistantPayment: readonly AssistantPaymentRow[];
}

export const DEFAULT_RULES: RuleSet = {
  ptp: NCCI_PTP_CURATED,
  mue: MUE_CURATED,
  fees: FEE_SCHEDULES,
  thresholds: THERAPY_THRESHOLDS,
  assistantPayment: ASSISTANT_PAYMENT,
};

export interface CodingContext {
  profile: PayerProfile;
  /** Secondary payer's profile when its unit method may conflict (§1.3 secondaryConflict). */
  secondaryProfile?: PayerProfile;
  /** Beneficiary's PT+SLP allowed amount so far this calendar year, for KX (Medicare). */
  kx?: { accruedAllowedCents: Cents; override?: 'apply' | 'withhold'; medicalNecessityDocumented?: boolean };
  rules?: Partial<RuleSet>;
}

export interface CodedLine extends ClaimLine {
  furnishedBy: 'PT' | 'PTA';
  expectedAllowedCents: Cents | null;
}

export interface CodedVisit {
  method: 'CMS_TOTAL_TIME' | 'AMA_SPM';
  totalTimedMinutes: number;
  lines: CodedLine[];
  allocations: UnitAllocation[];
  kx?: KxDecision;
  findings: Finding[];
}

/** Above a full day of minutes the record is wrong, not long. */
const MAX_MINUTES_PER_DAY = 24 * 60;

interface CodeMinutes {
  code: string;
  timed: boolean;
  pt: number;
  pta: number;
  sequence: number;
}

export function codeVisit(visit: Visit, ctx: CodingContext): CodedVisit {
  const rules: RuleSet = { ...DEFAULT_RULES, ...ctx.rules };
  const { profile } = ctx;
  const dos = visit.dos;
  const findings: Finding[] = [];
  const method = resolveUnitMethod(profile, ctx.secondaryProfile);

  // 1. Validate interventions and gather minutes per code (PT vs PTA).
  const byCode = new Map<string, CodeMinutes>();
  visit.interventions.forEach((iv, index) => {
    const field = `interventions[${index}]`;
    const info = lookupCode(iv.code);
    if (isRetiredFunctionalLimitationCode(iv.code) && dos >= '2019-01-01') {
      findings.push(
        finding(
          'RETIRED_FLR_CODE',
          'error',
          `${field}.code`,
          `${iv.code} is a functional-limitation G-code, retired for DOS from 2019-01-01`,
          'Remove the code [R9]',
        ),
      );
      return;
    }
    if (!info) {
      findings.push(
        finding(
          'UNKNOWN_CODE',
          'error',
          `${field}.code`,
          `${iv.code} is not in the PT code table`,
          'Correct the procedure code or add it to the code table',
        ),
      );
      return;
    }
    if (!isCodeValidOn(info, dos)) {
      findings.push(
        finding(
          'CODE_NOT_VALID_ON_DOS',
          'error',
          `${field}.code`,
          `${iv.code} is not valid on the date of service`,
          'Use the code in force on the DOS (e.g. 97161–97163 replaced 97001 on 2017-01-01)',
        ),
      );
      return;
    }
    if (iv.minutes > MAX_MINUTES_PER_DAY) {
      findings.push(
        finding(
          'IMPOSSIBLE_MINUTES',
          'error',
          `${field}.minutes`,
          `${iv.minutes} minutes exceeds one day`,
          'Correct the documented minutes',
        ),
      );
      return;
    }
    if (info.therapistOnly && iv.furnishedBy === 'PTA') {
      findings.push(
        finding(
          'ASSISTANT_NOT_PERMITTED',
          'error',
          `${field}.furnishedBy`,
          `${iv.code} may not be furnished by an assistant`,
          'Evaluations and re-evaluations must be furnished by the PT',
        ),
      );
      return;
    }
    if (info.discipline && info.discipline !== visit.discipline) {
      findings.push(
        finding(
          'DISCIPLINE_MISMATCH',
          'error',
          `${field}.code`,
          `${iv.code} belongs to ${info.discipline}, visit discipline is ${visit.discipline}`,
          'Use the evaluation code of the treating discipline',
        ),
      );
      return;
    }
    if (info.medicareNonCovered && !profile.coversDryNeedling) {
      findings.push(
        finding(
          'NON_COVERED_SERVICE',
          'warning',
          `${field}.code`,
          `${iv.code} is not covered by this payer`,
          'Bill the patient only with a valid voluntary ABN and modifier GX; otherwise do not bill [R20]',
        ),
      );
    }
    const entry = byCode.get(iv.code) ?? {
      code: iv.code,
      timed: info.timed,
      pt: 0,
      pta: 0,
      sequence: iv.sequence ?? index,
    };
    if (iv.furnishedBy === 'PTA') entry.pta += iv.minutes;
    else entry.pt += iv.minutes; // PT and PTA together counts as the PT's service [R22]
    entry.sequence = Math.min(entry.sequence, iv.sequence ?? index);
    byCode.set(iv.code, entry);
  });

  const entries = [...byCode.values()].sort((a, b) => a.sequence - b.sequence || (a.code < b.code ? -1 : 1));
  const timedEntries = entries.filter((e) => e.timed);
  const totalTimedMinutes = timedEntries.reduce((s, e) => s + e.pt + e.pta, 0);
  if (visit.totalTreatmentMinutes === undefined && totalTimedMinutes > 0) {
    findings.push(
      finding(
        'TOTAL_TREATMENT_TIME_MISSING',
        'warning',
        'totalTreatmentMinutes',
        'The note records timed minutes but no total treatment time',
        'Document total timed minutes and total treatment time in the note [R10]',
      ),
    );
  }
  if (visit.totalTreatmentMinutes !== undefined && totalTimedMinutes > visit.totalTreatmentMinutes) {
    findings.push(
      finding(
        'MINUTES_EXCEED_TREATMENT_TIME',
        'error',
        'totalTreatmentMinutes',
        `Timed minutes (${totalTimedMinutes}) exceed the documented total treatment time (${visit.totalTreatmentMinutes})`,
        'Correct the note: billed units must be supported by documented minutes [R10]',
      ),
    );
  }

  // 2. Units: timed codes by the payer's method; untimed codes one per encounter.
  const allocations = allocateTimedUnits(
    method,
    timedEntries.map((e) => ({ code: e.code, minutes: e.pt + e.pta, sequence: e.sequence })),
    { codePriority: profile.codePriority },
  );
  const unitsByCode = new Map<string, UnitAllocation>(allocations.map((a) => [a.code, a]));

  // 3. Lines per code, split PT / PTA (CQ).
  const discipline = DISCIPLINE_MODIFIER[visit.discipline];
  const assistantMod = visit.discipline === 'SLP' ? undefined : ASSISTANT_MODIFIER[visit.discipline];
  const draft: CodedLine[] = [];
  for (const e of entries) {
    const info = lookupCode(e.code)!;
    const alloc = unitsByCode.get(e.code);
    const units = e.timed ? (alloc?.units ?? 0) : 1;
    const audit = alloc ? [...alloc.audit] : [`${e.code} untimed: 1 unit per encounter`];
    if (units === 0) {
      findings.push(
        finding(
          'TIMED_CODE_NOT_BILLABLE',
          'info',
          `interventions.${e.code}`,
          `${e.code} (${e.pt + e.pta} min) earns no unit under ${method}`,
          'None: the minutes do not support a unit',
        ),
      );
      continue;
    }
    const split =
      profile.requiresAssistantModifier && assistantMod
        ? splitAssistantUnits({ code: e.code, timed: e.timed, ptMinutes: e.pt, ptaMinutes: e.pta, units })
        : { ptUnits: units, ptaUnits: 0, audit: [] as string[] };
    if ('verify' in split && split.verify) {
      findings.push(
        finding(
          'CQ_SPLIT_VERIFY',
          'info',
          `lines.${e.code}`,
          split.verify,
          'Confirm against the CMS CQ billing examples [R21]',
        ),
      );
    }
    const base = info.alwaysTherapy && profile.requiresDisciplineModifier ? [discipline] : [];
    const parts: Array<['PT' | 'PTA', number]> = [
      ['PT', split.ptUnits],
      ['PTA', split.ptaUnits],
    ];
    for (const [who, n] of parts) {
      if (n === 0) continue;
      draft.push({
        lineNumber: 0,
        code: e.code,
        modifiers: who === 'PTA' && assistantMod ? [...base, assistantMod] : [...base],
        units: n,
        chargeCents: 0,
        diagnosisPointers: [],
        dos,
        minutes: e.timed ? e.pt + e.pta : undefined,
        audit: [...audit, ...split.audit],
        furnishedBy: who,
        expectedAllowedCents: null,
      });
    }
  }

  // 4. NCCI PTP: a bypass modifier only for indicator 1 with clinician-confirmed documentation [R12, R25].
  if (profile.appliesNcci) {
    const edits = activePtpEdits(
      draft.map((l) => l.code),
      dos,
      rules.ptp,
    );
    const usedDocs = new Set<string>();
    for (const edit of edits) {
      const pair = `${edit.column1}/${edit.column2}`;
      const doc = visit.distinctServices.find((d) => d.code === edit.column2);
      if (edit.verify) {
        findings.push(
          finding(
            'NCCI_EDIT_VERIFY',
            'info',
            `lines.${edit.column2}`,
            `NCCI pair ${pair} (indicator ${edit.modifierIndicator}) comes from review-flagged data`,
            edit.verify,
          ),
        );
      }
      if (!allowsBypass(edit)) {
        findings.push(
          finding(
            'NCCI_PTP_NO_BYPASS',
            'error',
            `lines.${edit.column2}`,
            `${edit.column2} is bundled into ${edit.column1} (NCCI pair ${pair}, indicator ${edit.modifierIndicator}: no modifier bypass)`,
            `Remove the ${edit.column2} line; it is not separately payable with ${edit.column1}`,
          ),
        );
        continue;
      }
      if (!doc) {
        findings.push(
          finding(
            'NCCI_BYPASS_UNDOCUMENTED',
            'error',
            `lines.${edit.column2}`,
            `NCCI pair ${pair} allows a bypass, but no distinct service is documented for ${edit.column2}`,
            `Have the clinician confirm distinct-service documentation (XE/XS/XP/XU) for ${edit.column2}, or remove the line`,
          ),
        );
        continue;
      }
      usedDocs.add(doc.code);
      for (const line of draft.filter((l) => l.code === edit.column2)) {
        if (!line.modifiers.includes(doc.modifier)) line.modifiers.push(doc.modifier);
        line.audit.push(
          `${doc.modifier} for NCCI pair ${pair} (indicator 1), distinct service confirmed by clinician [R12]`,
        );
      }
    }
    visit.distinctServices.forEach((d, i) => {
      if (!usedDocs.has(d.code)) {
        findings.push(
          finding(
            'DISTINCT_SERVICE_NOT_NEEDED',
            'info',
            `distinctServices[${i}]`,
            `No active NCCI pair with a bypass needs ${d.modifier} on ${d.code}`,
            'None: 59/X is appended only to bypass an indicator-1 edit',
          ),
        );
      }
    });
  }

  // 5. MUE caps. MAI 1 is a line edit (each line on its own); MAI 2/3 limit the code on the DOS, and the
  // excess comes off the assistant line first [R29].
  if (profile.appliesMue) {
    for (const code of new Set(draft.map((l) => l.code))) {
      const lines = draft.filter((l) => l.code === code);
      if (mueOn(code, dos, rules.mue)?.mai === 1) {
        for (const line of lines) {
          const cap = checkMue(code, line.units, dos, rules.mue);
          if (!cap) continue;
          line.audit.push(
            `MUE line edit ${cap.allowed} (MAI 1): ${line.units - cap.allowed} unit(s) removed`,
          );
          line.units = cap.allowed;
          findings.push(mueFinding(cap));
        }
        continue;
      }
      const cap = checkMue(
        code,
        lines.reduce((s, l) => s + l.units, 0),
        dos,
        rules.mue,
      );
      if (!cap) continue;
      let excess = cap.requested - cap.allowed;
      const ptaFirst = [...lines].sort(
        (a, b) => Number(b.furnishedBy === 'PTA') - Number(a.furnishedBy === 'PTA'),
      );
      for (const line of ptaFirst) {
        const take = Math.min(excess, line.units);
        line.units -= take;
        excess -= take;
        if (take > 0) line.audit.push(`MUE cap ${cap.allowed} (MAI ${cap.row.mai}): ${take} unit(s) removed`);
      }
      findings.push(mueFinding(cap));
    }
  }
  const kept = draft.filter((l) => l.units > 0);

  // 6. Charges and expected allowed from the fee schedule in force on the DOS.
  const assistantRow = findEffective(rules.assistantPayment, dos);
  let allowedKnown = true;
  for (const line of kept) {
    const fee = feeOn(visit.practiceId, visit.payerId, line.code, dos, rules.fees);
    if (!fee) {
      findings.push(
        finding(
          'FEE_MISSING',
          'error',
          `lines.${line.code}.chargeCents`,
          `No fee on file for ${line.code} on the DOS`,
          'Add the code to the practice fee schedule',
        ),
      );
      allowedKnown = false;
      continue;
    }
    line.chargeCents = fee.chargeCents * line.units;
    if (fee.expectedAllowedCents === null) {
      allowedKnown = false;
    } else {
      const perUnit =
        line.furnishedBy === 'PTA' && assistantRow
          ? applyBasisPoints(fee.expectedAllowedCents, assistantRow.basisPoints)
          : fee.expectedAllowedCents;
      line.expectedAllowedCents = perUnit * line.units;
    }
  }

  // 7. KX once the year's allowed therapy amount passes the threshold (Medicare) [R15].
  let kx: KxDecision | undefined;
  if (profile.therapyThresholdKx) {
    const therapyLines = kept.filter((l) => lookupCode(l.code)?.alwaysTherapy);
    const visitAllowed = therapyLines.reduce((s, l) => s + (l.expectedAllowedCents ?? 0), 0);
    if (!allowedKnown) {
      findings.push(
        finding(
          'KX_ESTIMATE_INCOMPLETE',
          'warning',
          'lines[].expectedAllowedCents',
          'Expected allowed amount unknown for some lines; the KX projection may be low',
          'Load the payer fee schedule for these codes',
        ),
      );
    }
    if (!ctx.kx) {
      findings.push(
        finding(
          'KX_ACCRUAL_UNKNOWN',
          'warning',
          'kx.accruedAllowedCents',
          'Year-to-date therapy accrual not supplied; KX not evaluated',
          'Supply the beneficiary accrual (our remittances plus 271 accumulators)',
        ),
      );
    } else {
      kx = decideKx({ dos, visitAllowedCents: visitAllowed, ...ctx.kx }, rules.thresholds);
      findings.push(...kx.findings);
      if (kx.applyKx) {
        for (const l of therapyLines) {
          l.modifiers.push('KX');
          l.audit.push(
            `KX: projected allowed ${kx.projectedCents} ¢ above threshold ${kx.thresholdCents} ¢ [R15]`,
          );
        }
      }
    }
  }

  // 8. Order modifiers, four slots; pointers; line numbers.
  const pointers = visit.diagnoses.slice(0, 4).map((_, i) => i + 1);
  kept.forEach((line, i) => {
    const { modifiers, overflow } = fitModifiers(line.modifiers);
    line.modifiers = modifiers;
    if (overflow.length > 0) {
      findings.push(
        finding(
          'MODIFIER_OVERFLOW',
          'error',
          `lines[${i}].modifiers`,
          `${overflow.length} modifier(s) do not fit the four SV1 slots: ${overflow.join(', ')}`,
          'Drop an informational modifier or split the line per the payer guide',
        ),
      );
    }
    line.lineNumber = i + 1;
    line.diagnosisPointers = pointers;
  });

  return kx === undefined
    ? { method, totalTimedMinutes, lines: kept, allocations, findings }
    : { method, totalTimedMinutes, lines: kept, allocations, kx, findings };
}

function mueFinding(cap: MueCap): Finding {
  const mai =
    cap.row.mai === 1 ? 'line edit' : cap.row.mai === 2 ? 'absolute policy limit' : 'clinical limit';
  return finding(
    'MUE_UNITS_CAPPED',
    'warning',
    `lines.${cap.code}.units`,
    `${cap.code}: ${cap.requested} units exceed the MUE of ${cap.allowed} (MAI ${cap.row.mai}, ${mai}); capped`,
    cap.row.mai === 2
      ? 'Units above an MAI 2 limit are never payable'
      : 'Bill the capped units; appeal with documentation if more were medically necessary',
  );
}

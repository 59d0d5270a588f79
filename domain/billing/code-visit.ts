// Codes one visit into claim lines (a claim's first step): units by the payer's method, GP, CQ, KX, NCCI
// bypass modifiers only where allowed and documented, MUE caps, four modifiers per line. Problems are
// findings, never exceptions: a visit with unknown codes or impossible minutes still codes what it can.
// The phases, in order: gather minutes per code, allocate units, draft lines (this file); NCCI pairs, MUE caps,
// charges, KX, modifier slots and line numbers (coding-edits.ts).
import { lookupCode, isCodeValidOn, isRetiredFunctionalLimitationCode, type CodeInfo } from '../codes/cpt.js';
import { finding, type Finding } from '../model/finding.js';
import type { PayerProfile } from '../model/payer-profile.js';
import type { Visit } from '../model/visit.js';
import { resolveUnitMethod } from '../rules/payers.js';
import { ASSISTANT_PAYMENT } from '../rules/data/assistant-payment.js';
import { FEE_SCHEDULES } from '../rules/data/fee-schedules.js';
import { MUE_CURATED } from '../rules/data/mue.js';
import { NCCI_PTP_CURATED } from '../rules/data/ncci-ptp.js';
import { THERAPY_THRESHOLDS } from '../rules/data/therapy-thresholds.js';
import { splitAssistantUnits } from './assistant.js';
import { applyNcciEdits, capMueUnits, decideKxModifier, numberLines, priceLines } from './coding-edits.js';
import { ASSISTANT_MODIFIER, DISCIPLINE_MODIFIER } from './modifiers.js';
import { allocateTimedUnits, type UnitAllocation } from './units.js';
import type { CodedLine, CodedVisit, CodingContext, RuleSet } from './coding-types.js';

export type { CodedLine, CodedVisit, CodingContext, RuleSet } from './coding-types.js';

export const DEFAULT_RULES: RuleSet = {
  ptp: NCCI_PTP_CURATED,
  mue: MUE_CURATED,
  fees: FEE_SCHEDULES,
  thresholds: THERAPY_THRESHOLDS,
  assistantPayment: ASSISTANT_PAYMENT,
};

/** Above a full day of minutes the record is wrong, not long. */
const MAX_MINUTES_PER_DAY = 24 * 60;

/** One billed code's documented minutes, by who furnished them. */
interface CodeMinutes {
  code: string;
  timed: boolean;
  /** On Medicare's "always therapy" list (needs the discipline modifier). */
  alwaysTherapy: boolean;
  pt: number;
  pta: number;
  sequence: number;
}

export function codeVisit(visit: Visit, ctx: CodingContext): CodedVisit {
  const rules: RuleSet = { ...DEFAULT_RULES, ...ctx.rules };
  const { profile } = ctx;
  const findings: Finding[] = [];
  const method = resolveUnitMethod(profile, ctx.secondaryProfile);

  const entries = gatherMinutes(visit, profile, findings);
  const timedEntries = entries.filter((entry) => entry.timed);
  const totalTimedMinutes = timedEntries.reduce((sum, entry) => sum + entry.pt + entry.pta, 0);
  checkTreatmentTime(visit, totalTimedMinutes, findings);

  // Units: timed codes by the payer's method; untimed codes one per encounter.
  const allocations = allocateTimedUnits(
    method,
    timedEntries.map((entry) => ({
      code: entry.code,
      minutes: entry.pt + entry.pta,
      sequence: entry.sequence,
    })),
    { codePriority: profile.codePriority },
  );
  const draft = draftLines(visit, profile, method, entries, allocations, findings);

  if (profile.appliesNcci) applyNcciEdits(visit, draft, rules.ptp, findings);
  if (profile.appliesMue) capMueUnits(draft, visit.dos, rules.mue, findings);
  const kept = draft.filter((line) => line.units > 0);
  const allowedKnown = priceLines(visit, kept, rules, findings);
  const kx = profile.therapyThresholdKx
    ? decideKxModifier(visit.dos, kept, allowedKnown, ctx.kx, rules.thresholds, findings)
    : undefined;
  numberLines(visit, kept, findings);

  return kx === undefined
    ? { method, totalTimedMinutes, lines: kept, allocations, findings }
    : { method, totalTimedMinutes, lines: kept, allocations, kx, findings };
}

/**
 * Validate the interventions and gather minutes per code (PT vs PTA), in the note's order. An intervention that
 * cannot be billed is left out with an error finding.
 */
function gatherMinutes(visit: Visit, profile: PayerProfile, findings: Finding[]): CodeMinutes[] {
  const byCode = new Map<string, CodeMinutes>();
  visit.interventions.forEach((intervention, index) => {
    const checked = checkIntervention(visit, intervention, index);
    if ('error' in checked) {
      findings.push(checked.error);
      return;
    }
    const { info } = checked;
    if (info.medicareNonCovered && !profile.coversDryNeedling) {
      findings.push(
        finding(
          'NON_COVERED_SERVICE',
          'warning',
          `interventions[${index}].code`,
          `${intervention.code} is not covered by this payer`,
          'Bill the patient only with a valid voluntary ABN and modifier GX; otherwise do not bill [R20]',
        ),
      );
    }
    const sequence = intervention.sequence ?? index;
    const entry = byCode.get(intervention.code) ?? {
      code: intervention.code,
      timed: info.timed,
      alwaysTherapy: info.alwaysTherapy,
      pt: 0,
      pta: 0,
      sequence,
    };
    if (intervention.furnishedBy === 'PTA') entry.pta += intervention.minutes;
    else entry.pt += intervention.minutes; // PT and PTA together counts as the PT's service
    entry.sequence = Math.min(entry.sequence, sequence);
    byCode.set(intervention.code, entry);
  });
  return [...byCode.values()].sort((a, b) => a.sequence - b.sequence || (a.code < b.code ? -1 : 1));
}

/** Why the intervention at `index` cannot be billed, as an error finding on its field. */
function interventionError(
  index: number,
  findingCode: string,
  field: string,
  message: string,
  fix: string,
): { error: Finding } {
  return { error: finding(findingCode, 'error', `interventions[${index}].${field}`, message, fix) };
}

/** The code's table entry, or why the intervention cannot be billed at all. */
function checkIntervention(
  visit: Visit,
  intervention: Visit['interventions'][number],
  index: number,
): { info: CodeInfo } | { error: Finding } {
  const { code } = intervention;
  const info = lookupCode(code);
  if (isRetiredFunctionalLimitationCode(code) && visit.dos >= '2019-01-01')
    return interventionError(
      index,
      'RETIRED_FLR_CODE',
      'code',
      `${code} is a functional-limitation G-code, retired for DOS from 2019-01-01`,
      'Remove the code [R9]',
    );
  if (!info)
    return interventionError(
      index,
      'UNKNOWN_CODE',
      'code',
      `${code} is not in the PT code table`,
      'Correct the procedure code or add it to the code table',
    );
  if (!isCodeValidOn(info, visit.dos))
    return interventionError(
      index,
      'CODE_NOT_VALID_ON_DOS',
      'code',
      `${code} is not valid on the date of service`,
      'Use the code in force on the DOS (e.g. 97161–97163 replaced 97001 on 2017-01-01)',
    );
  if (intervention.minutes > MAX_MINUTES_PER_DAY)
    return interventionError(
      index,
      'IMPOSSIBLE_MINUTES',
      'minutes',
      `${intervention.minutes} minutes exceeds one day`,
      'Correct the documented minutes',
    );
  if (info.therapistOnly && intervention.furnishedBy === 'PTA')
    return interventionError(
      index,
      'ASSISTANT_NOT_PERMITTED',
      'furnishedBy',
      `${code} may not be furnished by an assistant`,
      'Evaluations and re-evaluations must be furnished by the PT',
    );
  if (info.discipline && info.discipline !== visit.discipline)
    return interventionError(
      index,
      'DISCIPLINE_MISMATCH',
      'code',
      `${code} belongs to ${info.discipline}, visit discipline is ${visit.discipline}`,
      'Use the evaluation code of the treating discipline',
    );
  return { info };
}

/** Billed units must be supported by documented minutes: timed minutes within the total treatment time. */
function checkTreatmentTime(visit: Visit, totalTimedMinutes: number, findings: Finding[]): void {
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
}

/** Lines per code, split between the PT and the assistant (CQ) where the payer requires it. */
function draftLines(
  visit: Visit,
  profile: PayerProfile,
  method: CodedVisit['method'],
  entries: readonly CodeMinutes[],
  allocations: readonly UnitAllocation[],
  findings: Finding[],
): CodedLine[] {
  const unitsByCode = new Map<string, UnitAllocation>(allocations.map((a) => [a.code, a]));
  const discipline = DISCIPLINE_MODIFIER[visit.discipline];
  const assistantModifier = visit.discipline === 'SLP' ? undefined : ASSISTANT_MODIFIER[visit.discipline];
  const draft: CodedLine[] = [];
  for (const entry of entries) {
    const minutes = entry.pt + entry.pta;
    const allocation = unitsByCode.get(entry.code);
    const units = entry.timed ? (allocation?.units ?? 0) : 1;
    const audit = allocation ? [...allocation.audit] : [`${entry.code} untimed: 1 unit per encounter`];
    if (units === 0) {
      findings.push(
        finding(
          'TIMED_CODE_NOT_BILLABLE',
          'info',
          `interventions.${entry.code}`,
          `${entry.code} (${minutes} min) earns no unit under ${method}`,
          'None: the minutes do not support a unit',
        ),
      );
      continue;
    }
    const split =
      profile.requiresAssistantModifier && assistantModifier
        ? splitAssistantUnits({
            code: entry.code,
            timed: entry.timed,
            ptMinutes: entry.pt,
            ptaMinutes: entry.pta,
            units,
          })
        : { ptUnits: units, ptaUnits: 0, audit: [] as string[] };
    if ('verify' in split && split.verify) {
      findings.push(
        finding(
          'CQ_SPLIT_VERIFY',
          'info',
          `lines.${entry.code}`,
          split.verify,
          'Confirm against the CMS CQ billing examples [R21]',
        ),
      );
    }
    const base = entry.alwaysTherapy && profile.requiresDisciplineModifier ? [discipline] : [];
    const parts: Array<['PT' | 'PTA', number]> = [
      ['PT', split.ptUnits],
      ['PTA', split.ptaUnits],
    ];
    for (const [furnishedBy, partUnits] of parts) {
      if (partUnits === 0) continue;
      draft.push({
        lineNumber: 0,
        code: entry.code,
        modifiers: furnishedBy === 'PTA' && assistantModifier ? [...base, assistantModifier] : [...base],
        units: partUnits,
        chargeCents: 0,
        diagnosisPointers: [],
        dos: visit.dos,
        minutes: entry.timed ? minutes : undefined,
        audit: [...audit, ...split.audit],
        furnishedBy,
        expectedAllowedCents: null,
      });
    }
  }
  return draft;
}

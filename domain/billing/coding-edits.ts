// The later phases of coding a visit (code-visit.ts drafts the lines): NCCI procedure-to-procedure pairs, MUE
// caps, charges and expected allowed amounts, the KX modifier, and the four modifier slots with line numbers.
// Each phase edits the drafted lines in place and adds its findings in order.
import { findEffective } from '../core/effective.js';
import { applyBasisPoints } from '../core/money.js';
import { lookupCode } from '../codes/cpt.js';
import { finding, type Finding } from '../model/finding.js';
import type { Visit } from '../model/visit.js';
import type { MueRow, PtpRow, ThresholdRow } from '../rules/types.js';
import type { CodedLine, CodingContext, RuleSet } from './coding-types.js';
import { feeOn } from './fees.js';
import { decideKx, type KxDecision } from './kx.js';
import { fitModifiers } from './modifiers.js';
import { checkMue, mueOn, type MueCap } from './mue.js';
import { activePtpEdits, allowsBypass } from './ncci.js';

/** NCCI PTP: a bypass modifier only for indicator 1 with clinician-confirmed documentation. */
export function applyNcciEdits(
  visit: Visit,
  draft: CodedLine[],
  ptp: readonly PtpRow[],
  findings: Finding[],
): void {
  const edits = activePtpEdits(
    draft.map((line) => line.code),
    visit.dos,
    ptp,
  );
  const usedDocs = new Set<string>();
  for (const edit of edits) {
    const pair = `${edit.column1}/${edit.column2}`;
    const field = `lines.${edit.column2}`;
    const doc = visit.distinctServices.find((service) => service.code === edit.column2);
    if (edit.verify) {
      findings.push(
        finding(
          'NCCI_EDIT_VERIFY',
          'info',
          field,
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
          field,
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
          field,
          `NCCI pair ${pair} allows a bypass, but no distinct service is documented for ${edit.column2}`,
          `Have the clinician confirm distinct-service documentation (XE/XS/XP/XU) for ${edit.column2}, or remove the line`,
        ),
      );
      continue;
    }
    usedDocs.add(doc.code);
    for (const line of draft.filter((candidate) => candidate.code === edit.column2)) {
      if (!line.modifiers.includes(doc.modifier)) line.modifiers.push(doc.modifier);
      line.audit.push(
        `${doc.modifier} for NCCI pair ${pair} (indicator 1), distinct service confirmed by clinician [R12]`,
      );
    }
  }
  visit.distinctServices.forEach((service, i) => {
    if (!usedDocs.has(service.code)) {
      findings.push(
        finding(
          'DISTINCT_SERVICE_NOT_NEEDED',
          'info',
          `distinctServices[${i}]`,
          `No active NCCI pair with a bypass needs ${service.modifier} on ${service.code}`,
          'None: 59/X is appended only to bypass an indicator-1 edit',
        ),
      );
    }
  });
}

/**
 * MUE caps. MAI 1 is a line edit (each line on its own); MAI 2/3 limit the code on the DOS, and the excess comes
 * off the assistant line first.
 */
export function capMueUnits(
  draft: CodedLine[],
  dos: string,
  mue: readonly MueRow[],
  findings: Finding[],
): void {
  for (const code of new Set(draft.map((line) => line.code))) {
    const lines = draft.filter((line) => line.code === code);
    if (mueOn(code, dos, mue)?.mai === 1) {
      for (const line of lines) {
        const cap = checkMue(code, line.units, dos, mue);
        if (!cap) continue;
        line.audit.push(`MUE line edit ${cap.allowed} (MAI 1): ${line.units - cap.allowed} unit(s) removed`);
        line.units = cap.allowed;
        findings.push(mueFinding(cap));
      }
      continue;
    }
    const cap = checkMue(
      code,
      lines.reduce((sum, line) => sum + line.units, 0),
      dos,
      mue,
    );
    if (!cap) continue;
    let excess = cap.requested - cap.allowed;
    const assistantFirst = [...lines].sort(
      (a, b) => Number(b.furnishedBy === 'PTA') - Number(a.furnishedBy === 'PTA'),
    );
    for (const line of assistantFirst) {
      const removed = Math.min(excess, line.units);
      line.units -= removed;
      excess -= removed;
      if (removed > 0)
        line.audit.push(`MUE cap ${cap.allowed} (MAI ${cap.row.mai}): ${removed} unit(s) removed`);
    }
    findings.push(mueFinding(cap));
  }
}

/**
 * Charges and expected allowed amounts from the fee schedule in force on the DOS (an assistant's line at the
 * assistant payment rate). False when some line's expected allowed amount is unknown.
 */
export function priceLines(
  visit: Visit,
  lines: CodedLine[],
  rules: Pick<RuleSet, 'fees' | 'assistantPayment'>,
  findings: Finding[],
): boolean {
  const assistantRow = findEffective(rules.assistantPayment, visit.dos);
  let allowedKnown = true;
  for (const line of lines) {
    const fee = feeOn(visit.practiceId, visit.payerId, line.code, visit.dos, rules.fees);
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
  return allowedKnown;
}

/**
 * KX on the therapy lines once the year's allowed therapy amount passes the threshold (Medicare).
 * Undefined when the year-to-date accrual is unknown (a warning says so).
 */
export function decideKxModifier(
  dos: string,
  lines: CodedLine[],
  allowedKnown: boolean,
  accrual: CodingContext['kx'],
  thresholds: readonly ThresholdRow[],
  findings: Finding[],
): KxDecision | undefined {
  const therapyLines = lines.filter((line) => lookupCode(line.code)?.alwaysTherapy);
  const visitAllowed = therapyLines.reduce((sum, line) => sum + (line.expectedAllowedCents ?? 0), 0);
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
  if (!accrual) {
    findings.push(
      finding(
        'KX_ACCRUAL_UNKNOWN',
        'warning',
        'kx.accruedAllowedCents',
        'Year-to-date therapy accrual not supplied; KX not evaluated',
        'Supply the beneficiary accrual (our remittances plus 271 accumulators)',
      ),
    );
    return undefined;
  }
  const kx = decideKx({ dos, visitAllowedCents: visitAllowed, ...accrual }, thresholds);
  findings.push(...kx.findings);
  if (kx.applyKx) {
    for (const line of therapyLines) {
      line.modifiers.push('KX');
      line.audit.push(
        `KX: projected allowed ${kx.projectedCents} ¢ above threshold ${kx.thresholdCents} ¢ [R15]`,
      );
    }
  }
  return kx;
}

/** Order the modifiers into the four SV1 slots; diagnosis pointers; line numbers. */
export function numberLines(visit: Visit, lines: CodedLine[], findings: Finding[]): void {
  const pointers = visit.diagnoses.slice(0, 4).map((_, i) => i + 1);
  lines.forEach((line, i) => {
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

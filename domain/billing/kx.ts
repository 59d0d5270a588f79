// KX and targeted medical review. PT and SLP share one bucket per calendar year; accrual is
// on the *allowed* amount across all providers, which we only partly see, so the decision is "likely over
// threshold" with a human override.
import { findEffective } from '../core/effective.js';
import { yearOf, type IsoDate } from '../core/dates.js';
import { formatCents, type Cents } from '../core/money.js';
import { finding, type Finding } from '../model/finding.js';
import { THERAPY_THRESHOLDS } from '../rules/data/therapy-thresholds.js';
import type { ThresholdRow } from '../rules/types.js';

export function kxThresholdOn(
  dos: IsoDate,
  rows: readonly ThresholdRow[] = THERAPY_THRESHOLDS,
): Cents | undefined {
  return findEffective(rows, dos, (r) => r.kind === 'kx')?.amountCents;
}

export function tmrThresholdOn(
  dos: IsoDate,
  rows: readonly ThresholdRow[] = THERAPY_THRESHOLDS,
): Cents | undefined {
  return findEffective(rows, dos, (r) => r.kind === 'tmr')?.amountCents;
}

export interface KxInput {
  dos: IsoDate;
  /** Allowed PT+SLP amount already accrued this calendar year (ours from 835s, plus others' from the 271). */
  accruedAllowedCents: Cents;
  /** Expected allowed amount of this visit's therapy lines. */
  visitAllowedCents: Cents;
  /** Staff decision when our view of other providers' spend is incomplete. */
  override?: 'apply' | 'withhold';
  /** The record documents medical necessity for services above the threshold (KX attests to it). */
  medicalNecessityDocumented?: boolean;
}

export interface KxDecision {
  applyKx: boolean;
  thresholdCents: Cents | undefined;
  /** accrued + this visit */
  projectedCents: Cents;
  findings: Finding[];
}

/**
 * KX goes on every PT line of a visit whose allowed amount takes (or keeps) the beneficiary's year-to-date
 * total above the threshold: "append once the allowed amount exceeds the threshold".
 */
export function decideKx(input: KxInput, rows: readonly ThresholdRow[] = THERAPY_THRESHOLDS): KxDecision {
  const threshold = kxThresholdOn(input.dos, rows);
  const projected = input.accruedAllowedCents + input.visitAllowedCents;
  const findings: Finding[] = [];
  if (threshold === undefined) {
    findings.push(
      finding(
        'KX_THRESHOLD_MISSING',
        'error',
        'dos',
        `No KX threshold on file for calendar year ${yearOf(input.dos)}`,
        'Load the therapy threshold for that year into the rule data',
      ),
    );
    return { applyKx: false, thresholdCents: undefined, projectedCents: projected, findings };
  }
  let applyKx = projected > threshold;
  if (input.override === 'apply' && !applyKx) {
    applyKx = true;
    findings.push(
      finding('KX_OVERRIDE_APPLIED', 'info', 'lines[].modifiers', 'KX applied by staff override', 'None'),
    );
  } else if (input.override === 'withhold' && applyKx) {
    applyKx = false;
    findings.push(
      finding(
        'KX_OVERRIDE_WITHHELD',
        'warning',
        'lines[].modifiers',
        `Projected allowed amount ${formatCents(projected)} exceeds the ${formatCents(threshold)} threshold but KX was withheld by staff`,
        'Expect CO-119 unless another payer is primary; apply KX if the services are medically necessary',
      ),
    );
  }
  if (applyKx && input.medicalNecessityDocumented === false) {
    findings.push(
      finding(
        'KX_NECESSITY_UNDOCUMENTED',
        'error',
        'visit.documentation',
        'KX attests medical necessity, but the note does not document it',
        'Document medical necessity for continued therapy before billing with KX',
      ),
    );
  }
  const tmr = tmrThresholdOn(input.dos, rows);
  if (tmr === undefined) {
    findings.push(
      finding(
        'TMR_THRESHOLD_MISSING',
        'warning',
        'dos',
        `No targeted-medical-review threshold on file for ${yearOf(input.dos)} (MEI-indexed from 2028)`,
        'Load the indexed TMR amount for that year',
      ),
    );
  } else if (projected > tmr) {
    findings.push(
      finding(
        'TMR_EXPOSURE',
        'info',
        'lines[].modifiers',
        `Year-to-date allowed therapy amount ${formatCents(projected)} is above the ${formatCents(tmr)} targeted medical review threshold`,
        'Make sure documentation supports medical necessity; the claim may be selected for targeted review',
      ),
    );
  }
  return { applyKx, thresholdCents: threshold, projectedCents: projected, findings };
}

// Submission-level checks: claim frequency, timely filing, duplicates.
import { findDuplicates } from '../claims/duplicates.js';
import { timelyFilingStatus } from '../claims/timely-filing.js';
import { finding, type Finding } from '../model/finding.js';
import { claimDos, type ScrubContext } from './context.js';

export function checkFrequency({ claim, profile }: ScrubContext): Finding[] {
  if (claim.frequency === '1') return [];
  const out: Finding[] = [];
  if (!claim.originalClaimNumber) {
    out.push(
      finding(
        'ORIGINAL_CLAIM_NUMBER_MISSING',
        'error',
        'originalClaimNumber',
        `Frequency ${claim.frequency} needs the payer's original claim number`,
        'Put the original claim control number in 2300 REF*F8 [ST4]',
      ),
    );
  }
  if (!profile.acceptsReplacementClaims) {
    out.push(
      finding(
        'REPLACEMENT_NOT_ACCEPTED',
        'error',
        'frequency',
        'This payer does not accept replacement/void claims',
        profile.correctedClaimMethod === 'reopening'
          ? 'Request a reopening with the MAC instead'
          : "Follow the payer's corrected-claim method",
      ),
    );
  }
  return out;
}

export function checkTimelyFiling(ctx: ScrubContext): Finding[] {
  const dos = claimDos(ctx.claim);
  if (!dos) return [];
  const status = timelyFilingStatus(ctx.profile.timelyFiling, dos, ctx.asOf, ctx.submissions ?? []);
  // Both findings point at the claim's date of service.
  const onDos = (code: string, severity: 'error' | 'warning', message: string, fix: string) => [
    finding(code, severity, 'lines[0].dos', message, fix),
  ];
  if (status.status === 'expired')
    return onDos(
      'TIMELY_FILING_EXPIRED',
      'error',
      `Filing deadline ${status.deadline} passed ${status.daysLate} day(s) ago`,
      'Submit only with proof of timely filing or an exception (administrative error, retroactive entitlement); otherwise write off — CO-29 is not appealable at Medicare [R40]',
    );
  if (status.status === 'open' && status.daysLeft <= ctx.profile.timelyFilingWarningDays)
    return onDos(
      'TIMELY_FILING_NEAR',
      'warning',
      `Filing deadline ${status.deadline} is ${status.daysLeft} day(s) away`,
      'Submit now; a front-end rejection does not stop the clock',
    );
  return [];
}

export function checkDuplicates(ctx: ScrubContext): Finding[] {
  const { claim } = ctx;
  const dos = claimDos(claim);
  if (!dos || !ctx.priorClaims) return [];
  const matches = findDuplicates(
    { claimId: claim.id, patientId: claim.patientId, payerId: claim.payerId, dos, lines: claim.lines },
    ctx.priorClaims,
  );
  const out: Finding[] = [];
  for (const m of matches) {
    const replacesIt =
      claim.frequency !== '1' &&
      m.prior.payerClaimNumber !== undefined &&
      claim.originalClaimNumber === m.prior.payerClaimNumber;
    if (replacesIt) continue;
    out.push(
      m.kind === 'exact'
        ? finding(
            'DUPLICATE_CLAIM',
            'error',
            'lines',
            `Same services on the same DOS were already billed (${m.codes.length} code(s))`,
            'Do not resubmit: check the original with a 276; to correct it send frequency 7 with REF*F8 (prevents CO-18)',
          )
        : finding(
            'POSSIBLE_DUPLICATE',
            'warning',
            'lines',
            `${m.codes.length} code(s) on this DOS were already billed on another claim`,
            'Confirm these are additional services, or correct the original with frequency 7',
          ),
    );
  }
  return out;
}

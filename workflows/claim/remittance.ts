// Post, appeal or correct: what the claim process does with an adjudicated 835. Paid → posted and the patient's
// share billed. Denied → routed by CARC/RARC, the whole claim or line by line: an automatic corrected replacement
// (frequency 7 + the payer's claim number) a bounded number of times, a reopening request where the payer takes
// no replacements, an appeal task for medical necessity, a review task, or the adjustment posted.
import type { ClaimAttempt, ClaimPaymentSummary, PreparedClaim } from '../../activities/claim/index.js';
import { isDenialAdjustment, type LineRouting } from '../../domain/denials/lines.js';
import type { Fix } from '../../domain/denials/route.js';
import type { ClaimPass, ClaimRun } from './claim-run.js';

const APPEAL_TITLE = 'Denied claim: prepare an appeal with the documentation packet';
/** What an appeal of medical necessity carries. */
const APPEAL_PACKET = 'poc,progress_notes,visit_note,outcome_measures';
/** Appeals and reopenings are due in two weeks. */
const TWO_WEEKS_IN_HOURS = 24 * 14;

/** Paid: post the 835 and bill the patient's share. */
export async function postPayment(run: ClaimRun, payment: ClaimPaymentSummary): Promise<ClaimPass> {
  await run.activities.postRemittance(run.claimCase.claimId, payment, 'paid', {
    replacesEarlierPayment: run.attempt.frequency === '7',
  });
  run.state = 'paid';
  run.record(
    'paid',
    `paid ${payment.paidCents} cents, patient responsibility ${payment.patientResponsibilityCents} cents`,
  );
  await run.billPatientShare(payment.patientResponsibilityCents);
  return 'done';
}

/** Some line carries a denial (not only cost share or the contractual write-down): a partial payment or a line denial. */
export function hasDeniedLines(payment: ClaimPaymentSummary): boolean {
  return (payment.lines ?? []).some((line) => line.adjustments.some(isDenialAdjustment));
}

/**
 * Denied lines (in a partial payment, or a denial carried on the lines), each routed on its own: the paid part
 * posted and the patient's share billed, write-offs recorded, reopening, appeal and review tasks raised, and a
 * corrected replacement sent when the plan has one.
 */
export async function routeDeniedLines(
  run: ClaimRun,
  payment: ClaimPaymentSummary,
  prepared: PreparedClaim,
): Promise<ClaimPass> {
  const { claimCase, attempt } = run;
  const authNumberOnFile = attempt.priorAuthNumber ?? claimCase.priorAuthNumber;
  const plan = await run.activities.routeClaimLines(payment, {
    payerId: String(claimCase.visit.payerId),
    dos: String(claimCase.visit.dos),
    expectedModifiersByCode: Object.fromEntries(
      prepared.claim.lines.map((line) => [line.code, [...line.modifiers]]),
    ),
    ...(authNumberOnFile ? { authNumberOnFile } : {}),
    necessityDocumented: claimCase.planOfCareWorkflowId !== undefined,
    attempts: attempt.number,
    maxAttempts: run.maxAttempts,
  });
  const partial = payment.paidCents > 0;
  await run.activities.postRemittance(claimCase.claimId, payment, partial ? 'partially_paid' : 'denied', {
    replacesEarlierPayment: attempt.frequency === '7',
  });
  const denialCode = (routing: LineRouting) => `${routing.group}-${routing.carc}`;
  for (const code of new Set(plan.denied.map(denialCode)))
    run.record(
      `denied_${code}`,
      plan.denied
        .filter((routing) => denialCode(routing) === code)
        .map((routing) => routing.reason)
        .join('; '),
    );
  if (partial) {
    run.record(
      'partially_paid',
      `paid ${payment.paidCents} cents on line(s) ${plan.paidLineIndexes.join(', ') || 'none'}, patient responsibility ${payment.patientResponsibilityCents} cents`,
    );
    await run.billPatientShare(payment.patientResponsibilityCents);
  }
  const byDisposition = (disposition: LineRouting['disposition']) =>
    plan.denied.filter((routing) => routing.disposition === disposition);
  const writeOffs = byDisposition('write_off');
  if (writeOffs.length > 0)
    run.record(
      'write_off',
      `line(s) ${lineList(writeOffs)}: ${writeOffs.reduce((sum, routing) => sum + routing.deniedCents, 0)} cents written off`,
    );
  const reopen = byDisposition('reopen');
  if (reopen.length > 0) {
    run.state = 'reopening';
    run.record(
      'reopening',
      `payer takes no replacement claims: reopening request for line(s) ${lineList(reopen)}`,
    );
    await run.raise(
      'reopen_claim',
      'Denied line(s): send the payer a reopening request with the corrected data',
      'biller',
      TWO_WEEKS_IN_HOURS,
      {
        lines: lineList(reopen),
        corrections: reopen
          .map(
            (routing) =>
              `line ${routing.lineIndex} ${routing.code}: ${describeFix(routing.fix, denialCode(routing))}`,
          )
          .join('; ')
          .slice(0, 200),
        ...(reopen.some((routing) => routing.fix?.kind === 'set_prior_auth_number') && authNumberOnFile
          ? { priorAuthNumber: authNumberOnFile }
          : {}),
        ...(run.payerClaimNumber ? { payerClaimNumber: run.payerClaimNumber } : {}),
        carcs: [...new Set(reopen.map(denialCode))].join(','),
      },
    );
  }
  const appeals = byDisposition('appeal');
  const [firstAppeal] = appeals;
  if (firstAppeal) {
    run.state = 'appeal';
    run.publish();
    await raiseAppeal(run, firstAppeal.carc, lineList(appeals));
  }
  const reviews = byDisposition('review');
  const [firstReview] = reviews;
  if (firstReview) {
    run.state = 'needs_review';
    run.publish();
    await run.raise('review_denial', 'Denied line(s) need review', 'biller', 72, {
      carc: firstReview.carc,
      lines: lineList(reviews),
      action: 'review',
    });
  }
  if (plan.replacement && run.payerClaimNumber) {
    const fix = plan.replacement;
    startReplacement(run, run.payerClaimNumber, {
      ...(Object.keys(fix.addModifiers).length > 0 ? { addModifiers: fix.addModifiers } : {}),
      ...(fix.priorAuthNumber ? { priorAuthNumber: fix.priorAuthNumber } : {}),
    });
    return 'again';
  }
  if (reopen.length === 0 && appeals.length === 0 && reviews.length === 0)
    run.state = partial ? 'partially_paid' : 'adjusted';
  return 'done';
}

/**
 * A denied claim routed by its denying CARC/RARC: the denial posted, then a corrected replacement, an appeal task,
 * the adjustment, a reopening request (payers without replacement claims, e.g. Medicare Part B) or a review task.
 */
export async function routeClaimDenial(
  run: ClaimRun,
  payment: ClaimPaymentSummary,
  prepared: PreparedClaim,
): Promise<ClaimPass> {
  const { claimCase } = run;
  const decision = await run.activities.routeClaimDenial(payment, {
    payerId: String(claimCase.visit.payerId),
    dos: String(claimCase.visit.dos),
    expectedModifiers: [...new Set(prepared.claim.lines.flatMap((line) => line.modifiers))],
    ...(claimCase.priorAuthNumber ? { authNumberOnFile: claimCase.priorAuthNumber } : {}),
    attempts: run.attempt.number,
    maxAttempts: run.maxAttempts,
  });
  run.record(`denied_${payment.adjustments[0]?.group ?? ''}-${decision.carc}`, decision.reason);
  await run.activities.postRemittance(claimCase.claimId, payment, 'denied');

  if (decision.action === 'resubmit_corrected' && decision.automatic && run.payerClaimNumber) {
    const fix = decision.fix;
    startReplacement(run, run.payerClaimNumber, {
      ...(fix?.kind === 'add_modifiers'
        ? { addModifiers: Object.fromEntries(prepared.claim.lines.map((line) => [line.code, fix.modifiers])) }
        : {}),
      ...(fix?.kind === 'set_prior_auth_number' ? { priorAuthNumber: fix.number } : {}),
    });
    return 'again';
  }
  if (decision.action === 'appeal') {
    run.state = 'appeal';
    run.publish();
    await raiseAppeal(run, decision.carc);
  } else if (decision.action === 'post_adjustment' || decision.action === 'write_off') {
    run.state = 'adjusted';
  } else if (decision.reopening && decision.fix) {
    const fix = decision.fix;
    run.state = 'reopening';
    run.publish();
    run.record('reopening', 'payer takes no replacement claims: reopening request with the corrected data');
    await run.raise(
      'reopen_claim',
      'Denied claim: send the payer a reopening request with the corrected data',
      'biller',
      TWO_WEEKS_IN_HOURS,
      {
        carcs: `${decision.group}-${decision.carc}`,
        corrections: describeFix(fix, fix.kind),
        ...(fix.kind === 'set_prior_auth_number' ? { priorAuthNumber: fix.number } : {}),
        ...(run.payerClaimNumber ? { payerClaimNumber: run.payerClaimNumber } : {}),
      },
    );
  } else {
    run.state = 'needs_review';
    run.publish();
    await run.raise('review_denial', 'Denied claim needs review', 'biller', 72, {
      carc: decision.carc,
      action: decision.action,
    });
  }
  return 'done';
}

/** The next attempt: a corrected replacement (frequency 7) of the payer's claim, carrying the fix. */
function startReplacement(
  run: ClaimRun,
  originalClaimNumber: string,
  changes: Pick<ClaimAttempt, 'addModifiers' | 'priorAuthNumber'>,
): void {
  run.attempt = { number: run.attempt.number + 1, frequency: '7', originalClaimNumber, ...changes };
  run.state = 'resubmitting';
  run.record('resubmit', `corrected replacement (frequency 7) of payer claim ${originalClaimNumber}`);
}

async function raiseAppeal(run: ClaimRun, carc: string, lines?: string): Promise<void> {
  await run.raise('appeal_claim', APPEAL_TITLE, 'biller', TWO_WEEKS_IN_HOURS, {
    carc,
    ...(lines !== undefined ? { lines } : {}),
    packet: APPEAL_PACKET,
  });
}

/** "lineIndex:code" of each routed line, comma-separated (a task's details). */
function lineList(routings: readonly LineRouting[]): string {
  return routings.map((routing) => `${routing.lineIndex}:${routing.code}`).join(',');
}

/** What a reopening request changes, in a biller's words. */
function describeFix(fix: Fix | undefined, otherwise: string): string {
  if (fix?.kind === 'add_modifiers') return `add ${fix.modifiers.join(' ')}`;
  if (fix?.kind === 'set_prior_auth_number') return 'authorization on file';
  if (fix?.kind === 'correct_field') return `correct ${fix.field}`;
  return otherwise;
}

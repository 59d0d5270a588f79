// Await acknowledgement and remittance: after the 837P the claim waits for the payer's 277CA (accepted into
// adjudication, or rejected at the front end: never filed) and its 835. Answers arrive by webhook signal or by
// polling the clearinghouse mailbox; a silence past the follow-up date raises a biller's task once. An 835 that
// does not balance is never posted: a biller takes it up with the payer and a corrected 835 is awaited.
import { condition, patched } from '@temporalio/workflow';
import type { ClaimInbound, ClaimPaymentSummary } from '../../activities/claim/index.js';
import { isDenialAdjustment } from '../../domain/denials/lines.js';
import type { ClaimRun } from './claim-run.js';
import { CLAIM_PATCHES } from './patches.js';

export type Adjudication =
  { outcome: 'frontend_rejected' } | { outcome: 'paid' | 'denied'; payment: ClaimPaymentSummary };

/** Waits until the payer rejected the claim at its front end or sent a balanced 835 for it. */
export async function awaitAdjudication(run: ClaimRun, followUpAt: number): Promise<Adjudication> {
  let followedUp = false;
  let adjudication: Adjudication | undefined;
  while (!adjudication) {
    const inbound = await nextInbound(run);
    if (inbound.cursor) run.mailboxCursor = inbound.cursor;
    if (inbound.acknowledgement) {
      if (!inbound.acknowledgement.accepted) adjudication = { outcome: 'frontend_rejected' };
      else if (run.state === 'submitted') {
        run.state = 'acknowledged';
        run.payerClaimNumber = inbound.acknowledgement.payerClaimNumber ?? run.payerClaimNumber;
        run.publish(new Date(followUpAt));
      }
    }
    if (
      inbound.payment?.balance &&
      !inbound.payment.balance.balanced &&
      patched(CLAIM_PATCHES.balancedRemittances)
    ) {
      await holdUnbalancedRemittance(run, inbound.payment.balance.imbalances, followUpAt);
    } else if (inbound.payment) {
      const payment = inbound.payment;
      run.payment = payment;
      run.payerClaimNumber = payment.payerClaimNumber ?? run.payerClaimNumber;
      adjudication = { outcome: paidOrDenied(payment), payment };
    }
    if (!adjudication && !followedUp && new Date().getTime() >= followUpAt) {
      followedUp = true;
      await run.raise(
        'claim_follow_up',
        'No adjudication after 30 days: check the claim status',
        'biller',
        72,
      );
    }
  }
  return adjudication;
}

/** A pushed answer when one arrives within the poll interval, else what the mailbox holds for this claim. */
async function nextInbound(run: ClaimRun): Promise<ClaimInbound> {
  const arrived = await condition(() => run.inbox.length > 0, (run.input.pollEveryMinutes ?? 240) * 60_000);
  const pushed = arrived ? run.inbox.shift() : undefined;
  return (
    pushed ?? (await run.activities.pollClaimResponses(run.claimCase.patientControlNumber, run.mailboxCursor))
  );
}

/** Never post what does not balance: a biller takes it up with the payer; a corrected 835 is awaited. */
async function holdUnbalancedRemittance(
  run: ClaimRun,
  imbalances: string[],
  followUpAt: number,
): Promise<void> {
  const why = imbalances.join('; ');
  run.state = 'unbalanced_remittance';
  run.publish(new Date(followUpAt));
  run.record('unbalanced_remittance', `835 not posted: ${why}`);
  await run.raise('remittance_imbalance', 'Remittance does not balance: not posted', 'biller', 72, {
    imbalance: why.slice(0, 200),
    imbalances: imbalances.length,
  });
}

/**
 * Denied: claim status 4, or nothing paid. Processed with nothing paid because the whole allowed amount is the
 * patient's (a Part B deductible) is a payment, not a denial: it is posted and the patient's share billed.
 */
function paidOrDenied(payment: ClaimPaymentSummary): 'paid' | 'denied' {
  const allCostShare =
    payment.statusCode !== '4' &&
    payment.paidCents === 0 &&
    payment.patientResponsibilityCents > 0 &&
    payment.adjustments.every((adjustment) => !isDenialAdjustment(adjustment));
  return payment.statusCode === '4' ||
    (payment.paidCents === 0 && !(allCostShare && patched(CLAIM_PATCHES.lineDenials)))
    ? 'denied'
    : 'paid';
}

// claimSubmission: one per billable visit (workflow id from the visit id, so a repeated "note signed" event can
// never create a second claim — CO-18 duplicates are prevented here). Code and scrub → a "fix claim" task when
// anything blocks (nothing incomplete is ever submitted) → 837P → 999/277CA (front-end rejections are fixed and
// sent again: they were never filed) → 835 → post the payment and bill the patient's share, or route the
// denial: automatic corrected replacements (frequency 7 + the payer's claim number) a bounded number of times,
// appeal tasks for medical necessity, adjustments posted. Every decision is kept with its reason.
import {
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type {
  ClaimAttempt,
  ClaimCase,
  ClaimInbound,
  ClaimPaymentSummary,
  PreparedClaim,
} from '../activities/claims.js';
import { localDate } from '../domain/core/zoned.js';
import type { StaffRole } from '../domain/tasks.js';
import { configurationTask, waitingOnConfiguration } from './connector-wait.js';
import { raiseTask } from './raise-task.js';
import {
  ClaimStatus,
  NeedsAttention,
  NextDeadline,
  PatientId,
  PayerId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
} from './search-attributes.js';

export type ClaimState =
  | 'coding'
  | 'needs_correction'
  | 'submitted'
  | 'acknowledged'
  | 'paid'
  | 'denied'
  | 'resubmitting'
  | 'appeal'
  | 'adjusted'
  | 'needs_review';

export interface ClaimInput {
  case: ClaimCase;
  timezone: string;
  /** Automatic corrected resubmissions allowed (domain default 2). */
  maxAutomaticAttempts?: number;
  pollEveryMinutes?: number;
  /** A follow-up task after this many days without adjudication. */
  followUpAfterDays?: number;
}

export interface ClaimDecisionRecord {
  at: string;
  what: string;
  reason: string;
}

export interface ClaimStatusSnapshot {
  claimId: string;
  state: ClaimState;
  attempt: number;
  frequency: '1' | '7';
  chargeCents?: number;
  paidCents?: number;
  patientResponsibilityCents?: number;
  payerClaimNumber?: string;
  /** Billed lines as coded (codes, modifiers, units: what a biller checks). */
  lines: { code: string; modifiers: string[]; units: number }[];
  blockingFindings: string[];
  decisions: ClaimDecisionRecord[];
}

export interface ClaimCorrection {
  visit?: ClaimCase['visit'];
  priorAuthNumber?: string;
  kxAccruedAllowedCents?: number;
  correctedBy: string;
}

export const claimCorrectedSignal = defineSignal<[ClaimCorrection]>('claimCorrected');
export const remittanceArrivedSignal = defineSignal<[ClaimInbound]>('remittanceArrived');
export const claimStatusQuery = defineQuery<ClaimStatusSnapshot>('status');

export const claimActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
  },
} as const;
// Wrapped per run (waitingOnConfiguration): a worker without the payer connector raises an admin task.
const claimActs = proxyActivities<Activities>(claimActivityOptions);

export async function claimSubmission(input: ClaimInput): Promise<ClaimStatusSnapshot> {
  let claimCase = input.case;
  let state: ClaimState = 'coding';
  let attempt: ClaimAttempt = { number: 1, frequency: '1' };
  let prepared: PreparedClaim | undefined;
  let payment: ClaimPaymentSummary | undefined;
  let payerClaimNumber: string | undefined;
  let correction: ClaimCorrection | undefined;
  const inbox: ClaimInbound[] = [];
  const decisions: ClaimDecisionRecord[] = [];
  const maxAttempts = input.maxAutomaticAttempts ?? 2;
  // The mailbox position survives resubmissions, so a replacement never re-reads the 835 of the claim it replaced.
  let cursor: string | undefined;

  const record = (what: string, reason: string) =>
    decisions.push({ at: new Date().toISOString(), what, reason });
  const snapshot = (): ClaimStatusSnapshot => ({
    claimId: claimCase.claimId,
    state,
    attempt: attempt.number,
    frequency: attempt.frequency,
    chargeCents: prepared?.chargeCents,
    paidCents: payment?.paidCents,
    patientResponsibilityCents: payment?.patientResponsibilityCents,
    payerClaimNumber,
    lines: (prepared?.claim.lines ?? []).map((l) => ({
      code: l.code,
      modifiers: [...l.modifiers],
      units: l.units,
    })),
    blockingFindings: (prepared?.findings ?? []).filter((f) => f.severity === 'error').map((f) => f.code),
    decisions: [...decisions],
  });
  const publish = (deadline?: Date) =>
    upsertSearchAttributes([
      { key: ClaimStatus, value: state },
      { key: ProcessStatus, value: state },
      { key: NeedsAttention, value: ['needs_correction', 'appeal', 'needs_review'].includes(state) },
      { key: NextDeadline, value: deadline ?? null },
    ]);

  setHandler(claimStatusQuery, snapshot);
  setHandler(claimCorrectedSignal, (c) => {
    correction = c;
  });
  setHandler(remittanceArrivedSignal, (r) => {
    inbox.push(r);
  });
  upsertSearchAttributes([
    { key: ProcessKind, value: 'claimSubmission' },
    { key: PracticeId, value: claimCase.practiceId },
    { key: PatientId, value: claimCase.patientId },
    { key: PayerId, value: String(claimCase.visit.payerId) },
  ]);

  const taskOwner = {
    practiceId: claimCase.practiceId,
    patientId: claimCase.patientId,
    processKind: 'claimSubmission',
    details: { claimId: claimCase.claimId },
  };
  const acts = waitingOnConfiguration(claimActs, configurationTask(taskOwner));
  const raise = (
    kind: string,
    title: string,
    role: StaffRole,
    dueInHours: number,
    details: Record<string, string | number | boolean> = {},
  ) => raiseTask(taskOwner, { kind, title, role, dueInHours, details });

  /** Wait for a person's correction, apply it, and code again (as a new original: it was never filed). */
  const awaitCorrection = async (why: string) => {
    state = 'needs_correction';
    publish();
    await raise('fix_claim', 'Claim needs correction before it can be submitted', 'biller', 48, {
      reason: why,
    });
    await condition(() => correction !== undefined);
    const c = correction!;
    correction = undefined;
    claimCase = {
      ...claimCase,
      ...(c.visit ? { visit: c.visit } : {}),
      ...(c.priorAuthNumber ? { priorAuthNumber: c.priorAuthNumber } : {}),
      ...(c.kxAccruedAllowedCents !== undefined ? { kxAccruedAllowedCents: c.kxAccruedAllowedCents } : {}),
    };
    record('corrected', `claim corrected by ${c.correctedBy}`);
  };

  for (;;) {
    // 1–2. Code and scrub; nothing with a blocking finding is ever submitted.
    state = 'coding';
    // The episode's state is read at each coding pass: a progress report recorded meanwhile releases the hold.
    const episode = claimCase.planOfCareWorkflowId
      ? await acts.planOfCareContext(claimCase.planOfCareWorkflowId)
      : undefined;
    prepared = await acts.prepareClaim(claimCase, attempt, localDate(new Date(), input.timezone), episode);
    if (!prepared.submittable) {
      record('held', `scrubber: ${snapshot().blockingFindings.join(', ')}`);
      await awaitCorrection('scrub');
      continue;
    }

    // 3. Submit; a 999 rejection means the file was never accepted: fix and send again.
    const submission = await acts.submitClaim(claimCase, prepared, workflowInfo().workflowId);
    if (!submission.accepted) {
      record(
        'rejected_999',
        `implementation acknowledgment rejected (${submission.errorCodes.join(', ') || 'no code'})`,
      );
      await awaitCorrection('999');
      continue;
    }
    state = 'submitted';
    record('submitted', `837P frequency ${attempt.frequency}, attempt ${attempt.number}`);
    const followUpAt = new Date().getTime() + (input.followUpAfterDays ?? 30) * 86_400_000;
    publish(new Date(followUpAt));

    // 4. Await the 277CA and the 835 (webhook signal or mailbox poll); follow up after a silence.
    let followedUp = false;
    let outcome: 'paid' | 'denied' | 'frontend_rejected' | undefined;
    while (!outcome) {
      const arrived = await condition(() => inbox.length > 0, (input.pollEveryMinutes ?? 240) * 60_000);
      const inbound = arrived
        ? inbox.shift()!
        : await acts.pollClaimResponses(claimCase.patientControlNumber, cursor);
      if (inbound.cursor) cursor = inbound.cursor;
      if (inbound.acknowledgement) {
        if (!inbound.acknowledgement.accepted) outcome = 'frontend_rejected';
        else if (state === 'submitted') {
          state = 'acknowledged';
          payerClaimNumber = inbound.acknowledgement.payerClaimNumber ?? payerClaimNumber;
          publish(new Date(followUpAt));
        }
      }
      if (inbound.payment) {
        payment = inbound.payment;
        payerClaimNumber = payment.payerClaimNumber ?? payerClaimNumber;
        outcome = payment.statusCode === '4' || payment.paidCents === 0 ? 'denied' : 'paid';
      }
      if (!outcome && !followedUp && new Date().getTime() >= followUpAt) {
        followedUp = true;
        await raise('claim_follow_up', 'No adjudication after 30 days: check the claim status', 'biller', 72);
      }
    }

    if (outcome === 'frontend_rejected') {
      record('rejected_277ca', 'front-end rejection: the claim was never filed');
      await awaitCorrection('277CA');
      continue;
    }

    // 5. Paid: post, bill the patient's share.
    if (outcome === 'paid') {
      const p = payment!;
      await acts.postRemittance(claimCase.claimId, p, 'paid');
      state = 'paid';
      record(
        'paid',
        `paid ${p.paidCents} cents, patient responsibility ${p.patientResponsibilityCents} cents`,
      );
      if (p.patientResponsibilityCents > 0) {
        const statement = await acts.sendPatientStatement({
          claimId: claimCase.claimId,
          practiceId: claimCase.practiceId,
          patientId: claimCase.patientId,
          amountCents: p.patientResponsibilityCents,
        });
        if (statement.sent) record('statement', 'patient statement sent');
        else {
          record('statement_task', 'no messaging configured: statement handed to a biller');
          await raise('send_statement', 'Send the patient a statement for their share', 'biller', 72, {
            amountCents: p.patientResponsibilityCents,
          });
        }
      }
      break;
    }

    // Denied: route by CARC/RARC.
    const p = payment!;
    const decision = await acts.routeClaimDenial(p, {
      payerId: String(claimCase.visit.payerId),
      dos: String(claimCase.visit.dos),
      expectedModifiers: [...new Set(prepared.claim.lines.flatMap((l) => l.modifiers))],
      ...(claimCase.priorAuthNumber ? { authNumberOnFile: claimCase.priorAuthNumber } : {}),
      attempts: attempt.number,
      maxAttempts,
    });
    record(`denied_${p.adjustments[0]?.group ?? ''}-${decision.carc}`, decision.reason);
    await acts.postRemittance(claimCase.claimId, p, 'denied');

    if (decision.action === 'resubmit_corrected' && decision.automatic && payerClaimNumber) {
      const fix = decision.fix;
      attempt = {
        number: attempt.number + 1,
        frequency: '7',
        originalClaimNumber: payerClaimNumber,
        ...(fix?.kind === 'add_modifiers'
          ? { addModifiers: Object.fromEntries(prepared.claim.lines.map((l) => [l.code, fix.modifiers])) }
          : {}),
        ...(fix?.kind === 'set_prior_auth_number' ? { priorAuthNumber: fix.number } : {}),
      };
      state = 'resubmitting';
      record('resubmit', `corrected replacement (frequency 7) of payer claim ${payerClaimNumber}`);
      continue;
    }
    if (decision.action === 'appeal') {
      state = 'appeal';
      publish();
      await raise(
        'appeal_claim',
        'Denied claim: prepare an appeal with the documentation packet',
        'biller',
        24 * 14,
        {
          carc: decision.carc,
          packet: 'poc,progress_notes,visit_note,outcome_measures',
        },
      );
    } else if (decision.action === 'post_adjustment' || decision.action === 'write_off') {
      state = 'adjusted';
    } else {
      state = 'needs_review';
      publish();
      await raise('review_denial', 'Denied claim needs review', 'biller', 72, {
        carc: decision.carc,
        action: decision.action,
      });
    }
    break;
  }

  publish();
  await condition(allHandlersFinished);
  return snapshot();
}

// claimSubmission: one per billable visit (workflow id from the visit id, so a repeated "note signed" event can
// never create a second claim — CO-18 duplicates are prevented here). Code and scrub → a "fix claim" task when
// anything blocks (nothing incomplete is ever submitted) → 837P → 999/277CA (front-end rejections are fixed and
// sent again: they were never filed) → 835 → post the payment and bill the patient's share, or route the
// denial: automatic corrected replacements (frequency 7 + the payer's claim number) a bounded number of times,
// appeal tasks for medical necessity, adjustments posted. Every decision is kept with its reason.
import {
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  condition,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type {
  ClaimAttempt,
  ClaimCase,
  ClaimInbound,
  ClaimPaymentSummary,
  PreparedClaim,
} from '../../activities/claim/index.js';
import {
  applyCorrection,
  clearingDetails,
  clearingFields,
  correctionFromTaskOutcome,
  type ClaimCorrectionData,
} from '../../domain/claims/corrections.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId as idOf } from '../../domain/ids.js';
import type { StaffRole } from '../../domain/tasks.js';
import { configurationTask, waitingOnConfiguration } from '../shared/connector-wait.js';
import { humanTask } from '../tasks/workflow.js';
import { cancelTaskSignal, type HumanTaskResult } from '../tasks/messages.js';
import { raiseTask } from '../tasks/raise-task.js';
import {
  ClaimStatus,
  NeedsAttention,
  NextDeadline,
  PatientId,
  PayerId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
} from '../shared/search-attributes.js';

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
  | 'partially_paid'
  | 'reopening'
  | 'unbalanced_remittance'
  | 'needs_review';

/** Patch markers of the claim process (README "Replay"): new command sequences behind them. */
export const CLAIM_PATCHES = {
  /** A fix_claim task's completion carries the correction; an API correction closes the open task. */
  correctionData: 'claim-correction-data',
  /** Only balanced 835s are posted; an imbalance raises a biller task and waits for a corrected 835. */
  balancedRemittances: 'claim-balanced-remittances',
  /** Denied lines of a remittance are routed line by line (partial payments included). */
  lineDenials: 'claim-line-denials',
} as const;

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
  /** Per holding finding, the correction fields that clear it (POST /v1/claims/{id}/corrections). */
  corrections?: { finding: string; clearedBy: string[] }[];
  decisions: ClaimDecisionRecord[];
}

export interface ClaimCorrection extends ClaimCorrectionData {
  visit?: ClaimCase['visit'];
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
    corrections: (prepared?.findings ?? [])
      .filter((f) => f.severity === 'error')
      .map((f) => ({ finding: f.code, clearedBy: [...clearingFields(f.code)] })),
    decisions: [...decisions],
  });
  const publish = (deadline?: Date) =>
    upsertSearchAttributes([
      { key: ClaimStatus, value: state },
      { key: ProcessStatus, value: state },
      {
        key: NeedsAttention,
        value: ['needs_correction', 'appeal', 'needs_review', 'reopening', 'unbalanced_remittance'].includes(
          state,
        ),
      },
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

  /** Bills the patient's share: a statement by message, or a biller task when no messaging is configured. */
  const billPatientShare = async (amountCents: number) => {
    if (amountCents <= 0) return;
    const statement = await acts.sendPatientStatement({
      claimId: claimCase.claimId,
      practiceId: claimCase.practiceId,
      patientId: claimCase.patientId,
      amountCents,
    });
    if (statement.sent) record('statement', 'patient statement sent');
    else {
      record('statement_task', 'no messaging configured: statement handed to a biller');
      await raise('send_statement', 'Send the patient a statement for their share', 'biller', 72, {
        amountCents,
      });
    }
  };

  const applyOld = (c: ClaimCorrection) => {
    claimCase = {
      ...claimCase,
      ...(c.visit ? { visit: c.visit } : {}),
      ...(c.priorAuthNumber ? { priorAuthNumber: c.priorAuthNumber } : {}),
      ...(c.kxAccruedAllowedCents !== undefined ? { kxAccruedAllowedCents: c.kxAccruedAllowedCents } : {}),
    };
  };

  /**
   * Wait for a person's correction — a `claimCorrected` signal (API, CLI) or the fix_claim task completed with
   * the data — apply it, and code again (as a new original: it was never filed). 'written_off' when the biller
   * closes the claim instead (timely filing expired, a duplicate).
   */
  const awaitCorrection = async (
    why: string,
    findingCodes: string[] = [],
  ): Promise<'corrected' | 'written_off'> => {
    state = 'needs_correction';
    publish();
    if (!patched(CLAIM_PATCHES.correctionData)) {
      await raise('fix_claim', 'Claim needs correction before it can be submitted', 'biller', 48, {
        reason: why,
      });
      await condition(() => correction !== undefined);
      const c = correction!;
      correction = undefined;
      applyOld(c);
      record('corrected', `claim corrected by ${c.correctedBy}`);
      return 'corrected';
    }
    let invalid: string[] = [];
    for (;;) {
      const taskId = uuid4();
      const taskWorkflowId = idOf('task', taskId);
      const task = await startChild(humanTask, {
        workflowId: taskWorkflowId,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        args: [
          {
            taskId,
            practiceId: claimCase.practiceId,
            patientId: claimCase.patientId,
            kind: 'fix_claim',
            assigneeRole: 'biller',
            title: 'Claim needs correction before it can be submitted',
            dueAt: new Date(new Date().getTime() + 48 * 3_600_000).toISOString(),
            parentWorkflowId: workflowInfo().workflowId,
            processKind: 'claimSubmission',
            details: {
              claimId: claimCase.claimId,
              reason: why,
              ...(findingCodes.length > 0 ? { findings: findingCodes.join(',').slice(0, 200) } : {}),
              ...clearingDetails(findingCodes),
              ...(invalid.length > 0 ? { invalidFields: invalid.join(',').slice(0, 200) } : {}),
            },
          },
        ],
      });
      let done: HumanTaskResult | undefined;
      task.result().then(
        (r) => {
          done = r;
        },
        () => {
          done = { state: 'cancelled', overdue: false };
        },
      );
      await condition(() => correction !== undefined || done !== undefined);
      let c: ClaimCorrection;
      if (correction !== undefined) {
        c = correction;
        correction = undefined;
        if (done === undefined) {
          // Corrected through the API or CLI: the task has nothing left to do.
          try {
            await getExternalWorkflowHandle(taskWorkflowId).signal(cancelTaskSignal, {
              reason: 'not_needed',
            });
          } catch {
            // Completed meanwhile: nothing to close.
          }
        }
      } else if (done!.state === 'completed' && done!.completion) {
        const parsed = correctionFromTaskOutcome(done!.completion.outcome);
        if (parsed.invalid.length > 0) {
          invalid = parsed.invalid;
          record('correction_invalid', `fix_claim task outcome: invalid ${invalid.join(', ')}`);
          continue;
        }
        c = { ...parsed.data, correctedBy: done!.completion.completedBy };
      } else {
        // Cancelled from outside while the claim is still held: the hold needs a task.
        invalid = [];
        continue;
      }
      if (c.writeOff) {
        record('written_off', `claim written off by ${c.correctedBy} (${why})`);
        return 'written_off';
      }
      if (c.visit) claimCase = { ...claimCase, visit: c.visit };
      claimCase = applyCorrection(claimCase, c);
      const fields = Object.keys(c).filter((k) => k !== 'correctedBy' && k !== 'visit');
      record(
        'corrected',
        `claim corrected by ${c.correctedBy}${fields.length ? ` (${fields.join(', ')})` : ''}`,
      );
      return 'corrected';
    }
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
      const holding = snapshot().blockingFindings;
      record('held', `scrubber: ${holding.join(', ')}`);
      if ((await awaitCorrection('scrub', holding)) === 'written_off') {
        await acts.writeOffHeldClaim(claimCase.claimId);
        state = 'adjusted';
        break;
      }
      continue;
    }

    // 3. Submit; a 999 rejection means the file was never accepted: fix and send again.
    const submission = await acts.submitClaim(claimCase, prepared, workflowInfo().workflowId);
    if (!submission.accepted) {
      record(
        'rejected_999',
        `implementation acknowledgment rejected (${submission.errorCodes.join(', ') || 'no code'})`,
      );
      if ((await awaitCorrection('999')) === 'written_off') {
        state = 'adjusted';
        break;
      }
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
      if (
        inbound.payment?.balance &&
        !inbound.payment.balance.balanced &&
        patched(CLAIM_PATCHES.balancedRemittances)
      ) {
        // Never post what does not balance: a biller takes it up with the payer; a corrected 835 is awaited.
        const why = inbound.payment.balance.imbalances.join('; ');
        state = 'unbalanced_remittance';
        publish(new Date(followUpAt));
        record('unbalanced_remittance', `835 not posted: ${why}`);
        await raise('remittance_imbalance', 'Remittance does not balance: not posted', 'biller', 72, {
          imbalance: why.slice(0, 200),
          imbalances: inbound.payment.balance.imbalances.length,
        });
      } else if (inbound.payment) {
        payment = inbound.payment;
        payerClaimNumber = payment.payerClaimNumber ?? payerClaimNumber;
        // Processed with nothing paid because the whole allowed amount is the patient's (a Part B deductible) is
        // a payment, not a denial: post it and bill the patient's share.
        const allCostShare =
          payment.statusCode !== '4' &&
          payment.paidCents === 0 &&
          payment.patientResponsibilityCents > 0 &&
          payment.adjustments.every(
            (a) => (a.group === 'PR' && ['1', '2', '3'].includes(a.carc)) || a.carc === '45',
          );
        outcome =
          payment.statusCode === '4' ||
          (payment.paidCents === 0 && !(allCostShare && patched(CLAIM_PATCHES.lineDenials)))
            ? 'denied'
            : 'paid';
      }
      if (!outcome && !followedUp && new Date().getTime() >= followUpAt) {
        followedUp = true;
        await raise('claim_follow_up', 'No adjudication after 30 days: check the claim status', 'biller', 72);
      }
    }

    if (outcome === 'frontend_rejected') {
      record('rejected_277ca', 'front-end rejection: the claim was never filed');
      if ((await awaitCorrection('277CA')) === 'written_off') {
        state = 'adjusted';
        break;
      }
      continue;
    }

    // 5a. Denied lines (in a partial payment, or a denial carried on the lines): routed line by line.
    const remitted = payment!;
    const deniedLines = (remitted.lines ?? []).some((l) =>
      l.adjustments.some((a) => !(a.group === 'PR' && ['1', '2', '3'].includes(a.carc)) && a.carc !== '45'),
    );
    if (deniedLines && patched(CLAIM_PATCHES.lineDenials)) {
      const plan = await acts.routeClaimLines(remitted, {
        payerId: String(claimCase.visit.payerId),
        dos: String(claimCase.visit.dos),
        expectedModifiersByCode: Object.fromEntries(
          prepared.claim.lines.map((l) => [l.code, [...l.modifiers]]),
        ),
        ...((attempt.priorAuthNumber ?? claimCase.priorAuthNumber)
          ? { authNumberOnFile: attempt.priorAuthNumber ?? claimCase.priorAuthNumber }
          : {}),
        necessityDocumented: claimCase.planOfCareWorkflowId !== undefined,
        attempts: attempt.number,
        maxAttempts,
      });
      const partial = remitted.paidCents > 0;
      await acts.postRemittance(claimCase.claimId, remitted, partial ? 'partially_paid' : 'denied', {
        replacesEarlierPayment: attempt.frequency === '7',
      });
      const codes = [...new Set(plan.denied.map((d) => `${d.group}-${d.carc}`))];
      for (const code of codes)
        record(
          `denied_${code}`,
          plan.denied
            .filter((d) => `${d.group}-${d.carc}` === code)
            .map((d) => d.reason)
            .join('; '),
        );
      if (partial) {
        record(
          'partially_paid',
          `paid ${remitted.paidCents} cents on line(s) ${plan.paidLineIndexes.join(', ') || 'none'}, patient responsibility ${remitted.patientResponsibilityCents} cents`,
        );
        await billPatientShare(remitted.patientResponsibilityCents);
      }
      const lines = (d: (typeof plan.denied)[number][]) => d.map((x) => `${x.lineIndex}:${x.code}`).join(',');
      const byDisposition = (k: string) => plan.denied.filter((d) => d.disposition === k);
      const writeOffs = byDisposition('write_off');
      if (writeOffs.length > 0)
        record(
          'write_off',
          `line(s) ${lines(writeOffs)}: ${writeOffs.reduce((s, d) => s + d.deniedCents, 0)} cents written off`,
        );
      const reopen = byDisposition('reopen');
      if (reopen.length > 0) {
        state = 'reopening';
        record(
          'reopening',
          `payer takes no replacement claims: reopening request for line(s) ${lines(reopen)}`,
        );
        await raise(
          'reopen_claim',
          'Denied line(s): send the payer a reopening request with the corrected data',
          'biller',
          24 * 14,
          {
            lines: lines(reopen),
            corrections: reopen
              .map((d) =>
                d.fix?.kind === 'add_modifiers'
                  ? `line ${d.lineIndex} ${d.code}: add ${d.fix.modifiers.join(' ')}`
                  : d.fix?.kind === 'set_prior_auth_number'
                    ? `line ${d.lineIndex} ${d.code}: authorization on file`
                    : d.fix?.kind === 'correct_field'
                      ? `line ${d.lineIndex} ${d.code}: correct ${d.fix.field}`
                      : `line ${d.lineIndex} ${d.code}: ${d.group}-${d.carc}`,
              )
              .join('; ')
              .slice(0, 200),
            ...(reopen.some((d) => d.fix?.kind === 'set_prior_auth_number') &&
            (attempt.priorAuthNumber ?? claimCase.priorAuthNumber)
              ? { priorAuthNumber: (attempt.priorAuthNumber ?? claimCase.priorAuthNumber)! }
              : {}),
            ...(payerClaimNumber ? { payerClaimNumber } : {}),
            carcs: [...new Set(reopen.map((d) => `${d.group}-${d.carc}`))].join(','),
          },
        );
      }
      const appeals = byDisposition('appeal');
      if (appeals.length > 0) {
        state = 'appeal';
        publish();
        await raise(
          'appeal_claim',
          'Denied claim: prepare an appeal with the documentation packet',
          'biller',
          24 * 14,
          {
            carc: appeals[0]!.carc,
            lines: lines(appeals),
            packet: 'poc,progress_notes,visit_note,outcome_measures',
          },
        );
      }
      const reviews = byDisposition('review');
      if (reviews.length > 0) {
        state = 'needs_review';
        publish();
        await raise('review_denial', 'Denied line(s) need review', 'biller', 72, {
          carc: reviews[0]!.carc,
          lines: lines(reviews),
          action: 'review',
        });
      }
      if (plan.replacement && payerClaimNumber) {
        const fix = plan.replacement;
        attempt = {
          number: attempt.number + 1,
          frequency: '7',
          originalClaimNumber: payerClaimNumber,
          ...(Object.keys(fix.addModifiers).length > 0 ? { addModifiers: fix.addModifiers } : {}),
          ...(fix.priorAuthNumber ? { priorAuthNumber: fix.priorAuthNumber } : {}),
        };
        state = 'resubmitting';
        record('resubmit', `corrected replacement (frequency 7) of payer claim ${payerClaimNumber}`);
        continue;
      }
      if (reopen.length === 0 && appeals.length === 0 && reviews.length === 0)
        state = partial ? 'partially_paid' : 'adjusted';
      break;
    }

    // 5. Paid: post, bill the patient's share.
    if (outcome === 'paid') {
      const p = payment!;
      await acts.postRemittance(claimCase.claimId, p, 'paid', {
        replacesEarlierPayment: attempt.frequency === '7',
      });
      state = 'paid';
      record(
        'paid',
        `paid ${p.paidCents} cents, patient responsibility ${p.patientResponsibilityCents} cents`,
      );
      await billPatientShare(p.patientResponsibilityCents);
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
    } else if (decision.reopening && decision.fix) {
      // Medicare Part B and other payers without replacement claims: a reopening request with the corrected data.
      const fix = decision.fix;
      state = 'reopening';
      publish();
      record('reopening', 'payer takes no replacement claims: reopening request with the corrected data');
      await raise(
        'reopen_claim',
        'Denied claim: send the payer a reopening request with the corrected data',
        'biller',
        24 * 14,
        {
          carcs: `${decision.group}-${decision.carc}`,
          corrections:
            fix.kind === 'add_modifiers'
              ? `add ${fix.modifiers.join(' ')}`
              : fix.kind === 'set_prior_auth_number'
                ? 'authorization on file'
                : fix.kind === 'correct_field'
                  ? `correct ${fix.field}`
                  : fix.kind,
          ...(fix.kind === 'set_prior_auth_number' ? { priorAuthNumber: fix.number } : {}),
          ...(payerClaimNumber ? { payerClaimNumber } : {}),
        },
      );
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

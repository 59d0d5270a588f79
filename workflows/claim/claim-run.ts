// What one claim process holds while it runs — the case, the attempt, the prepared claim, the payer's answers and
// every decision with its reason — and what it does with it on every step: record a decision, publish the search
// attributes staff filter on, answer the `status` query, raise a biller's task, bill the patient's share.
import {
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { claimCurrentDetails, personName } from '../../domain/process-summaries.js';
import type { Activities } from '../../activities/index.js';
import type {
  ClaimAttempt,
  ClaimCase,
  ClaimInbound,
  ClaimPaymentSummary,
  PreparedClaim,
} from '../../activities/claim/index.js';
import { clearingFields } from '../../domain/claims/corrections.js';
import type { StaffRole } from '../../domain/tasks.js';
import { configurationTask, waitingOnConfiguration } from '../shared/connector-wait.js';
import * as attributes from '../shared/search-attributes.js';
import { raiseTask, type TaskOwner } from '../tasks/raise-task.js';
import {
  claimCorrectedSignal,
  claimStatusQuery,
  remittanceArrivedSignal,
  type ClaimCorrection,
  type ClaimDecisionRecord,
  type ClaimInput,
  type ClaimState,
  type ClaimStatusSnapshot,
} from './messages.js';
import { payerActivityOptions } from '../shared/activity-options.js';

// Wrapped per run (waitingOnConfiguration): a worker without the payer connector raises an admin task.
const claimActivities = proxyActivities<Activities>(payerActivityOptions);

/** Whom the claim's tasks concern and the practice's zone, for the tasks' summaries (encrypted user metadata). */
export function taskAbout(input: ClaimInput): { patientName?: string; timeZone: string } {
  const subscriber = input.case.parties.subscriber;
  const patientName = personName(subscriber);
  return { ...(patientName ? { patientName } : {}), timeZone: input.timezone };
}

/** States in which a person has to act: the claim shows on the NeedsAttention filter. */
const NEEDS_ATTENTION: readonly ClaimState[] = [
  'needs_correction',
  'appeal',
  'needs_review',
  'reopening',
  'unbalanced_remittance',
];

export type TaskDetails = Record<string, string | number | boolean>;

/** 'again': the claim goes round once more (corrected, or a replacement); 'done': the process closes. */
export type ClaimPass = 'again' | 'done';

export class ClaimRun {
  claimCase: ClaimCase;
  state: ClaimState = 'coding';
  attempt: ClaimAttempt = { number: 1, frequency: '1' };
  prepared: PreparedClaim | undefined;
  payment: ClaimPaymentSummary | undefined;
  payerClaimNumber: string | undefined;
  /** A correction signalled and not yet applied. */
  correction: ClaimCorrection | undefined;
  /** 277CA/835 answers pushed by webhook signals, oldest first. */
  readonly inbox: ClaimInbound[] = [];
  /** The mailbox position survives resubmissions, so a replacement never re-reads the 835 of the claim it replaced. */
  mailboxCursor: string | undefined;
  readonly decisions: ClaimDecisionRecord[] = [];
  /** Automatic corrected resubmissions allowed. */
  readonly maxAttempts: number;
  private readonly taskOwner: TaskOwner;
  /** The activities, raising an admin task (and waiting) when the worker lacks a connector. */
  readonly activities: typeof claimActivities;

  constructor(readonly input: ClaimInput) {
    this.claimCase = input.case;
    this.maxAttempts = input.maxAutomaticAttempts ?? 2;
    this.taskOwner = {
      practiceId: input.case.practiceId,
      patientId: input.case.patientId,
      processKind: 'claimSubmission',
      details: { claimId: input.case.claimId },
      ...taskAbout(input),
    };
    this.activities = waitingOnConfiguration(claimActivities, configurationTask(this.taskOwner));
  }

  /** Answers the `status` query, takes corrections and pushed answers, and sets the claim's fixed search attributes. */
  listen(): void {
    setHandler(claimStatusQuery, () => this.snapshot());
    setHandler(claimCorrectedSignal, (correction) => {
      this.correction = correction;
    });
    setHandler(remittanceArrivedSignal, (inbound) => {
      this.inbox.push(inbound);
    });
    upsertSearchAttributes([
      { key: attributes.ProcessKind, value: 'claimSubmission' },
      { key: attributes.PracticeId, value: this.claimCase.practiceId },
      { key: attributes.PatientId, value: this.claimCase.patientId },
      { key: attributes.PayerId, value: String(this.claimCase.visit.payerId) },
    ]);
  }

  /** The next signalled correction (waits for one), taken off the run. */
  async nextCorrection(): Promise<ClaimCorrection> {
    for (;;) {
      await condition(() => this.correction !== undefined);
      const correction = this.correction;
      this.correction = undefined;
      if (correction) return correction;
    }
  }

  record(what: string, reason: string): void {
    this.decisions.push({ at: new Date().toISOString(), what, reason });
  }

  snapshot(): ClaimStatusSnapshot {
    const blocking = (this.prepared?.findings ?? []).filter((finding) => finding.severity === 'error');
    return {
      claimId: this.claimCase.claimId,
      state: this.state,
      attempt: this.attempt.number,
      frequency: this.attempt.frequency,
      chargeCents: this.prepared?.chargeCents,
      paidCents: this.payment?.paidCents,
      patientResponsibilityCents: this.payment?.patientResponsibilityCents,
      payerClaimNumber: this.payerClaimNumber,
      lines: (this.prepared?.claim.lines ?? []).map((line) => ({
        code: line.code,
        modifiers: [...line.modifiers],
        units: line.units,
      })),
      blockingFindings: blocking.map((finding) => finding.code),
      corrections: blocking.map((finding) => ({
        finding: finding.code,
        clearedBy: [...clearingFields(finding.code)],
      })),
      decisions: [...this.decisions],
    };
  }

  /** Publishes the claim's state (and its next deadline) to the search attributes staff filter on. */
  publish(deadline?: Date): void {
    upsertSearchAttributes([
      { key: attributes.ClaimStatus, value: this.state },
      { key: attributes.ProcessStatus, value: this.state },
      { key: attributes.NeedsAttention, value: NEEDS_ATTENTION.includes(this.state) },
      { key: attributes.NextDeadline, value: deadline ?? null },
    ]);
    // Where the claim stands, for the Temporal UI (a payload read by a query: no command, encrypted).
    setCurrentDetails(claimCurrentDetails(this.snapshot()));
  }

  /** Raises a worklist task for this claim. */
  raise(kind: string, title: string, role: StaffRole, dueInHours: number, details: TaskDetails = {}) {
    return raiseTask(this.taskOwner, { kind, title, role, dueInHours, details });
  }

  /** Bills the patient's share: a statement by message, or a biller task when no messaging is configured. */
  async billPatientShare(amountCents: number): Promise<void> {
    if (amountCents <= 0) return;
    const statement = await this.activities.sendPatientStatement({
      claimId: this.claimCase.claimId,
      practiceId: this.claimCase.practiceId,
      patientId: this.claimCase.patientId,
      amountCents,
    });
    if (statement.sent) {
      this.record('statement', 'patient statement sent');
      return;
    }
    this.record('statement_task', 'no messaging configured: statement handed to a biller');
    await this.raise('send_statement', 'Send the patient a statement for their share', 'biller', 72, {
      amountCents,
    });
  }
}

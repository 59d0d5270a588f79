// The state of one run of priorAuthorization, shared by its steps and its message handlers: the ledger (what
// the payer approved and what was used), the request counter, the decision window, a pended extension, and what
// staff must fix. Also what every step reads from it: the status snapshot, the search attributes, the request
// sent to the payer, and the payer activities.
import type { VisitMissed } from '../shared/visit-missed-signal.js';
import {
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { continuedRunDetails, describeAuthorization } from '../../domain/process-summaries.js';
import type { Activities } from '../../activities/index.js';
import type { AuthorizationSubmission } from '../../activities/prior-authorization/index.js';
import type {
  AuthorizationAttentionProblem,
  AuthorizationResolution,
} from '../../domain/prior-authorization/attention.js';
import {
  DEFAULT_AUTHORIZATION_ALERT_POLICY,
  newLedger,
  unitsRemaining,
  visitsRemaining,
  type AuthorizationAlertPolicy,
  type AuthorizationLedger,
} from '../../domain/prior-authorization/lifecycle.js';
import { configurationTask, waitingOnConfiguration } from '../shared/connector-wait.js';
import {
  AuthVisitsRemaining,
  NeedsAttention,
  NextDeadline,
  ProcessStatus,
} from '../shared/search-attributes.js';
import { raiseTask, type TaskOwner } from '../tasks/raise-task.js';
import type { PriorAuthorizationInput, PriorAuthorizationStatus } from './messages.js';
import { payerActivityOptions } from '../shared/activity-options.js';

// Wrapped per run (waitingOnConfiguration): a worker without the payer connector raises an admin task.
const payerActivities = proxyActivities<Activities>(payerActivityOptions);

export interface AuthorizationRun {
  readonly input: PriorAuthorizationInput;
  readonly policy: AuthorizationAlertPolicy;
  readonly pollEveryMs: number;
  /** The payer's decision window, from each request's start. */
  readonly decisionWindowMs: number;
  /** Who the worklist tasks of this process belong to. */
  readonly taskOwner: TaskOwner;
  readonly payer: typeof payerActivities;
  ledger: AuthorizationLedger;
  requestNumber: number;
  decisionDeadline: number;
  decisionEscalated: boolean;
  /** An extension the payer pended: polled on the polling cadence until it decides. */
  extensionPending: boolean;
  nextExtensionPollAt: number;
  /** A pended extension was denied by a `payerDecision` signal: the tracking loop raises the task. */
  extensionDeniedBySignal: boolean;
  planOfCareContinues: boolean;
  /** Discharged or cancelled: the process closes at the next step. */
  closing: boolean;
  /** A message changed the state since the tracking loop last looked (it wakes up on it). */
  changed: boolean;
  // Corrections from staff replace the request's codes for every later request (extensions included).
  diagnosisCodes?: string[];
  procedureCodes?: string[];
  /** What staff must fix while the status is needs_attention, and what they decided. */
  attention?: AuthorizationAttentionProblem;
  resolution?: AuthorizationResolution;
  /** Missed visits reported (visitMissed), once per EMR appointment: no authorized visit is used. */
  missedVisits: VisitMissed[];
}

/** A run's state from its input (a fresh ledger, or the one carried across continue-as-new). */
export function startRun(input: PriorAuthorizationInput): AuthorizationRun {
  const taskOwner: TaskOwner = {
    practiceId: input.practiceId,
    patientId: input.patientId,
    processKind: 'priorAuthorization',
    details: { authorizationId: input.authorizationId, payerId: input.payerId },
    timeZone: input.timezone,
  };
  const decisionWindowMs =
    (input.decisionWindowHours ?? (input.urgency === 'urgent' ? 72 : 7 * 24)) * 3_600_000;
  return {
    input,
    policy: input.alertPolicy ?? DEFAULT_AUTHORIZATION_ALERT_POLICY,
    pollEveryMs: (input.pollEveryMinutes ?? 360) * 60_000,
    decisionWindowMs,
    taskOwner,
    payer: waitingOnConfiguration(payerActivities, configurationTask(taskOwner)),
    ledger: input.carry?.ledger ?? newLedger(),
    requestNumber: input.carry?.requestNumber ?? 0,
    decisionDeadline: workflowInfo().startTime.getTime() + decisionWindowMs,
    decisionEscalated: input.carry?.decisionEscalated ?? false,
    extensionPending: input.carry?.extensionPending ?? false,
    missedVisits: [...(input.carry?.missedVisits ?? [])],
    nextExtensionPollAt: 0,
    extensionDeniedBySignal: false,
    planOfCareContinues: input.planOfCareContinues,
    closing: false,
    changed: false,
    diagnosisCodes: input.diagnosisCodes,
    procedureCodes: input.procedureCodes,
  };
}

function needsAttention(run: AuthorizationRun): boolean {
  return (
    ['expired', 'exhausted', 'denied', 'needs_attention'].includes(run.ledger.status) || run.decisionEscalated
  );
}

/** What the status query, the updates and the workflow's result return. */
export function snapshot(run: AuthorizationRun): PriorAuthorizationStatus {
  const { ledger, attention } = run;
  return {
    authorizationId: run.input.authorizationId,
    status: ledger.status,
    authNumber: ledger.authNumber,
    startDate: ledger.startDate,
    endDate: ledger.endDate,
    visitsAuthorized: ledger.visitsAuthorized,
    visitsUsed: ledger.visitsUsed,
    visitsRemaining: visitsRemaining(ledger),
    unitsAuthorized: ledger.unitsAuthorized,
    unitsUsed: ledger.unitsUsed,
    unitsRemaining: unitsRemaining(ledger),
    needsAttention: needsAttention(run),
    extensionsRequested: ledger.extensionsRequested,
    extensionsApproved: ledger.extensionsApproved,
    ...(attention && ledger.status === 'needs_attention' ? { attention } : {}),
    ...(run.missedVisits.length > 0 ? { missedVisits: run.missedVisits.length } : {}),
  };
}

/** The search attributes staff filter on: status, attention, visits left and the next deadline. */
export function publish(run: AuthorizationRun, deadline?: Date): void {
  upsertSearchAttributes([
    { key: ProcessStatus, value: run.ledger.status },
    { key: NeedsAttention, value: needsAttention(run) },
    { key: AuthVisitsRemaining, value: visitsRemaining(run.ledger) ?? null },
    { key: NextDeadline, value: deadline ?? null },
  ]);
  // Where it stands, for the Temporal UI (read by a query: no command; the codec encrypts it).
  const remaining = visitsRemaining(run.ledger);
  setCurrentDetails(
    continuedRunDetails(
      [
        run.ledger.status.replace(/_/g, ' '),
        remaining !== undefined ? `${remaining} visits left` : undefined,
        needsAttention(run) ? 'needs attention' : undefined,
      ]
        .filter(Boolean)
        .join(' · '),
      workflowInfo().continuedFromExecutionRunId ? describeAuthorization(run.input) : undefined,
    ),
  );
}

/** The request the payer gets: the first one, or an extension of the authorization numbered `extendsAuthNumber`. */
export function submission(run: AuthorizationRun, extendsAuthNumber?: string): AuthorizationSubmission {
  const { input, diagnosisCodes, procedureCodes } = run;
  return {
    authorizationId: input.authorizationId,
    practiceId: input.practiceId,
    patientId: input.patientId,
    coverageId: input.coverageId,
    payerId: input.payerId,
    requestedVisits: input.requestedVisits,
    startDate: input.startDate,
    endDate: input.endDate,
    urgency: input.urgency,
    ...(diagnosisCodes ? { diagnosisCodes } : {}),
    ...(procedureCodes ? { procedureCodes } : {}),
    extendsAuthNumber,
  };
}

/** A worklist task for the front desk about this authorization (PHI-free title). */
export function raiseFrontDeskTask(
  run: AuthorizationRun,
  kind: string,
  title: string,
  dueInHours: number,
  details?: Record<string, number>,
): Promise<string> {
  return raiseTask(run.taskOwner, {
    kind,
    title,
    role: 'front_desk',
    dueInHours,
    ...(details ? { details } : {}),
  });
}

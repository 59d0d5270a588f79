// priorAuthorization: one per coverage episode (DESIGN §2.2). Submits the request, follows up while the payer
// decides (polling, or a `payerDecision` signal from a webhook), then guards the approved visits: every visit
// arrives as a validated `recordVisit` update, so "visit 7 of 6" is rejected with a reason the scheduler shows.
// Alerts (visits left, days left) raise worklist tasks and, while the plan of care continues, the extension
// request goes out automatically. The end date expires it, zero visits exhausts it, discharge closes it.
// A request that cannot be sent or an answer that is no decision (no diagnosis, an AAA rejection, an unreadable
// 278) does not fail the process: it raises a staff task and waits for a correction (`resolveAuthorization`);
// "no authorization required" ends it as not_required (domain/auth/attention.ts says which is which).
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  getExternalWorkflowHandle,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  allHandlersFinished,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { AuthorizationSubmission } from '../../activities/prior-authorization/index.js';
import {
  attentionFor,
  isAuthAttentionType,
  type AuthAttentionProblem,
  type AuthResolution,
} from '../../domain/auth/attention.js';
import { isIcd10CmFormat } from '../../domain/codes/icd10.js';
import {
  applyDecision,
  checkVisit,
  DEFAULT_AUTH_ALERT_POLICY,
  dueAlerts,
  newLedger,
  nextAlertDate,
  recordVisit,
  shouldRequestExtension,
  unitsRemaining,
  visitsRemaining,
  type AuthAlertPolicy,
  type AuthLedger,
  type PayerDecision,
  type VisitToRecord,
} from '../../domain/auth/lifecycle.js';
import { endOfLocalDay, localDate } from '../../domain/core/zoned.js';
import type { StaffRole } from '../../domain/tasks.js';
import { cancelTaskSignal } from '../tasks/messages.js';
import { configurationTask, waitingOnConfiguration } from '../shared/connector-wait.js';
import { raiseTask } from '../tasks/raise-task.js';
import {
  AuthVisitsRemaining,
  NeedsAttention,
  NextDeadline,
  PatientId,
  PayerId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
} from '../shared/search-attributes.js';

export interface PriorAuthInput {
  authorizationId: string;
  practiceId: string;
  patientId: string;
  coverageId: string;
  payerId: string;
  /** The clinic's IANA zone: authorization windows are local calendar dates. */
  timezone: string;
  requestedVisits: number;
  startDate: string;
  endDate?: string;
  urgency: 'standard' | 'urgent';
  /** ICD-10-CM codes the request is for (the referral's diagnosis at least): the 278 carries them. */
  diagnosisCodes?: string[];
  /** CPT/HCPCS codes of the planned treatment (the payer port's default when absent). */
  procedureCodes?: string[];
  /** Payer decision window (7 days standard, 72 h urgent unless the payer profile says otherwise). */
  decisionWindowHours?: number;
  /** How often to ask the payer while a decision is pending (default 6 hours). */
  pollEveryMinutes?: number;
  alertPolicy?: AuthAlertPolicy;
  planOfCareContinues: boolean;
  /** Carried across continue-as-new. */
  carry?: {
    ledger: AuthLedger;
    requestNumber: number;
    decisionEscalated: boolean;
    /** An extension request the payer pended is still waiting for its decision. */
    extensionPending?: boolean;
  };
}

export interface PriorAuthStatus {
  authorizationId: string;
  status: AuthLedger['status'];
  authNumber?: string;
  startDate?: string;
  endDate?: string;
  visitsAuthorized?: number;
  visitsUsed: number;
  visitsRemaining?: number;
  unitsAuthorized?: number;
  unitsUsed: number;
  unitsRemaining?: number;
  needsAttention: boolean;
  extensionsRequested: number;
  extensionsApproved: number;
  /** While the status is needs_attention: what staff must fix (type and reason code, no PHI). */
  attention?: AuthAttentionProblem;
}

export interface RecordVisitResult {
  visitsUsed: number;
  visitsRemaining?: number;
  unitsRemaining?: number;
  duplicate: boolean;
}

export interface AuthAdjustment {
  visitsAuthorized?: number;
  unitsAuthorized?: number;
  endDate?: string;
  /** Who made the correction (audited by the API). */
  adjustedBy: string;
  reasonCode: 'payer_correction' | 'data_entry_error' | 'retro_authorization';
}

export const payerDecisionSignal = defineSignal<[PayerDecision]>('payerDecision');
export const dischargeSignal = defineSignal<[]>('discharge');
export const planOfCareSignal = defineSignal<[{ continues: boolean }]>('planOfCare');
export const recordVisitUpdate = defineUpdate<RecordVisitResult, [VisitToRecord]>('recordVisit');
export const adjustAuthorizationUpdate = defineUpdate<PriorAuthStatus, [AuthAdjustment]>(
  'adjustAuthorization',
);
export const priorAuthStatusQuery = defineQuery<PriorAuthStatus>('status');
/**
 * Staff act on an authorization that waits for them (status needs_attention): resubmit with corrected codes,
 * "no authorization required" (completes as not_required) or cancel (closes it). Refused otherwise.
 */
export type AuthResolutionInput = AuthResolution & {
  /** Who acted (audited by the API). */
  resolvedBy: string;
};
export const resolveAuthorizationUpdate = defineUpdate<PriorAuthStatus, [AuthResolutionInput]>(
  'resolveAuthorization',
);

/** Payer calls are slow and flaky: generous timeout, bounded retries (WF-1). */
export const payerActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 12,
  },
} as const;

// Wrapped per run (waitingOnConfiguration): a worker without the payer connector raises an admin task.
const payerActs = proxyActivities<Activities>(payerActivityOptions);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Executions from before this patch never polled for a pended extension (they waited for the signal). */
export const POLL_PENDED_EXTENSION_PATCH = 'poll-pended-extension';
/** Executions from before this patch took an extension the payer denied at once without telling anyone. */
export const EXTENSION_DENIED_TASK_PATCH = 'extension-denied-task';
/** Executions from before this patch failed on a request that could not be sent or an answer with no decision. */
export const AUTH_ATTENTION_PATCH = 'auth-attention-task';

const CPT_HCPCS = /^[0-9A-Z]{5}$/;

/** The typed problem behind a failed authorization activity, or undefined when it is anything else. */
function attentionProblemOf(err: unknown): AuthAttentionProblem | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  const type = err.cause.type ?? undefined;
  if (!isAuthAttentionType(type)) return undefined;
  const d = (err.cause.details?.[0] ?? {}) as { reasonCode?: unknown; level?: unknown };
  const levels = ['payer', 'provider', 'subscriber', 'dependent'] as const;
  const level = levels.find((l) => l === d.level);
  return {
    type,
    reasonCode: typeof d.reasonCode === 'string' ? d.reasonCode : 'unspecified',
    ...(level ? { level } : {}),
  };
}

export async function priorAuthorization(input: PriorAuthInput): Promise<PriorAuthStatus> {
  const policy = input.alertPolicy ?? DEFAULT_AUTH_ALERT_POLICY;
  let ledger: AuthLedger = input.carry?.ledger ?? newLedger();
  let requestNumber = input.carry?.requestNumber ?? 0;
  let decisionEscalated = input.carry?.decisionEscalated ?? false;
  let extensionPending = input.carry?.extensionPending ?? false;
  let nextExtensionPollAt = 0;
  /** A pended extension was denied by a `payerDecision` signal: the loop raises the task. */
  let extensionDeniedBySignal = false;
  const pollEveryMs = (input.pollEveryMinutes ?? 360) * 60_000;
  let planOfCareContinues = input.planOfCareContinues;
  let closing = false;
  let changed = false;
  // Corrections from staff replace the request's codes for every later request (extensions included).
  let diagnosisCodes = input.diagnosisCodes;
  let procedureCodes = input.procedureCodes;
  /** What staff must fix while the status is needs_attention, and what they decided. */
  let attention: AuthAttentionProblem | undefined;
  let resolution: AuthResolution | undefined;

  const needsAttention = () =>
    ['expired', 'exhausted', 'denied', 'needs_attention'].includes(ledger.status) || decisionEscalated;
  const snapshot = (): PriorAuthStatus => ({
    authorizationId: input.authorizationId,
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
    needsAttention: needsAttention(),
    extensionsRequested: ledger.extensionsRequested,
    extensionsApproved: ledger.extensionsApproved,
    ...(attention && ledger.status === 'needs_attention' ? { attention } : {}),
  });
  const publish = (deadline?: Date) =>
    upsertSearchAttributes([
      { key: ProcessStatus, value: ledger.status },
      { key: NeedsAttention, value: needsAttention() },
      { key: AuthVisitsRemaining, value: visitsRemaining(ledger) ?? null },
      { key: NextDeadline, value: deadline ?? null },
    ]);

  const take = (d: PayerDecision) => {
    ledger = applyDecision(ledger, d);
  };

  setHandler(priorAuthStatusQuery, snapshot);
  // Decisions apply at once (not queued for the main loop), so a visit recorded right after an approval is
  // validated against the approved authorization.
  setHandler(payerDecisionSignal, (d) => {
    take(d);
    if (d.outcome !== 'pended' && extensionPending) {
      extensionPending = false;
      extensionDeniedBySignal = d.outcome === 'denied';
    }
    changed = true;
  });
  setHandler(dischargeSignal, () => {
    closing = true;
    changed = true;
  });
  setHandler(planOfCareSignal, ({ continues }) => {
    planOfCareContinues = continues;
    changed = true;
  });
  setHandler(
    recordVisitUpdate,
    (visit) => {
      const check = checkVisit(ledger, visit);
      const duplicate = check.ok && check.duplicate;
      if (check.ok) ledger = recordVisit(ledger, visit);
      changed = true;
      return {
        visitsUsed: ledger.visitsUsed,
        visitsRemaining: visitsRemaining(ledger),
        unitsRemaining: unitsRemaining(ledger),
        duplicate,
      };
    },
    {
      // Rejected updates never reach history: the state is unchanged and the caller gets the reason.
      validator: (visit) => {
        if (
          !visit ||
          typeof visit.visitId !== 'string' ||
          !ISO_DATE.test(visit.dos) ||
          !Number.isInteger(visit.units) ||
          visit.units < 0
        ) {
          throw ApplicationFailure.nonRetryable('The visit is malformed.', 'InvalidVisit');
        }
        const check = checkVisit(ledger, visit);
        if (!check.ok) throw ApplicationFailure.nonRetryable(check.reason, `VisitNotAllowed:${check.code}`);
      },
    },
  );
  setHandler(
    adjustAuthorizationUpdate,
    (a) => {
      ledger = {
        ...ledger,
        visitsAuthorized: a.visitsAuthorized ?? ledger.visitsAuthorized,
        unitsAuthorized: a.unitsAuthorized ?? ledger.unitsAuthorized,
        endDate: a.endDate ?? ledger.endDate,
      };
      if (
        ledger.status === 'exhausted' &&
        (visitsRemaining(ledger) ?? 1) > 0 &&
        (unitsRemaining(ledger) ?? 1) > 0
      ) {
        ledger = { ...ledger, status: 'active' };
      }
      changed = true;
      return snapshot();
    },
    {
      validator: (a) => {
        const bad =
          (a.visitsAuthorized !== undefined &&
            (!Number.isInteger(a.visitsAuthorized) || a.visitsAuthorized < ledger.visitsUsed)) ||
          (a.unitsAuthorized !== undefined &&
            (!Number.isInteger(a.unitsAuthorized) || a.unitsAuthorized < ledger.unitsUsed)) ||
          (a.endDate !== undefined &&
            (!ISO_DATE.test(a.endDate) || (ledger.startDate !== undefined && a.endDate < ledger.startDate)));
        if (bad)
          throw ApplicationFailure.nonRetryable(
            'The correction is not consistent with the visits already used.',
            'InvalidAdjustment',
          );
        if (
          ['draft', 'submitted', 'pending', 'denied', 'closed', 'needs_attention', 'not_required'].includes(
            ledger.status,
          )
        ) {
          throw ApplicationFailure.nonRetryable(
            'Only an approved authorization can be corrected.',
            'InvalidAdjustment',
          );
        }
      },
    },
  );

  setHandler(
    resolveAuthorizationUpdate,
    (r) => {
      resolution =
        r.action === 'resubmit'
          ? {
              action: 'resubmit',
              ...(r.diagnosisCodes ? { diagnosisCodes: [...r.diagnosisCodes] } : {}),
              ...(r.procedureCodes ? { procedureCodes: [...r.procedureCodes] } : {}),
            }
          : { action: r.action };
      // The main loop takes it from here (resubmits, completes or closes); the caller sees where it goes.
      ledger = {
        ...ledger,
        status: r.action === 'resubmit' ? 'submitted' : r.action === 'cancel' ? 'closed' : 'not_required',
      };
      changed = true;
      return snapshot();
    },
    {
      validator: (r) => {
        if (ledger.status !== 'needs_attention' || resolution !== undefined) {
          throw ApplicationFailure.nonRetryable(
            'The authorization is not waiting for staff: nothing to resolve.',
            'NotAwaitingResolution',
          );
        }
        if (
          !r ||
          !['resubmit', 'not_required', 'cancel'].includes(r.action) ||
          typeof r.resolvedBy !== 'string'
        )
          throw ApplicationFailure.nonRetryable('The resolution is malformed.', 'InvalidResolution');
        if (r.action !== 'resubmit') return;
        const dx: readonly unknown[] = r.diagnosisCodes ?? diagnosisCodes ?? [];
        const px: readonly unknown[] | undefined = r.procedureCodes;
        if (
          dx.length === 0 ||
          dx.length > 12 ||
          !dx.every((c) => typeof c === 'string' && isIcd10CmFormat(c))
        )
          throw ApplicationFailure.nonRetryable(
            'A resubmission needs 1–12 ICD-10-CM diagnosis codes.',
            'InvalidResolution',
          );
        if (
          px !== undefined &&
          (px.length === 0 || !px.every((c) => typeof c === 'string' && CPT_HCPCS.test(c)))
        )
          throw ApplicationFailure.nonRetryable(
            'Procedure codes must be CPT/HCPCS codes.',
            'InvalidResolution',
          );
      },
    },
  );

  if (!input.carry) {
    upsertSearchAttributes([
      { key: ProcessKind, value: 'priorAuthorization' },
      { key: PracticeId, value: input.practiceId },
      { key: PatientId, value: input.patientId },
      { key: PayerId, value: input.payerId },
    ]);
  }

  const submission = (extendsAuthNumber?: string): AuthorizationSubmission => ({
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
  });

  const taskOwner = {
    practiceId: input.practiceId,
    patientId: input.patientId,
    processKind: 'priorAuthorization',
    details: { authorizationId: input.authorizationId, payerId: input.payerId },
  };
  const payer = waitingOnConfiguration(payerActs, configurationTask(taskOwner));
  const raise = (kind: string, title: string, role: StaffRole, dueInHours: number) =>
    raiseTask(taskOwner, { kind, title, role, dueInHours });
  // The visits already approved stay usable; no further automatic extension goes out (staff decide).
  const extensionDenied = () =>
    raise(
      'auth_extension_denied',
      'Authorization extension denied: review, appeal or re-request',
      'front_desk',
      48,
    );

  /**
   * An activity that may fail with a problem staff can act on: the problem instead of a failed process. Only
   * failures get here, so histories from before the patch (which never had one) replay unchanged.
   */
  const ask = async (
    call: () => Promise<PayerDecision>,
  ): Promise<{ decision: PayerDecision } | { problem: AuthAttentionProblem }> => {
    try {
      return { decision: await call() };
    } catch (err) {
      const problem = attentionProblemOf(err);
      if (problem === undefined || !patched(AUTH_ATTENTION_PATCH)) throw err;
      return { problem };
    }
  };

  /**
   * The table's action for a problem with the first request: not required ends the process; anything else
   * raises the task and waits for staff (or a payer decision recorded through the API). Leaves the ledger at
   * draft for a resubmission, at not_required, or with `closing` set.
   */
  const awaitStaff = async (problem: AuthAttentionProblem) => {
    const action = attentionFor(problem);
    if (action.kind === 'complete_not_required') {
      ledger = { ...ledger, status: 'not_required' };
      return;
    }
    attention = problem;
    resolution = undefined;
    ledger = { ...ledger, status: 'needs_attention' };
    publish();
    // Not cancellable: a cancellation arriving while the child starts would otherwise leave an open task behind
    // (the child is abandoned by design); once it has started, the wait below closes it on cancellation.
    const task = await CancellationScope.nonCancellable(() =>
      raiseTask(taskOwner, {
        kind: action.taskKind,
        title: action.title,
        role: action.role,
        dueInHours: action.dueInHours,
        details: { reasonCode: problem.reasonCode, problem: problem.type },
      }),
    );
    const closeTask = async (reason: 'not_needed' | 'process_closed') => {
      try {
        await getExternalWorkflowHandle(task).signal(cancelTaskSignal, { reason });
      } catch {
        // Already completed by a person.
      }
    };
    try {
      await condition(() => resolution !== undefined || closing || ledger.status !== 'needs_attention');
    } catch (err) {
      // Cancelled while waiting (the onboarding that started it was cancelled): the task must not linger.
      if (isCancellation(err)) await CancellationScope.nonCancellable(() => closeTask('process_closed'));
      throw err;
    }
    // Set by the update handler while the condition waited (TS cannot see that).
    const r = resolution as AuthResolution | undefined;
    attention = undefined;
    resolution = undefined;
    // Resolved through the API (or decided by the payer): the worklist row is moot.
    await closeTask(r === undefined && closing ? 'process_closed' : 'not_needed');
    if (r?.action === 'resubmit' && !closing) {
      if (r.diagnosisCodes) diagnosisCodes = r.diagnosisCodes;
      if (r.procedureCodes) procedureCodes = r.procedureCodes;
      ledger = { ...ledger, status: 'draft' };
      // A new request: the payer's decision window starts again.
      decisionDeadline = new Date().getTime() + windowMs;
      decisionEscalated = false;
    } else if (r?.action === 'cancel') closing = true;
    // not_required: the handler set it; a decision signal: the ledger already holds it.
  };

  /** A problem with an extension request: the approved visits stay usable; staff get the table's task. */
  const extensionProblem = async (problem: AuthAttentionProblem) => {
    const action = attentionFor(problem);
    if (action.kind !== 'task') return;
    await raiseTask(taskOwner, {
      kind: action.taskKind,
      title: action.title,
      role: action.role,
      dueInHours: action.dueInHours,
      details: { reasonCode: problem.reasonCode, problem: problem.type, extension: true },
    });
  };

  const windowMs = (input.decisionWindowHours ?? (input.urgency === 'urgent' ? 72 : 7 * 24)) * 3_600_000;
  let decisionDeadline = workflowInfo().startTime.getTime() + windowMs;
  do {
    // 1. Submit (once per request number; the key makes a retried activity file only once).
    if (ledger.status === 'draft') {
      requestNumber += 1;
      ledger = { ...ledger, status: 'submitted' };
      publish();
      const sent = await ask(() => payer.submitAuthorizationRequest(submission(), requestNumber));
      if ('decision' in sent) take(sent.decision);
      else await awaitStaff(sent.problem);
    }

    // 2. Follow up while the payer decides: a webhook signal or a poll, escalating past the decision window.
    while ((ledger.status === 'pending' || ledger.status === 'submitted') && !closing) {
      const untilDeadline = decisionDeadline - new Date().getTime();
      publish(new Date(decisionDeadline));
      const pollMs = Math.min(pollEveryMs, untilDeadline > 0 ? untilDeadline : Infinity);
      const stillPending = () => ledger.status === 'pending' || ledger.status === 'submitted';
      await condition(() => !stillPending() || closing, pollMs);
      if (!stillPending() || closing) continue;
      if (new Date().getTime() >= decisionDeadline && !decisionEscalated) {
        decisionEscalated = true;
        await raise(
          'auth_decision_overdue',
          'Payer decision on an authorization is overdue',
          'front_desk',
          24,
        );
      } else {
        const polled = await ask(() => payer.pollAuthorizationDecision(submission(), requestNumber));
        if ('decision' in polled) take(polled.decision);
        else await awaitStaff(polled.problem);
      }
    }
  } while (ledger.status === 'draft' && !closing);
  decisionEscalated = false;

  if (ledger.status === 'denied') {
    publish();
    await raise('auth_denied', 'Authorization denied: review, appeal or re-request', 'front_desk', 48);
  }

  // 3. Guard the approved authorization until it ends.
  while (!closing && !['denied', 'expired', 'closed', 'not_required'].includes(ledger.status)) {
    const now = new Date();
    const today = localDate(now, input.timezone);

    if (ledger.endDate && now >= endOfLocalDay(ledger.endDate, input.timezone)) {
      ledger = { ...ledger, status: 'expired' };
      publish();
      await raise('auth_expired', 'Authorization expired', 'front_desk', 24);
      break;
    }

    // A pended extension: ask the payer again on the polling cadence (a webhook signal may decide first).
    if (extensionPending && now.getTime() >= nextExtensionPollAt) {
      const polled = await ask(() =>
        payer.pollAuthorizationDecision(submission(ledger.authNumber), requestNumber),
      );
      const d: PayerDecision = 'decision' in polled ? polled.decision : { outcome: 'denied' };
      if ('problem' in polled) await extensionProblem(polled.problem);
      if (d.outcome === 'pended') nextExtensionPollAt = new Date().getTime() + pollEveryMs;
      else {
        extensionPending = false;
        take(d);
        if (d.outcome === 'denied' && 'decision' in polled) await extensionDenied();
      }
    }
    if (extensionDeniedBySignal) {
      extensionDeniedBySignal = false;
      await extensionDenied();
    }

    const alerts = dueAlerts(ledger, policy, today);
    for (const alert of alerts) {
      ledger = { ...ledger, alertsRaised: [...ledger.alertsRaised, alert.key] };
      await raise(`auth_${alert.kind}`, alert.title, 'front_desk', 48);
    }
    if (shouldRequestExtension(ledger, alerts, planOfCareContinues)) {
      ledger = {
        ...ledger,
        extensionsRequested: ledger.extensionsRequested + 1,
        status: 'extension_requested',
      };
      requestNumber += 1;
      const sent = await ask(() =>
        payer.submitAuthorizationRequest(submission(ledger.authNumber), requestNumber),
      );
      // An extension the payer could not take keeps the approved visits, like a denial; the task says why.
      const decision: PayerDecision = 'decision' in sent ? sent.decision : { outcome: 'denied' };
      take(decision);
      if ('problem' in sent) await extensionProblem(sent.problem);
      else if (decision.outcome === 'denied' && patched(EXTENSION_DENIED_TASK_PATCH)) await extensionDenied();
      if (ledger.status === 'pending') {
        ledger = { ...ledger, status: 'extension_requested' };
        if (patched(POLL_PENDED_EXTENSION_PATCH)) {
          extensionPending = true;
          nextExtensionPollAt = new Date().getTime() + pollEveryMs;
        }
      }
    } else if (ledger.status === 'exhausted' && alerts.length > 0) {
      // No extension coming (plan of care ended or one is already in flight): staff decide.
      publish();
    }

    const wakeAt = [
      ledger.endDate ? endOfLocalDay(ledger.endDate, input.timezone).getTime() : undefined,
      (() => {
        const d = nextAlertDate(ledger, policy, today);
        return d ? endOfLocalDay(d, input.timezone).getTime() - 86_400_000 : undefined;
      })(),
      extensionPending ? nextExtensionPollAt : undefined,
    ].filter((t): t is number => t !== undefined && t > now.getTime());
    const next = wakeAt.length > 0 ? Math.min(...wakeAt) : undefined;
    publish(ledger.endDate ? endOfLocalDay(ledger.endDate, input.timezone) : undefined);

    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof priorAuthorization>({
        ...input,
        ...(diagnosisCodes ? { diagnosisCodes } : {}),
        ...(procedureCodes ? { procedureCodes } : {}),
        planOfCareContinues,
        carry: { ledger, requestNumber, decisionEscalated, extensionPending },
      });
    }
    changed = false;
    if (next === undefined) await condition(() => changed || closing);
    else await condition(() => changed || closing, Math.max(1, next - now.getTime()));
  }

  if (closing) ledger = { ...ledger, status: 'closed' };
  publish();
  await condition(allHandlersFinished);
  return snapshot();
}

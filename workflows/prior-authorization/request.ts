// Getting the payer's decision: submit the request, follow up while the payer decides (a `payerDecision` signal
// from a webhook, or a poll on the polling cadence), escalate to a task past the decision window. A request that
// cannot be sent or an answer that is no decision (no diagnosis, an AAA rejection, an unreadable 278) does not
// fail the process: it raises a staff task and waits for a correction (`resolveAuthorization`); "no
// authorization required" ends it as not_required (domain/prior-authorization/attention.ts says which is which).
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
} from '@temporalio/workflow';
import {
  attentionFor,
  isAuthorizationAttentionType,
  type AuthorizationAttentionProblem,
} from '../../domain/prior-authorization/attention.js';
import { applyDecision, type PayerDecision } from '../../domain/prior-authorization/lifecycle.js';
import { raiseTask } from '../tasks/raise-task.js';
import { cancelTaskSignal } from '../tasks/messages.js';
import { publish, raiseFrontDeskTask, submission, type AuthorizationRun } from './run.js';

/** Executions from before this patch failed on a request that could not be sent or an answer with no decision. */
export const AUTHORIZATION_ATTENTION_PATCH = 'auth-attention-task';

const AAA_LEVELS = ['payer', 'provider', 'subscriber', 'dependent'] as const;

/** The typed problem behind a failed authorization activity, or undefined when it is anything else. */
function attentionProblemOf(err: unknown): AuthorizationAttentionProblem | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  const type = err.cause.type ?? undefined;
  if (!isAuthorizationAttentionType(type)) return undefined;
  const details = (err.cause.details?.[0] ?? {}) as { reasonCode?: unknown; level?: unknown };
  const level = AAA_LEVELS.find((candidate) => candidate === details.level);
  return {
    type,
    reasonCode: typeof details.reasonCode === 'string' ? details.reasonCode : 'unspecified',
    ...(level ? { level } : {}),
  };
}

export type PayerAnswer = { decision: PayerDecision } | { problem: AuthorizationAttentionProblem };

/**
 * A payer call that may fail with a problem staff can act on: the problem instead of a failed process. Only
 * failures get here, so histories from before the patch (which never had one) replay unchanged.
 */
export async function askPayer(call: () => Promise<PayerDecision>): Promise<PayerAnswer> {
  try {
    return { decision: await call() };
  } catch (err) {
    const problem = attentionProblemOf(err);
    if (problem === undefined || !patched(AUTHORIZATION_ATTENTION_PATCH)) throw err;
    return { problem };
  }
}

/** The payer's decision goes into the ledger; a problem waits for staff. */
async function take(run: AuthorizationRun, answer: PayerAnswer): Promise<void> {
  if ('decision' in answer) run.ledger = applyDecision(run.ledger, answer.decision);
  else await awaitStaff(run, answer.problem);
}

/**
 * Request → await decision, again after every resubmission staff ask for, until the payer decided, the request
 * needs no authorization, or the process closes.
 */
export async function requestAndAwaitDecision(run: AuthorizationRun): Promise<void> {
  do {
    if (run.ledger.status === 'draft') await submitRequest(run);
    await awaitDecision(run);
  } while (run.ledger.status === 'draft' && !run.closing);
  run.decisionEscalated = false;
}

/** Submit (once per request number; the key makes a retried activity file only once). */
async function submitRequest(run: AuthorizationRun): Promise<void> {
  run.requestNumber += 1;
  run.ledger = { ...run.ledger, status: 'submitted' };
  publish(run);
  const requestNumber = run.requestNumber;
  await take(run, await askPayer(() => run.payer.submitAuthorizationRequest(submission(run), requestNumber)));
}

const awaitingDecision = (run: AuthorizationRun) =>
  run.ledger.status === 'pending' || run.ledger.status === 'submitted';

/** Follow up while the payer decides: a webhook signal or a poll, escalating once past the decision window. */
async function awaitDecision(run: AuthorizationRun): Promise<void> {
  while (awaitingDecision(run) && !run.closing) {
    const untilDeadline = run.decisionDeadline - new Date().getTime();
    publish(run, new Date(run.decisionDeadline));
    const pollMs = Math.min(run.pollEveryMs, untilDeadline > 0 ? untilDeadline : Infinity);
    await condition(() => !awaitingDecision(run) || run.closing, pollMs);
    if (!awaitingDecision(run) || run.closing) continue;
    if (new Date().getTime() >= run.decisionDeadline && !run.decisionEscalated) {
      run.decisionEscalated = true;
      await raiseFrontDeskTask(
        run,
        'auth_decision_overdue',
        'Payer decision on an authorization is overdue',
        24,
      );
    } else {
      const requestNumber = run.requestNumber;
      await take(
        run,
        await askPayer(() => run.payer.pollAuthorizationDecision(submission(run), requestNumber)),
      );
    }
  }
}

/** Marks the run as waiting for staff on `problem` (the status query shows it). */
function needStaff(run: AuthorizationRun, problem: AuthorizationAttentionProblem): void {
  run.attention = problem;
  run.resolution = undefined;
  run.ledger = { ...run.ledger, status: 'needs_attention' };
  publish(run);
}

/**
 * The table's action for a problem with the first request: not required ends the process; anything else
 * raises the task and waits for staff (or a payer decision recorded through the API). Leaves the ledger at
 * draft for a resubmission, at not_required, or with `closing` set.
 */
async function awaitStaff(run: AuthorizationRun, problem: AuthorizationAttentionProblem): Promise<void> {
  const action = attentionFor(problem);
  if (action.kind === 'complete_not_required') {
    run.ledger = { ...run.ledger, status: 'not_required' };
    return;
  }
  needStaff(run, problem);
  // Not cancellable: a cancellation arriving while the child starts would otherwise leave an open task behind
  // (the child is abandoned by design); once it has started, the wait below closes it on cancellation.
  const task = await CancellationScope.nonCancellable(() =>
    raiseTask(run.taskOwner, {
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
    await condition(
      () => run.resolution !== undefined || run.closing || run.ledger.status !== 'needs_attention',
    );
  } catch (err) {
    // Cancelled while waiting (the onboarding that started it was cancelled): the task must not linger.
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => closeTask('process_closed'));
    throw err;
  }
  const resolution = run.resolution;
  run.attention = undefined;
  run.resolution = undefined;
  // Resolved through the API (or decided by the payer): the worklist row is moot.
  await closeTask(resolution === undefined && run.closing ? 'process_closed' : 'not_needed');
  if (resolution?.action === 'resubmit' && !run.closing) {
    if (resolution.diagnosisCodes) run.diagnosisCodes = resolution.diagnosisCodes;
    if (resolution.procedureCodes) run.procedureCodes = resolution.procedureCodes;
    run.ledger = { ...run.ledger, status: 'draft' };
    // A new request: the payer's decision window starts again.
    run.decisionDeadline = new Date().getTime() + run.decisionWindowMs;
    run.decisionEscalated = false;
  } else if (resolution?.action === 'cancel') run.closing = true;
  // not_required: the handler set it; a decision signal: the ledger already holds it.
}

/** A problem with an extension request: the approved visits stay usable; staff get the table's task. */
export async function reportExtensionProblem(
  run: AuthorizationRun,
  problem: AuthorizationAttentionProblem,
): Promise<void> {
  const action = attentionFor(problem);
  if (action.kind !== 'task') return;
  await raiseTask(run.taskOwner, {
    kind: action.taskKind,
    title: action.title,
    role: action.role,
    dueInHours: action.dueInHours,
    details: { reasonCode: problem.reasonCode, problem: problem.type, extension: true },
  });
}

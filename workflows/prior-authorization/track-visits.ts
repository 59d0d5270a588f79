// Guarding an approved authorization until it ends. Visits arrive as `recordVisit` updates (handlers.ts); this
// loop expires the authorization at its end date, follows a pended extension, raises the alerts (visits left,
// days left), requests the extension automatically while the plan of care continues, and sleeps until the next
// of those moments or a message — continuing as new before the history grows large.
import { allHandlersFinished, condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import {
  applyDecision,
  dueAlerts,
  nextAlertDate,
  shouldRequestExtension,
  type AuthorizationAlert,
  type AuthorizationLedger,
  type PayerDecision,
  visitsRemaining,
} from '../../domain/prior-authorization/lifecycle.js';
import { endOfLocalDay, localDate } from '../../domain/core/zoned.js';
import type { IsoDate } from '../../domain/core/dates.js';
import type { PriorAuthorizationWorkflow } from './messages.js';
import { askPayer, reportExtensionProblem } from './request.js';
import { publish, raiseFrontDeskTask, submission, type AuthorizationRun } from './run.js';

/** Executions from before this patch never polled for a pended extension (they waited for the signal). */
export const POLL_PENDED_EXTENSION_PATCH = 'poll-pended-extension';
/** Executions from before this patch took an extension the payer denied at once without telling anyone. */
export const EXTENSION_DENIED_TASK_PATCH = 'extension-denied-task';

const DAY_MS = 86_400_000;

/** Statuses after which there is nothing left to track. */
const UNTRACKED: readonly AuthorizationLedger['status'][] = ['denied', 'expired', 'closed', 'not_required'];

/** Until the authorization expires, is denied or closes: one pass per wake-up. */
export async function trackVisits(run: AuthorizationRun): Promise<void> {
  while (!run.closing && !UNTRACKED.includes(run.ledger.status)) {
    const now = new Date();
    const today = localDate(now, run.input.timezone);
    if (isPastEndDate(run, now)) {
      await expire(run);
      return;
    }
    if (run.extensionPending && now.getTime() >= run.nextExtensionPollAt) await pollPendedExtension(run);
    if (run.extensionDeniedBySignal) {
      run.extensionDeniedBySignal = false;
      await reportExtensionDenied(run);
    }
    const alerts = await raiseDueAlerts(run, today);
    if (shouldRequestExtension(run.ledger, alerts, run.planOfCareContinues)) await requestExtension(run);
    else if (run.ledger.status === 'exhausted' && alerts.length > 0) {
      // No extension coming (plan of care ended or one is already in flight): staff decide.
      publish(run);
    }
    await sleepUntilNextMoment(run, now, today);
  }
}

function isPastEndDate(run: AuthorizationRun, now: Date): boolean {
  return run.ledger.endDate !== undefined && now >= endOfLocalDay(run.ledger.endDate, run.input.timezone);
}

async function expire(run: AuthorizationRun): Promise<void> {
  run.ledger = { ...run.ledger, status: 'expired' };
  publish(run);
  // The approved visits it ends with unused (the practice's numbers count authorizations that expired unused).
  const unused = visitsRemaining(run.ledger);
  await raiseFrontDeskTask(
    run,
    'auth_expired',
    'Authorization expired',
    24,
    unused === undefined
      ? { visitsUsed: run.ledger.visitsUsed }
      : { visitsUsed: run.ledger.visitsUsed, visitsUnused: unused },
  );
}

/** The visits already approved stay usable; no further automatic extension goes out (staff decide). */
function reportExtensionDenied(run: AuthorizationRun): Promise<string> {
  return raiseFrontDeskTask(
    run,
    'auth_extension_denied',
    'Authorization extension denied: review, appeal or re-request',
    48,
  );
}

/** A pended extension: ask the payer again on the polling cadence (a webhook signal may decide first). */
async function pollPendedExtension(run: AuthorizationRun): Promise<void> {
  const requestNumber = run.requestNumber;
  const polled = await askPayer(() =>
    run.payer.pollAuthorizationDecision(submission(run, run.ledger.authNumber), requestNumber),
  );
  const decision: PayerDecision = 'decision' in polled ? polled.decision : { outcome: 'denied' };
  if ('problem' in polled) await reportExtensionProblem(run, polled.problem);
  if (decision.outcome === 'pended') run.nextExtensionPollAt = new Date().getTime() + run.pollEveryMs;
  else {
    run.extensionPending = false;
    run.ledger = applyDecision(run.ledger, decision);
    if (decision.outcome === 'denied' && 'decision' in polled) await reportExtensionDenied(run);
  }
}

/** Each alert due today once (remembered in the ledger), as a front-desk task. */
async function raiseDueAlerts(run: AuthorizationRun, today: IsoDate): Promise<AuthorizationAlert[]> {
  const alerts = dueAlerts(run.ledger, run.policy, today);
  for (const alert of alerts) {
    run.ledger = { ...run.ledger, alertsRaised: [...run.ledger.alertsRaised, alert.key] };
    await raiseFrontDeskTask(run, `auth_${alert.kind}`, alert.title, 48);
  }
  return alerts;
}

/** The automatic extension request, with the payer's number of the authorization it extends. */
async function requestExtension(run: AuthorizationRun): Promise<void> {
  run.ledger = {
    ...run.ledger,
    extensionsRequested: run.ledger.extensionsRequested + 1,
    status: 'extension_requested',
  };
  run.requestNumber += 1;
  const requestNumber = run.requestNumber;
  const sent = await askPayer(() =>
    run.payer.submitAuthorizationRequest(submission(run, run.ledger.authNumber), requestNumber),
  );
  // An extension the payer could not take keeps the approved visits, like a denial; the task says why.
  const decision: PayerDecision = 'decision' in sent ? sent.decision : { outcome: 'denied' };
  run.ledger = applyDecision(run.ledger, decision);
  if ('problem' in sent) await reportExtensionProblem(run, sent.problem);
  else if (decision.outcome === 'denied' && patched(EXTENSION_DENIED_TASK_PATCH))
    await reportExtensionDenied(run);
  if (run.ledger.status === 'pending') {
    run.ledger = { ...run.ledger, status: 'extension_requested' };
    if (patched(POLL_PENDED_EXTENSION_PATCH)) {
      run.extensionPending = true;
      run.nextExtensionPollAt = new Date().getTime() + run.pollEveryMs;
    }
  }
}

/** The next moment the loop must look again: the end date, the next alert's day, the next extension poll. */
function nextWakeUp(run: AuthorizationRun, now: Date, today: IsoDate): number | undefined {
  const { ledger, input } = run;
  const alertDate = nextAlertDate(ledger, run.policy, today);
  const wakeAt = [
    ledger.endDate ? endOfLocalDay(ledger.endDate, input.timezone).getTime() : undefined,
    alertDate ? endOfLocalDay(alertDate, input.timezone).getTime() - DAY_MS : undefined,
    run.extensionPending ? run.nextExtensionPollAt : undefined,
  ].filter((t): t is number => t !== undefined && t > now.getTime());
  return wakeAt.length > 0 ? Math.min(...wakeAt) : undefined;
}

/** Publishes the end date as the next deadline, continues as new when suggested, then waits for a message or the next moment. */
async function sleepUntilNextMoment(run: AuthorizationRun, now: Date, today: IsoDate): Promise<void> {
  const next = nextWakeUp(run, now, today);
  const { ledger, input } = run;
  publish(run, ledger.endDate ? endOfLocalDay(ledger.endDate, input.timezone) : undefined);

  if (workflowInfo().continueAsNewSuggested) {
    await condition(allHandlersFinished);
    await continueAsNew<PriorAuthorizationWorkflow>({
      ...input,
      ...(run.diagnosisCodes ? { diagnosisCodes: run.diagnosisCodes } : {}),
      ...(run.procedureCodes ? { procedureCodes: run.procedureCodes } : {}),
      planOfCareContinues: run.planOfCareContinues,
      carry: {
        ledger: run.ledger,
        requestNumber: run.requestNumber,
        decisionEscalated: run.decisionEscalated,
        extensionPending: run.extensionPending,
        ...(run.missedVisits.length > 0 ? { missedVisits: run.missedVisits } : {}),
      },
    });
  }
  run.changed = false;
  const woken = () => run.changed || run.closing;
  if (next === undefined) await condition(woken);
  else await condition(woken, Math.max(1, next - now.getTime()));
}

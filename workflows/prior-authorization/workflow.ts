// priorAuthorization: one per coverage episode. Submits the request, follows up while the payer
// decides (polling, or a `payerDecision` signal from a webhook), then guards the approved visits: every visit
// arrives as a validated `recordVisit` update, so "visit 7 of 6" is rejected with a reason the scheduler shows.
// Alerts (visits left, days left) raise worklist tasks and, while the plan of care continues, the extension
// request goes out automatically. The end date expires it, zero visits exhausts it, discharge closes it.
// The steps: request.ts (request → await decision, staff resolving what the payer could not take),
// track-visits.ts (expire / poll extension / alerts / extend / sleep), handlers.ts (messages), run.ts (state).
import { allHandlersFinished, condition, upsertSearchAttributes } from '@temporalio/workflow';
import { PatientId, PayerId, PracticeId, ProcessKind } from '../shared/search-attributes.js';
import type { PriorAuthorizationInput, PriorAuthorizationStatus } from './messages.js';
import { handleMessages } from './handlers.js';
import { requestAndAwaitDecision } from './request.js';
import { publish, raiseFrontDeskTask, snapshot, startRun, type AuthorizationRun } from './run.js';
import { trackVisits } from './track-visits.js';

/** The process: request → await decision → track visits (alerts, extension, expiry) → close. */
export async function priorAuthorization(input: PriorAuthorizationInput): Promise<PriorAuthorizationStatus> {
  const run = startRun(input);
  handleMessages(run);
  if (!input.carry) tagProcess(input);

  await requestAndAwaitDecision(run);
  if (run.ledger.status === 'denied') await reportDenial(run);
  await trackVisits(run);

  return close(run);
}

/** The search attributes a run keeps for its whole life (set once; continue-as-new inherits them). */
function tagProcess(input: PriorAuthorizationInput): void {
  upsertSearchAttributes([
    { key: ProcessKind, value: 'priorAuthorization' },
    { key: PracticeId, value: input.practiceId },
    { key: PatientId, value: input.patientId },
    { key: PayerId, value: input.payerId },
  ]);
}

async function reportDenial(run: AuthorizationRun): Promise<void> {
  publish(run);
  await raiseFrontDeskTask(run, 'auth_denied', 'Authorization denied: review, appeal or re-request', 48);
}

/** Discharged or cancelled → closed; otherwise it ends as it stands (expired, denied, not required). */
async function close(run: AuthorizationRun): Promise<PriorAuthorizationStatus> {
  if (run.closing) run.ledger = { ...run.ledger, status: 'closed' };
  publish(run);
  await condition(allHandlersFinished);
  return snapshot(run);
}

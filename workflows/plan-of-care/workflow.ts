// planOfCare: one per episode of care, from the signed evaluation to discharge. It sends the POC to the
// referring practitioner and chases the certification (reminders day 7/14/21, escalation before day 30),
// counts treatment days from `visitCompleted` signals (progress-report task before the 10th, the
// `progressReportOverdue` flag the scrubber holds claims on once the 10th has passed), raises the
// recertification task before the interval ends and tells the authorization an extension will be needed,
// records outcome measures against their MCIDs (plateau → therapist task), sends progress summaries, and on
// discharge (signal, or N days without visits) sends the discharge summary and closes the authorization.
// Every deadline decision is pure (domain/care/episode.ts, domain/outcomes); these files only apply them.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { nextCareCheckDate } from '../../domain/care/episode.js';
import type { IsoDate } from '../../domain/core/dates.js';
import { startOfLocalDay } from '../../domain/core/zoned.js';
import { PatientId, PracticeId, ProcessKind } from '../shared/search-attributes.js';
import { signalAuthorizationDischarge } from './authorization.js';
import { raisePlateauTasks, takeDueCareActions } from './care-actions.js';
import {
  carryOf,
  clinicToday,
  episodeStatus,
  publishSearchAttributes,
  startEpisodeRun,
  type EpisodeRun,
} from './episode-run.js';
import { handleMessages } from './handlers.js';
import {
  PLAN_OF_CARE_WORKFLOW_TYPE,
  type DischargeRequest,
  type PlanOfCareInput,
  type PlanOfCareStatus,
  type PlanOfCareWorkflow,
} from './messages.js';
import {
  sendDischargeSummary,
  sendPlanOfCareForCertification,
  sendProgressSummaries,
} from './practitioner.js';
import { cancelSignatureProcesses, POC_PATCHES, startSignatureProcess } from './signature.js';
import { closeResolvedTasks, closeTasks } from './worklist.js';

/** The server suggests continue-as-new near 4k events; a plan of care continues well before that. */
const DEFAULT_MAX_EVENTS_PER_RUN = 2_000;

/** The episode starts: its search attributes, then the plan of care goes out for certification. */
async function startEpisode(run: EpisodeRun): Promise<void> {
  upsertSearchAttributes([
    { key: ProcessKind, value: PLAN_OF_CARE_WORKFLOW_TYPE },
    { key: PracticeId, value: run.input.practiceId },
    { key: PatientId, value: run.input.patientId },
  ]);
  publishSearchAttributes(run);
  if (patched(POC_PATCHES.signatureProcess))
    await startSignatureProcess(run, { kind: 'initial', firstTreatmentDate: run.episode.firstTreatmentDate });
  else await sendPlanOfCareForCertification(run);
}

/** A long episode continues in a new run (with its state as the carry) before its history grows large. */
async function continueAsNewWhenHistoryIsLong(run: EpisodeRun): Promise<void> {
  const info = workflowInfo();
  const maxEvents = run.input.maxHistoryEventsPerRun ?? DEFAULT_MAX_EVENTS_PER_RUN;
  if (!info.continueAsNewSuggested && info.historyLength <= maxEvents) return;
  await condition(allHandlersFinished);
  await continueAsNew<PlanOfCareWorkflow>({ ...run.input, carry: carryOf(run) });
}

/** Sleeps until a signal or update changes something, or until the next day on which a deadline may fall. */
async function waitForChangeOrNextCheck(run: EpisodeRun, day: IsoDate): Promise<void> {
  const next = nextCareCheckDate(run.episode, run.policy, day);
  if (next === undefined) {
    await condition(() => run.changed);
    return;
  }
  const untilNext = Math.max(1, startOfLocalDay(next, run.input.timezone).getTime() - new Date().getTime());
  await condition(() => run.changed, untilNext);
}

/** Reacts to signals, updates and the calendar until discharge is requested or the episode goes inactive. */
async function followEpisodeUntilDischarge(run: EpisodeRun): Promise<DischargeRequest> {
  for (;;) {
    // Reset before the work, not after it: a signal or update that lands while this pass awaits an
    // activity or a child start sets `changed` again and the wait below returns at once.
    run.changed = false;
    const day = clinicToday(run);
    await closeResolvedTasks(run);
    await sendProgressSummaries(run);
    if (!run.dischargeRequested) await takeDueCareActions(run, day);
    await raisePlateauTasks(run);
    if (run.dischargeRequested) return run.dischargeRequested;
    publishSearchAttributes(run);
    await continueAsNewWhenHistoryIsLong(run);
    await waitForChangeOrNextCheck(run, day);
  }
}

/** Discharge: the summary with the outcome report goes to the practitioner, open work closes. */
async function dischargeEpisode(run: EpisodeRun, request: DischargeRequest): Promise<void> {
  run.discharge ??= { date: clinicToday(run), reason: request.reason };
  await sendDischargeSummary(run, run.discharge);
  // Discharge cancels the pending progress-report requirement and any recertification.
  await closeTasks(run, ['progress_report', 'recertification']);
  await cancelSignatureProcesses(run);
  await signalAuthorizationDischarge(run);
  publishSearchAttributes(run);
}

/** The planOfCare process (registered as PLAN_OF_CARE_WORKFLOW_TYPE). */
export async function planOfCare(input: PlanOfCareInput): Promise<PlanOfCareStatus> {
  const run = startEpisodeRun(input);
  handleMessages(run);
  if (!input.carry) await startEpisode(run);
  const request = await followEpisodeUntilDischarge(run);
  await dischargeEpisode(run, request);
  await condition(allHandlersFinished);
  return episodeStatus(run);
}

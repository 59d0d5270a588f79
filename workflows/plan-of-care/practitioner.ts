// Documents to the referring practitioner: the plan of care for certification (its transmission receipt is
// the proof the 2025 rule accepts), the progress summaries, and the discharge summary with the outcome
// report. A document that cannot be sent becomes a front-desk task; it never fails the plan of care.
import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { PlanOfCareActivities } from '../../activities/plan-of-care/index.js';
import {
  applyCertification,
  certificationRecordProblem,
  type CertificationRecord,
} from '../../domain/care/certification-record.js';
import { certifiedThrough } from '../../domain/care/episode.js';
import { localDate } from '../../domain/core/zoned.js';
import { assessOutcomes } from '../../domain/outcomes/change.js';
import type { IsoDate } from '../../domain/core/dates.js';
import type { EpisodeRun } from './episode-run.js';
import type { DischargeReason } from './messages.js';
import { raiseEpisodeTask } from './worklist.js';

/** Documents to a practitioner go through a connector that may be slow or down: bounded retries. */
const physician = proxyActivities<PlanOfCareActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 10,
  },
});

/** Logs carry no PHI: only the failure type (a connector's message might echo patient data). */
export const failureType = (err: unknown): string =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure
    ? (err.cause.type ?? 'ApplicationFailure')
    : err instanceof Error
      ? err.name
      : 'unknown';

/** Who the documents of the episode are about and for. */
const documentParties = ({ input }: EpisodeRun) => ({
  episodeId: input.episodeId,
  practiceId: input.practiceId,
  patientId: input.patientId,
  referringPractitionerId: input.referringPractitionerId,
});

/** Sends a document; if that fails for good, logs the failure type and raises a front-desk task for it. */
async function sendOrRaiseTask(
  run: EpisodeRun,
  send: () => Promise<unknown>,
  onFailure: { logMessage: string; taskKind: string; taskTitle: string },
): Promise<void> {
  try {
    await send();
  } catch (err) {
    log.warn(onFailure.logMessage, { episodeId: run.input.episodeId, failure: failureType(err) });
    await raiseEpisodeTask(run, {
      kind: onFailure.taskKind,
      title: onFailure.taskTitle,
      role: 'front_desk',
      dueInHours: 24,
    });
  }
}

/**
 * Sends the plan of care for certification. With a signed referral, from 2025, the transmission receipt alone
 * certifies the initial plan of care, so it is recorded as the certification's transmission proof.
 */
export async function sendPlanOfCareForCertification(run: EpisodeRun): Promise<void> {
  await sendOrRaiseTask(
    run,
    async () => {
      const receipt = await physician.sendPlanOfCareToPhysician({
        ...documentParties(run),
        kind: 'initial',
        firstTreatmentDate: run.episode.firstTreatmentDate,
        certifiedThrough: certifiedThrough(run.episode),
      });
      const proof: CertificationRecord = {
        kind: 'transmission',
        transmittedDate: localDate(new Date(receipt.sentAt), run.input.timezone),
        proofRef: receipt.transmissionId,
      };
      if (!certificationRecordProblem(run.episode, proof))
        run.episode = applyCertification(run.episode, proof);
    },
    {
      logMessage: 'Sending the plan of care failed',
      taskKind: 'poc_send_failed',
      taskTitle: 'Send the plan of care to the referring practitioner',
    },
  );
}

/** Sends the summary of every recorded progress report not sent yet, oldest first. */
export async function sendProgressSummaries(run: EpisodeRun): Promise<void> {
  // A report recorded while a summary is on its way joins the queue and is sent in this pass too.
  let reportDate = run.pendingSummaries[0];
  while (reportDate !== undefined) {
    const summary = {
      ...documentParties(run),
      reportDate,
      treatmentDays: run.episode.treatmentDays.length,
      outcomes: assessOutcomes(run.outcomes),
    };
    await sendOrRaiseTask(run, () => physician.sendProgressSummaryToPhysician(summary), {
      logMessage: 'Progress summary not sent',
      taskKind: 'progress_summary_send_failed',
      taskTitle: 'Send the progress summary to the practitioner',
    });
    run.pendingSummaries.shift();
    reportDate = run.pendingSummaries[0];
  }
}

/** The discharge summary (the final progress report, with the outcome report) goes to the practitioner. */
export async function sendDischargeSummary(
  run: EpisodeRun,
  discharge: { date: IsoDate; reason: DischargeReason },
): Promise<void> {
  const summary = {
    ...documentParties(run),
    dischargeDate: discharge.date,
    reason: discharge.reason,
    treatmentDays: run.episode.treatmentDays.length,
    outcomes: assessOutcomes(run.outcomes),
  };
  await sendOrRaiseTask(run, () => physician.sendDischargeSummaryToPhysician(summary), {
    logMessage: 'Discharge summary not sent',
    taskKind: 'discharge_summary_send_failed',
    taskTitle: 'Send the discharge summary to the practitioner',
  });
}

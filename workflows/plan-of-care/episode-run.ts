// One run of the planOfCare workflow as data: the episode and what the run keeps beside it (outcome scores,
// summaries still to send, open tasks, coverage alerts), restored from the previous run's carry after
// continue-as-new; its status snapshot (the `status` query, the search attributes) and the carry it hands on.
import type { VisitMissed } from '../shared/visit-missed-signal.js';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  certificationState,
  certifiedThrough,
  claimContext,
  DEFAULT_CARE_POLICY,
  isInitiallyCertified,
  isProgressReportOverdue,
  isRecertificationRequested,
  newCareEpisode,
  nextCareCheckDate,
  progressPosition,
  type CareEpisode,
  type CarePolicy,
} from '../../domain/care/episode.js';
import { initialCertificationDueBy } from '../../domain/care/poc.js';
import type { IsoDate } from '../../domain/core/dates.js';
import { endOfLocalDay, localDate } from '../../domain/core/zoned.js';
import { continuedRunDetails, describePlanOfCare } from '../../domain/process-summaries.js';
import {
  assessOutcomes,
  type OutcomeAssessment,
  type OutcomeMeasurement,
} from '../../domain/outcomes/change.js';
import { NeedsAttention, NextDeadline, ProcessStatus } from '../shared/search-attributes.js';
import type {
  DischargeReason,
  DischargeRequest,
  OpenTask,
  PlanOfCareCarry,
  PlanOfCareInput,
  PlanOfCareProcessStatus,
  PlanOfCareStatus,
  SignatureProcessRef,
  TaskTopic,
} from './messages.js';

/** The state of one run; the signal and update handlers and the steps of the process share it. */
export interface EpisodeRun {
  readonly input: PlanOfCareInput;
  readonly policy: CarePolicy;
  /** How many runs this episode has had, this one included. */
  readonly runs: number;
  episode: CareEpisode;
  outcomes: OutcomeMeasurement[];
  /** Progress-report dates whose summary still has to go to the physician, oldest first. */
  readonly pendingSummaries: IsoDate[];
  openTasks: OpenTask[];
  /** Coverages the nightly re-verification found inactive or not found. */
  readonly coverageAlerts: Set<string>;
  /** The pocSignature processes of the episode (empty: the older path, see signature.ts). */
  readonly signatureProcesses: SignatureProcessRef[];
  /** Missed visits reported for the episode (visitMissed), once per EMR appointment: not treatment days. */
  readonly missedVisits: VisitMissed[];
  /** Task topics whose work was recorded since the last pass: their open tasks are moot. */
  readonly resolvedTopics: Set<TaskTopic>;
  discharge?: { date: IsoDate; reason: DischargeReason };
  dischargeRequested?: DischargeRequest;
  /** Set by every signal or update that changed something: the wait for the calendar returns at once. */
  changed: boolean;
  /** The search attributes last upserted (see publishSearchAttributes). */
  publishedAttributes: string;
}

/** A fresh episode, or the previous run's carry after continue-as-new. */
export function startEpisodeRun(input: PlanOfCareInput): EpisodeRun {
  const carry = input.carry;
  return {
    input,
    policy: { ...DEFAULT_CARE_POLICY, ...input.policy },
    runs: (carry?.runs ?? 0) + 1,
    episode: carry?.episode ?? newCareEpisode(input),
    outcomes: carry?.outcomes ?? [],
    pendingSummaries: [...(carry?.pendingSummaries ?? [])],
    openTasks: [...(carry?.openTasks ?? [])],
    coverageAlerts: new Set<string>(carry?.coverageAlerts ?? []),
    missedVisits: [...(carry?.missedVisits ?? [])],
    signatureProcesses: [...(carry?.signatureProcesses ?? [])],
    resolvedTopics: new Set<TaskTopic>(),
    changed: false,
    publishedAttributes: '',
  };
}

/** The clinic-local calendar day (workflow time). */
export const clinicToday = (run: EpisodeRun): IsoDate => localDate(new Date(), run.input.timezone);

export const isPlateau = (assessment: OutcomeAssessment) =>
  assessment.trend === 'plateau' || assessment.trend === 'worsening';

function processStatus(run: EpisodeRun, day: IsoDate): PlanOfCareProcessStatus {
  if (run.discharge) return 'discharged';
  const certification = certificationState(run.episode, day).status;
  if (certification === 'recertification_required' || isRecertificationRequested(run.episode))
    return 'recertification_due';
  if (certification === 'certified') return 'certified';
  return certification === 'late' ? 'certification_late' : 'awaiting_certification';
}

/** The `status` query's answer (and what every update returns). */
export function episodeStatus(run: EpisodeRun): PlanOfCareStatus {
  const { episode, policy, discharge, coverageAlerts } = run;
  const day = clinicToday(run);
  const certification = certificationState(episode, day);
  const assessments = assessOutcomes(run.outcomes);
  const overdue = !discharge && isProgressReportOverdue(episode, policy, day);
  const plateau = assessments.some(isPlateau);
  const position = progressPosition(episode, policy);
  return {
    episodeId: run.input.episodeId,
    status: processStatus(run, day),
    certification: certification.status,
    initialCertificationDueBy: initialCertificationDueBy(episode.firstTreatmentDate),
    certifiedThrough: certifiedThrough(episode),
    treatmentDays: episode.treatmentDays.length,
    visitsCounted: episode.visitIds.length,
    progressReport: {
      status: position.status,
      treatmentDayInPeriod: position.treatmentDayInPeriod,
      periodStart: position.periodStart,
    },
    progressReportOverdue: overdue,
    outcomes: assessments,
    plateau,
    ...(coverageAlerts.size > 0 ? { coverageAlerts: [...coverageAlerts] } : {}),
    needsAttention:
      !discharge &&
      (overdue ||
        plateau ||
        coverageAlerts.size > 0 ||
        certification.status === 'late' ||
        certification.status === 'recertification_required'),
    nextCheck: discharge ? undefined : nextCareCheckDate(episode, policy, day),
    discharged: discharge,
    claimContext: claimContext(episode),
    ...(run.signatureProcesses.length > 0 ? { signatureProcesses: [...run.signatureProcesses] } : {}),
    ...(run.missedVisits.length > 0 ? { missedVisits: run.missedVisits.length } : {}),
    runs: run.runs,
  };
}

/**
 * Upserts ProcessStatus, NeedsAttention and NextDeadline (the certification due date, then the end of the
 * certified period) — only when they changed, so 60 visits do not add 60 history events.
 */
export function publishSearchAttributes(run: EpisodeRun): void {
  const status = episodeStatus(run);
  const deadline = status.discharged
    ? null
    : endOfLocalDay(
        isInitiallyCertified(run.episode, clinicToday(run))
          ? status.certifiedThrough
          : status.initialCertificationDueBy,
        run.input.timezone,
      );
  // Where it stands, for the Temporal UI (read by a query: no command; the codec encrypts it).
  setCurrentDetails(
    continuedRunDetails(
      `${status.status.replace(/_/g, ' ')} · ${status.treatmentDays} treatment days${status.needsAttention ? ' · needs attention' : ''}`,
      workflowInfo().continuedFromExecutionRunId ? describePlanOfCare(run.input) : undefined,
    ),
  );
  const published = JSON.stringify([status.status, status.needsAttention, deadline?.getTime() ?? null]);
  if (published === run.publishedAttributes) return;
  run.publishedAttributes = published;
  upsertSearchAttributes([
    { key: ProcessStatus, value: status.status },
    { key: NeedsAttention, value: status.needsAttention },
    { key: NextDeadline, value: deadline },
  ]);
}

/** What the next run continues from. */
export function carryOf(run: EpisodeRun): PlanOfCareCarry {
  return {
    episode: run.episode,
    outcomes: run.outcomes,
    pendingSummaries: run.pendingSummaries,
    openTasks: run.openTasks,
    runs: run.runs,
    ...(run.coverageAlerts.size > 0 ? { coverageAlerts: [...run.coverageAlerts] } : {}),
    ...(run.signatureProcesses.length > 0 ? { signatureProcesses: [...run.signatureProcesses] } : {}),
    ...(run.missedVisits.length > 0 ? { missedVisits: [...run.missedVisits] } : {}),
  };
}

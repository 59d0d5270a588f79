// planOfCare: one per episode of care, from the signed evaluation to discharge (DESIGN §2.4). It sends the POC
// to the referring practitioner and chases the certification (reminders day 7/14/21, escalation before day 30),
// counts treatment days from `visitCompleted` signals (progress-report task before the 10th, the
// `progressReportOverdue` flag the scrubber holds claims on once the 10th has passed), raises the
// recertification task before the interval ends and tells the authorization an extension will be needed,
// records outcome measures against their MCIDs (plateau → therapist task), sends progress summaries, and on
// discharge (signal, or N days without visits) sends the discharge summary and closes the authorization.
// Every deadline decision is pure (domain/care/episode.ts, domain/outcomes); this file only applies them.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { DischargeSummaryDocument, PlanOfCareDocument } from '../../activities/plan-of-care/index.js';
import {
  applyCertification,
  certificationRecordProblem,
  certificationState,
  certifiedThrough,
  claimContext,
  DEFAULT_CARE_POLICY,
  dueCareActions,
  isInitiallyCertified,
  isProgressReportOverdue,
  markDone,
  newCareEpisode,
  nextCareCheckDate,
  progressPosition,
  recordProgressReport,
  recordTreatment,
  type CareAction,
  type CareEpisode,
  type CarePolicy,
  type CertificationRecord,
} from '../../domain/care/episode.js';
import { initialCertificationDueBy } from '../../domain/care/poc.js';
import type { ProgressReportStatus } from '../../domain/care/progress.js';
import { isIsoDate, type IsoDate } from '../../domain/core/dates.js';
import { endOfLocalDay, localDate, startOfLocalDay } from '../../domain/core/zoned.js';
import {
  assessOutcome,
  assessOutcomes,
  suggestedNextSteps,
  type OutcomeAssessment,
  type OutcomeMeasurement,
} from '../../domain/outcomes/change.js';
import { scoreProblem } from '../../domain/outcomes/instruments.js';
import type { StaffRole } from '../../domain/tasks.js';
import { cancelTaskSignal } from '../tasks/messages.js';
import { coverageCheckedSignal, isCoverageChecked } from '../shared/coverage-signal.js';
import { raiseTask as startTask } from '../tasks/raise-task.js';
import {
  dischargeSignal as closeAuthorizationSignal,
  planOfCareSignal,
} from '../prior-authorization/workflow.js';
import {
  NeedsAttention,
  NextDeadline,
  PatientId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
} from '../shared/search-attributes.js';

export type DischargeReason = DischargeSummaryDocument['reason'];

/** What makes an open task moot, so the worklist does not keep chasing work already done. */
export type TaskTopic = 'progress_report' | 'certification' | 'recertification';
export interface OpenTask {
  workflowId: string;
  topic: TaskTopic;
}

export interface PlanOfCareCarry {
  episode: CareEpisode;
  outcomes: OutcomeMeasurement[];
  /** Progress-report dates whose summary still has to go to the physician. */
  pendingSummaries: IsoDate[];
  openTasks: OpenTask[];
  runs: number;
  /** Coverages the nightly re-verification found inactive or not found (see `coverageChecked`). */
  coverageAlerts?: string[];
}

export interface PlanOfCareInput {
  episodeId: string;
  practiceId: string;
  patientId: string;
  /** Our id of the referring/certifying practitioner. */
  referringPractitionerId: string;
  /** The clinic's IANA zone: dates of service and deadlines are local calendar dates. */
  timezone: string;
  /** The evaluation date (treatment day 1, certification day 0). */
  firstTreatmentDate: IsoDate;
  /** Last day of the POC's planned duration when shorter than 90 days. */
  pocEndDate?: IsoDate;
  /** The patient came with a signed and dated order/referral (2025 transmission rule). */
  referralSignedAndDated?: boolean;
  /** The priorAuthorization workflow covering this episode, if any. */
  authorizationWorkflowId?: string;
  policy?: Partial<CarePolicy>;
  /** Continue-as-new after this many history events even when the server has not suggested it yet. */
  maxHistoryEventsPerRun?: number;
  carry?: PlanOfCareCarry;
}

export type PlanOfCareProcessStatus =
  'awaiting_certification' | 'certified' | 'certification_late' | 'recertification_due' | 'discharged';

export interface PlanOfCareStatus {
  episodeId: string;
  status: PlanOfCareProcessStatus;
  certification: ReturnType<typeof certificationState>['status'];
  initialCertificationDueBy: IsoDate;
  certifiedThrough: IsoDate;
  treatmentDays: number;
  visitsCounted: number;
  progressReport: { status: ProgressReportStatus; treatmentDayInPeriod: number; periodStart: IsoDate };
  /** The scrubber holds claims while this is set. */
  progressReportOverdue: boolean;
  outcomes: OutcomeAssessment[];
  /** An instrument shows no meaningful change (or worsening): the therapist has a task. */
  plateau: boolean;
  /** Coverages of the patient the nightly re-verification found inactive or not found (front-desk task). */
  coverageAlerts?: string[];
  needsAttention: boolean;
  nextCheck?: IsoDate;
  discharged?: { date: IsoDate; reason: DischargeReason };
  /** What a claim's scrubber needs (ScrubContext.poc and .progress) to hold claims by the same rules. */
  claimContext: ReturnType<typeof claimContext>;
  runs: number;
}

export interface VisitCompleted {
  visitId: string;
  dos: IsoDate;
}
export interface ProgressReportRecord {
  reportDate: IsoDate;
}
export interface DischargeRequest {
  reason: Exclude<DischargeReason, 'inactive'>;
}

export const visitCompletedSignal = defineSignal<[VisitCompleted]>('visitCompleted');
export const dischargePlanOfCareSignal = defineSignal<[DischargeRequest]>('discharge');
export const recordCertificationUpdate = defineUpdate<PlanOfCareStatus, [CertificationRecord]>(
  'recordCertification',
);
export const recordProgressReportUpdate = defineUpdate<PlanOfCareStatus, [ProgressReportRecord]>(
  'recordProgressReport',
);
export const recordOutcomeUpdate = defineUpdate<OutcomeAssessment, [OutcomeMeasurement]>('recordOutcome');
export const planOfCareStatusQuery = defineQuery<PlanOfCareStatus>('status');

/** Documents to a practitioner go through a connector that may be slow or down: bounded retries. */
const physicianActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 10,
  },
} as const;

const acts = proxyActivities<Activities>(physicianActivityOptions);

/** The server suggests continue-as-new near 4k events; a plan of care continues well before that. */
const DEFAULT_MAX_EVENTS_PER_RUN = 2_000;

/** Logs carry no PHI: only the failure type (a connector's message might echo patient data). */
const failureType = (err: unknown): string =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure
    ? (err.cause.type ?? 'ApplicationFailure')
    : err instanceof Error
      ? err.name
      : 'unknown';

const reject = (message: string, type: string) => {
  throw ApplicationFailure.nonRetryable(message, type);
};

export async function planOfCare(input: PlanOfCareInput): Promise<PlanOfCareStatus> {
  const policy: CarePolicy = { ...DEFAULT_CARE_POLICY, ...input.policy };
  const tz = input.timezone;
  let episode: CareEpisode = input.carry?.episode ?? newCareEpisode(input);
  let outcomes: OutcomeMeasurement[] = input.carry?.outcomes ?? [];
  const pendingSummaries: IsoDate[] = [...(input.carry?.pendingSummaries ?? [])];
  const runs = (input.carry?.runs ?? 0) + 1;
  let openTasks: OpenTask[] = [...(input.carry?.openTasks ?? [])];
  const coverageAlerts = new Set<string>(input.carry?.coverageAlerts ?? []);
  const resolved = new Set<TaskTopic>();
  let discharge: { date: IsoDate; reason: DischargeReason } | undefined;
  let dischargeRequested: DischargeRequest | undefined;
  let changed = false;
  const today = () => localDate(new Date(), tz);

  const plateauOf = (a: OutcomeAssessment) => a.trend === 'plateau' || a.trend === 'worsening';
  const snapshot = (): PlanOfCareStatus => {
    const day = today();
    const cert = certificationState(episode, day);
    const assessments = assessOutcomes(outcomes);
    const overdue = !discharge && isProgressReportOverdue(episode, policy, day);
    const plateau = assessments.some(plateauOf);
    const through = certifiedThrough(episode);
    const status: PlanOfCareProcessStatus = discharge
      ? 'discharged'
      : cert.status === 'recertification_required' || episode.done.includes(`recert:${through}`)
        ? 'recertification_due'
        : cert.status === 'certified'
          ? 'certified'
          : cert.status === 'late'
            ? 'certification_late'
            : 'awaiting_certification';
    const pos = progressPosition(episode, policy);
    return {
      episodeId: input.episodeId,
      status,
      certification: cert.status,
      initialCertificationDueBy: initialCertificationDueBy(episode.firstTreatmentDate),
      certifiedThrough: through,
      treatmentDays: episode.treatmentDays.length,
      visitsCounted: episode.visitIds.length,
      progressReport: {
        status: pos.status,
        treatmentDayInPeriod: pos.treatmentDayInPeriod,
        periodStart: pos.periodStart,
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
          cert.status === 'late' ||
          cert.status === 'recertification_required'),
      nextCheck: discharge ? undefined : nextCareCheckDate(episode, policy, day),
      discharged: discharge,
      claimContext: claimContext(episode),
      runs,
    };
  };

  // Search attributes change rarely; upserting only on change keeps 60 visits from adding 60 history events.
  let published = '';
  const publish = () => {
    const s = snapshot();
    const deadline = s.discharged
      ? null
      : endOfLocalDay(
          isInitiallyCertified(episode, today()) ? s.certifiedThrough : s.initialCertificationDueBy,
          tz,
        );
    const key = JSON.stringify([s.status, s.needsAttention, deadline?.getTime() ?? null]);
    if (key === published) return;
    published = key;
    upsertSearchAttributes([
      { key: ProcessStatus, value: s.status },
      { key: NeedsAttention, value: s.needsAttention },
      { key: NextDeadline, value: deadline },
    ]);
  };

  const open = () => {
    if (discharge || dischargeRequested) reject('The plan of care is discharged.', 'PlanOfCareDischarged');
  };
  const validDate = (d: unknown, what: string): d is IsoDate => {
    if (typeof d !== 'string' || !isIsoDate(d)) reject(`${what} must be a YYYY-MM-DD date.`, 'InvalidDate');
    if ((d as string) < episode.firstTreatmentDate)
      reject(`${what} is before the first treatment day of this plan of care.`, 'InvalidDate');
    return true;
  };

  setHandler(planOfCareStatusQuery, snapshot);
  setHandler(visitCompletedSignal, (v) => {
    // Signals cannot be rejected: a malformed one is logged (ids only) and ignored.
    if (!v || typeof v.visitId !== 'string' || typeof v.dos !== 'string' || !isIsoDate(v.dos)) {
      log.warn('visitCompleted ignored: malformed', { episodeId: input.episodeId });
      return;
    }
    if (v.dos < episode.firstTreatmentDate) {
      log.warn('visitCompleted ignored: before the first treatment day', { episodeId: input.episodeId });
      return;
    }
    episode = recordTreatment(episode, v.visitId, v.dos);
    changed = true;
  });
  setHandler(coverageCheckedSignal, (c) => {
    if (!isCoverageChecked(c)) {
      log.warn('coverageChecked ignored: malformed', { episodeId: input.episodeId });
      return;
    }
    const had = coverageAlerts.has(c.coverageId);
    if (c.outcome === 'active') coverageAlerts.delete(c.coverageId);
    else coverageAlerts.add(c.coverageId);
    if (had !== coverageAlerts.has(c.coverageId)) changed = true;
  });
  setHandler(dischargePlanOfCareSignal, (d) => {
    const reasons: readonly string[] = ['goals_met', 'patient_request', 'plateau', 'other'];
    dischargeRequested ??= { reason: d && reasons.includes(d.reason) ? d.reason : 'other' };
    changed = true;
  });
  setHandler(
    recordCertificationUpdate,
    (rec) => {
      episode = applyCertification(episode, rec);
      // A verbal order does not end the chase: the signature must still follow within 14 days.
      if (rec.kind !== 'verbal_order')
        resolved.add(rec.kind === 'recertification' ? 'recertification' : 'certification');
      changed = true;
      return snapshot();
    },
    {
      validator: (rec) => {
        open();
        if (!rec || !['signature', 'verbal_order', 'transmission', 'recertification'].includes(rec.kind))
          reject('Unknown certification record.', 'InvalidCertification');
        if (rec.kind === 'signature') validDate(rec.signedDate, 'The signature date');
        if (rec.kind === 'transmission') validDate(rec.transmittedDate, 'The transmission date');
        if (rec.kind === 'verbal_order') validDate(rec.orderDate, 'The verbal order date');
        if (rec.kind === 'recertification') {
          validDate(rec.signedDate, 'The signature date');
          validDate(rec.certifiedFrom, 'The recertified period start');
          validDate(rec.certifiedThrough, 'The recertified period end');
        }
        const problem = certificationRecordProblem(episode, rec);
        if (problem) reject(problem, 'InvalidCertification');
      },
    },
  );
  setHandler(
    recordProgressReportUpdate,
    ({ reportDate }) => {
      episode = recordProgressReport(episode, reportDate);
      if (!pendingSummaries.includes(reportDate)) pendingSummaries.push(reportDate);
      resolved.add('progress_report');
      changed = true;
      return snapshot();
    },
    {
      validator: (r) => {
        open();
        validDate(r?.reportDate, 'The progress report date');
      },
    },
  );
  setHandler(
    recordOutcomeUpdate,
    (m) => {
      // One score per instrument and date: a repeat is a correction (or a retried call), not a new measurement.
      outcomes = [
        ...outcomes.filter((o) => !(o.instrument === m.instrument && o.date === m.date)),
        { instrument: m.instrument, score: m.score, date: m.date },
      ];
      changed = true;
      return assessOutcome(outcomes.filter((o) => o.instrument === m.instrument))!;
    },
    {
      validator: (m) => {
        open();
        const problem = scoreProblem(m?.instrument, m?.score);
        if (problem) reject(problem, 'InvalidOutcome');
        validDate(m.date, 'The measurement date');
      },
    },
  );

  const raiseTask = async (
    kind: string,
    title: string,
    role: StaffRole,
    dueInHours: number,
    details: Record<string, string | number | boolean> = {},
    topic?: TaskTopic,
  ) => {
    const taskWorkflowId = await startTask(
      {
        practiceId: input.practiceId,
        patientId: input.patientId,
        processKind: 'planOfCare',
        details: { episodeId: input.episodeId },
      },
      { kind, title, role, dueInHours, details },
    );
    if (topic) openTasks.push({ workflowId: taskWorkflowId, topic });
  };

  /** Cancel open tasks the episode no longer needs (a person may have completed one already: that is fine). */
  const closeTasks = async (topics: readonly TaskTopic[]) => {
    const moot = openTasks.filter((t) => topics.includes(t.topic));
    openTasks = openTasks.filter((t) => !topics.includes(t.topic));
    for (const t of moot) {
      try {
        await getExternalWorkflowHandle(t.workflowId).signal(cancelTaskSignal, { reason: 'not_needed' });
      } catch {
        // Already closed.
      }
    }
  };

  /** The authorization may already be closed (or never existed): that must not fail the plan of care. */
  const signalAuthorization = async (
    send: (h: ReturnType<typeof getExternalWorkflowHandle>) => Promise<void>,
  ) => {
    if (!input.authorizationWorkflowId) return;
    try {
      await send(getExternalWorkflowHandle(input.authorizationWorkflowId));
    } catch (err) {
      log.warn('Could not signal the authorization workflow', {
        episodeId: input.episodeId,
        failure: failureType(err),
      });
    }
  };

  const docBase = {
    episodeId: input.episodeId,
    practiceId: input.practiceId,
    patientId: input.patientId,
    referringPractitionerId: input.referringPractitionerId,
  };

  const apply = async (action: CareAction) => {
    episode = markDone(episode, action.key);
    switch (action.kind) {
      case 'certification_reminder':
        return raiseTask(
          'poc_certification_reminder',
          `Plan of care not yet certified (day ${action.day}): chase the signature`,
          'front_desk',
          48,
          { day: action.day },
          'certification',
        );
      case 'certification_escalation':
        return raiseTask(
          'poc_certification_escalation',
          'Plan of care certification due by day 30: escalate to the practitioner',
          'admin',
          48,
          { dueBy: initialCertificationDueBy(episode.firstTreatmentDate) },
          'certification',
        );
      case 'certification_late':
        // Delayed certification is allowed with evidence of diligence (e.g. the fax log) [R32].
        return raiseTask(
          'poc_certification_late',
          'Plan of care certification is late: obtain the signature and record the diligence evidence',
          'admin',
          24,
          { dueBy: action.dueBy },
          'certification',
        );
      case 'progress_report_due':
        return raiseTask(
          'progress_report_due',
          `Progress report due by treatment day ${policy.progressIntervalTreatmentDays}`,
          'therapist',
          72,
          { periodStart: action.periodStart, treatmentDay: action.treatmentDay },
          'progress_report',
        );
      case 'recertification_due':
        await raiseTask(
          'poc_recertification_due',
          'Re-evaluate and recertify the plan of care',
          'therapist',
          72,
          { certifiedThrough: action.intervalEnds },
          'recertification',
        );
        // The plan continues past this interval: the authorization will need extending.
        return signalAuthorization((h) => h.signal(planOfCareSignal, { continues: true }));
      case 'inactive_discharge':
        dischargeRequested ??= { reason: 'other' };
        discharge = { date: today(), reason: 'inactive' };
        return;
    }
  };

  if (!input.carry) {
    upsertSearchAttributes([
      { key: ProcessKind, value: 'planOfCare' },
      { key: PracticeId, value: input.practiceId },
      { key: PatientId, value: input.patientId },
    ]);
    publish();
    // 1. Send the POC for certification; the receipt is the documented transmission proof.
    const doc: PlanOfCareDocument = {
      ...docBase,
      kind: 'initial',
      firstTreatmentDate: episode.firstTreatmentDate,
      certifiedThrough: certifiedThrough(episode),
    };
    try {
      const receipt = await acts.sendPlanOfCareToPhysician(doc);
      const proof: CertificationRecord = {
        kind: 'transmission',
        transmittedDate: localDate(new Date(receipt.sentAt), tz),
        proofRef: receipt.transmissionId,
      };
      // With a signed referral, from 2025, this alone certifies the initial POC (domain-rules §5).
      if (!certificationRecordProblem(episode, proof)) episode = applyCertification(episode, proof);
    } catch (err) {
      log.warn('Sending the plan of care failed', { episodeId: input.episodeId, failure: failureType(err) });
      await raiseTask(
        'poc_send_failed',
        'Send the plan of care to the referring practitioner',
        'front_desk',
        24,
      );
    }
  }

  // 2. React to signals and to the calendar until discharge.
  for (;;) {
    // Reset before the work, not after it: a signal or update that lands while this iteration awaits an
    // activity or a child start sets `changed` again and the wait below returns at once.
    changed = false;
    const day = today();
    if (resolved.size > 0) {
      const topics = [...resolved];
      resolved.clear();
      await closeTasks(topics);
    }
    while (pendingSummaries.length > 0) {
      const reportDate = pendingSummaries[0]!;
      try {
        await acts.sendProgressSummaryToPhysician({
          ...docBase,
          reportDate,
          treatmentDays: episode.treatmentDays.length,
          outcomes: assessOutcomes(outcomes),
        });
      } catch (err) {
        log.warn('Progress summary not sent', { episodeId: input.episodeId, failure: failureType(err) });
        await raiseTask(
          'progress_summary_send_failed',
          'Send the progress summary to the practitioner',
          'front_desk',
          24,
        );
      }
      pendingSummaries.shift();
    }
    if (!dischargeRequested) for (const action of dueCareActions(episode, policy, day)) await apply(action);
    for (const a of assessOutcomes(outcomes).filter(plateauOf)) {
      const key = `plateau:${a.instrument}:${a.latest.date}`;
      if (episode.done.includes(key)) continue;
      episode = markDone(episode, key);
      await raiseTask(
        'outcome_plateau',
        `${a.instrument}: no meaningful change against the MCID — review the plan`,
        'therapist',
        72,
        { instrument: a.instrument, trend: a.trend, nextSteps: suggestedNextSteps(a.trend).join(',') },
      );
    }
    if (dischargeRequested) break;
    publish();

    const info = workflowInfo();
    if (
      info.continueAsNewSuggested ||
      info.historyLength > (input.maxHistoryEventsPerRun ?? DEFAULT_MAX_EVENTS_PER_RUN)
    ) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof planOfCare>({
        ...input,
        carry: {
          episode,
          outcomes,
          pendingSummaries,
          openTasks,
          runs,
          ...(coverageAlerts.size > 0 ? { coverageAlerts: [...coverageAlerts] } : {}),
        },
      });
    }
    const next = nextCareCheckDate(episode, policy, day);
    const wait =
      next === undefined
        ? undefined
        : Math.max(1, startOfLocalDay(next, tz).getTime() - new Date().getTime());
    if (wait === undefined) await condition(() => changed);
    else await condition(() => changed, wait);
  }

  // 3. Discharge: the summary with the outcome report goes to the practitioner, the authorization closes.
  discharge ??= { date: today(), reason: dischargeRequested.reason };
  try {
    await acts.sendDischargeSummaryToPhysician({
      ...docBase,
      dischargeDate: discharge.date,
      reason: discharge.reason,
      treatmentDays: episode.treatmentDays.length,
      outcomes: assessOutcomes(outcomes),
    });
  } catch (err) {
    log.warn('Discharge summary not sent', { episodeId: input.episodeId, failure: failureType(err) });
    await raiseTask(
      'discharge_summary_send_failed',
      'Send the discharge summary to the practitioner',
      'front_desk',
      24,
    );
  }
  // Discharge cancels the pending progress-report requirement (domain-rules §6) and any recertification.
  await closeTasks(['progress_report', 'recertification']);
  await signalAuthorization((h) => h.signal(closeAuthorizationSignal));
  publish();
  await condition(allHandlersFinished);
  return snapshot();
}

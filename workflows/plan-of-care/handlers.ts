// What the outside world tells a plan of care: completed visits, coverage checks and the discharge request
// (signals: malformed ones are logged by id and ignored), and the certification, progress-report and outcome
// records (updates: a validator rejects a bad one before it reaches the history). Every accepted message sets
// `changed`, so the process re-evaluates the episode at once.
import { ApplicationFailure, log, setHandler } from '@temporalio/workflow';
import {
  applyCertification,
  certificationRecordProblem,
  type CertificationRecord,
} from '../../domain/care/certification-record.js';
import { recordProgressReport, recordTreatment } from '../../domain/care/episode.js';
import { isIsoDate, type IsoDate } from '../../domain/core/dates.js';
import { assessOutcome, type OutcomeMeasurement } from '../../domain/outcomes/change.js';
import { scoreProblem } from '../../domain/outcomes/instruments.js';
import { coverageCheckedSignal, isCoverageChecked } from '../shared/coverage-signal.js';
import { isVisitMissed, visitMissedSignal } from '../shared/visit-missed-signal.js';
import { episodeStatus, type EpisodeRun } from './episode-run.js';
import {
  dischargePlanOfCareSignal,
  planOfCareStatusQuery,
  recordCertificationUpdate,
  recordOutcomeUpdate,
  recordProgressReportUpdate,
  visitCompletedSignal,
  type DischargeRequest,
  type VisitCompleted,
} from './messages.js';

const CERTIFICATION_KINDS: readonly string[] = [
  'signature',
  'verbal_order',
  'transmission',
  'recertification',
];
const REQUESTED_DISCHARGE_REASONS: readonly string[] = ['goals_met', 'patient_request', 'plateau', 'other'];

/** An update's validator refuses the record: the caller gets the reason, the history stays clean. */
function reject(message: string, type: string): never {
  throw ApplicationFailure.nonRetryable(message, type);
}

/** Records are refused once discharge is under way. */
function rejectIfDischarged(run: EpisodeRun): void {
  if (run.discharge || run.dischargeRequested)
    reject('The plan of care is discharged.', 'PlanOfCareDischarged');
}

/** A record's date must be a YYYY-MM-DD date on or after the first treatment day. */
function checkRecordDate(run: EpisodeRun, date: unknown, what: string): void {
  if (typeof date !== 'string' || !isIsoDate(date))
    reject(`${what} must be a YYYY-MM-DD date.`, 'InvalidDate');
  if (date < run.episode.firstTreatmentDate)
    reject(`${what} is before the first treatment day of this plan of care.`, 'InvalidDate');
}

function checkCertificationRecord(run: EpisodeRun, record: CertificationRecord): void {
  rejectIfDischarged(run);
  if (!record || !CERTIFICATION_KINDS.includes(record.kind))
    reject('Unknown certification record.', 'InvalidCertification');
  if (record.kind === 'signature') checkRecordDate(run, record.signedDate, 'The signature date');
  if (record.kind === 'transmission') checkRecordDate(run, record.transmittedDate, 'The transmission date');
  if (record.kind === 'verbal_order') checkRecordDate(run, record.orderDate, 'The verbal order date');
  if (record.kind === 'recertification') {
    checkRecordDate(run, record.signedDate, 'The signature date');
    checkRecordDate(run, record.certifiedFrom, 'The recertified period start');
    checkRecordDate(run, record.certifiedThrough, 'The recertified period end');
  }
  const problem = certificationRecordProblem(run.episode, record);
  if (problem) reject(problem, 'InvalidCertification');
}

function recordCertification(run: EpisodeRun, record: CertificationRecord) {
  run.episode = applyCertification(run.episode, record);
  // A verbal order does not end the chase: the signature must still follow within 14 days.
  if (record.kind !== 'verbal_order')
    run.resolvedTopics.add(record.kind === 'recertification' ? 'recertification' : 'certification');
  run.changed = true;
  return episodeStatus(run);
}

function recordProgressReportDate(run: EpisodeRun, reportDate: IsoDate) {
  run.episode = recordProgressReport(run.episode, reportDate);
  if (!run.pendingSummaries.includes(reportDate)) run.pendingSummaries.push(reportDate);
  run.resolvedTopics.add('progress_report');
  run.changed = true;
  return episodeStatus(run);
}

function recordOutcome(run: EpisodeRun, measurement: OutcomeMeasurement) {
  const { instrument, score, date } = measurement;
  // One score per instrument and date: a repeat is a correction (or a retried call), not a new measurement.
  run.outcomes = [
    ...run.outcomes.filter((o) => !(o.instrument === instrument && o.date === date)),
    { instrument, score, date },
  ];
  run.changed = true;
  const assessment = assessOutcome(run.outcomes.filter((o) => o.instrument === instrument));
  // The series holds the score just recorded, so there is always an assessment.
  return assessment ?? reject('No outcome to assess.', 'InvalidOutcome');
}

function countVisit(run: EpisodeRun, visit: VisitCompleted | undefined): void {
  const episodeId = run.input.episodeId;
  if (!visit || typeof visit.visitId !== 'string' || typeof visit.dos !== 'string' || !isIsoDate(visit.dos)) {
    log.warn('visitCompleted ignored: malformed', { episodeId });
    return;
  }
  if (visit.dos < run.episode.firstTreatmentDate) {
    log.warn('visitCompleted ignored: before the first treatment day', { episodeId });
    return;
  }
  run.episode = recordTreatment(run.episode, visit.visitId, visit.dos);
  run.changed = true;
}

/** Registers the status query, the signals and the updates of the process. */
export function handleMessages(run: EpisodeRun): void {
  setHandler(planOfCareStatusQuery, () => episodeStatus(run));
  // Signals cannot be rejected: a malformed one is logged (ids only) and ignored.
  setHandler(visitCompletedSignal, (visit) => countVisit(run, visit));
  // A missed visit (issue 18) is recorded, never counted as a treatment day; a repeat of one appointment is one.
  setHandler(visitMissedSignal, (missed) => {
    if (!isVisitMissed(missed)) {
      log.warn('visitMissed ignored: malformed', { episodeId: run.input.episodeId });
      return;
    }
    if (run.missedVisits.some((m) => m.emrAppointmentId === missed.emrAppointmentId)) return;
    run.missedVisits.push({
      emrAppointmentId: missed.emrAppointmentId,
      kind: missed.kind,
      date: missed.date,
    });
  });
  setHandler(coverageCheckedSignal, (check) => {
    if (!isCoverageChecked(check)) {
      log.warn('coverageChecked ignored: malformed', { episodeId: run.input.episodeId });
      return;
    }
    const alerts = run.coverageAlerts;
    const hadAlert = alerts.has(check.coverageId);
    if (check.outcome === 'active') alerts.delete(check.coverageId);
    else alerts.add(check.coverageId);
    if (hadAlert !== alerts.has(check.coverageId)) run.changed = true;
  });
  setHandler(dischargePlanOfCareSignal, (request: DischargeRequest | undefined) => {
    run.dischargeRequested ??= {
      reason: request && REQUESTED_DISCHARGE_REASONS.includes(request.reason) ? request.reason : 'other',
    };
    run.changed = true;
  });
  setHandler(recordCertificationUpdate, (record) => recordCertification(run, record), {
    validator: (record) => checkCertificationRecord(run, record),
  });
  setHandler(recordProgressReportUpdate, ({ reportDate }) => recordProgressReportDate(run, reportDate), {
    validator: (report) => {
      rejectIfDischarged(run);
      checkRecordDate(run, report?.reportDate, 'The progress report date');
    },
  });
  setHandler(recordOutcomeUpdate, (measurement) => recordOutcome(run, measurement), {
    validator: (measurement) => {
      rejectIfDischarged(run);
      const problem = scoreProblem(measurement?.instrument, measurement?.score);
      if (problem) reject(problem, 'InvalidOutcome');
      checkRecordDate(run, measurement.date, 'The measurement date');
    },
  });
}

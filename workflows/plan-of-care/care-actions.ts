// The calendar's and the counters' work on an episode, decided by domain/care/episode.ts (dueCareActions):
// chasing the physician's certification (reminders, escalation before day 30, the late path), asking for the
// progress report before the 10th treatment day, asking for recertification before the certified period ends,
// discharging an episode without visits; and a therapist task for every outcome that stops improving.
import { dueCareActions, markDone, type CareAction } from '../../domain/care/episode.js';
import { initialCertificationDueBy } from '../../domain/care/poc.js';
import type { IsoDate } from '../../domain/core/dates.js';
import { assessOutcomes, suggestedNextSteps } from '../../domain/outcomes/change.js';
import { signalAuthorizationExtensionNeeded } from './authorization.js';
import { clinicToday, isPlateau, type EpisodeRun } from './episode-run.js';
import type { TaskTopic } from './messages.js';
import { leftToSignatureProcess, startRecertificationSignature, usesSignatureProcess } from './signature.js';
import { raiseEpisodeTask, type EpisodeTask } from './worklist.js';

type TaskAction = Exclude<CareAction, { kind: 'inactive_discharge' }>;

/** Who gets each action's task, how soon, and which recorded work makes it moot. */
const CARE_TASKS: Record<TaskAction['kind'], Omit<EpisodeTask, 'title' | 'details'>> = {
  certification_reminder: { kind: 'poc_certification_reminder', role: 'front_desk', dueInHours: 48 },
  certification_escalation: { kind: 'poc_certification_escalation', role: 'admin', dueInHours: 48 },
  // A delayed certification is accepted with evidence of diligence (e.g. the fax log).
  certification_late: { kind: 'poc_certification_late', role: 'admin', dueInHours: 24 },
  progress_report_due: { kind: 'progress_report_due', role: 'therapist', dueInHours: 72 },
  recertification_due: { kind: 'poc_recertification_due', role: 'therapist', dueInHours: 72 },
};
const TASK_TOPICS: Record<TaskAction['kind'], TaskTopic> = {
  certification_reminder: 'certification',
  certification_escalation: 'certification',
  certification_late: 'certification',
  progress_report_due: 'progress_report',
  recertification_due: 'recertification',
};

/** What the action's task says (PHI-free) and the dates and counts it carries. */
function taskText(run: EpisodeRun, action: TaskAction): Pick<EpisodeTask, 'title' | 'details'> {
  switch (action.kind) {
    case 'certification_reminder':
      return {
        title: `Plan of care not yet certified (day ${action.day}): chase the signature`,
        details: { day: action.day },
      };
    case 'certification_escalation':
      return {
        title: 'Plan of care certification due by day 30: escalate to the practitioner',
        details: { dueBy: initialCertificationDueBy(run.episode.firstTreatmentDate) },
      };
    case 'certification_late':
      return {
        title: 'Plan of care certification is late: obtain the signature and record the diligence evidence',
        details: { dueBy: action.dueBy },
      };
    case 'progress_report_due':
      return {
        title: `Progress report due by treatment day ${run.policy.progressIntervalTreatmentDays}`,
        details: { periodStart: action.periodStart, treatmentDay: action.treatmentDay },
      };
    case 'recertification_due':
      return {
        title: 'Re-evaluate and recertify the plan of care',
        details: { certifiedThrough: action.intervalEnds },
      };
  }
}

/**
 * Takes one due action (each is taken once: its key is marked done first). An episode without visits for too
 * long is discharged; every other action raises its task, and a due recertification also tells the
 * authorization that the plan continues past this interval (an extension will be needed).
 */
async function takeCareAction(run: EpisodeRun, action: CareAction): Promise<void> {
  run.episode = markDone(run.episode, action.key);
  if (action.kind === 'inactive_discharge') {
    run.dischargeRequested ??= { reason: 'other' };
    run.discharge = { date: clinicToday(run), reason: 'inactive' };
    return;
  }
  await raiseEpisodeTask(run, {
    ...CARE_TASKS[action.kind],
    ...taskText(run, action),
    topic: TASK_TOPICS[action.kind],
  });
  if (action.kind === 'recertification_due') {
    await signalAuthorizationExtensionNeeded(run);
    if (usesSignatureProcess(run)) await startRecertificationSignature(run, action.intervalEnds);
  }
}

/** Takes the certification, progress-report, recertification and inactivity actions due on `day`. */
export async function takeDueCareActions(run: EpisodeRun, day: IsoDate): Promise<void> {
  for (const action of dueCareActions(run.episode, run.policy, day)) {
    // The signature process chases the physician itself (reminders, escalation, the late path).
    if (leftToSignatureProcess(run, action)) continue;
    await takeCareAction(run, action);
  }
}

/** One therapist task per instrument and latest score showing no meaningful change (or worsening). */
export async function raisePlateauTasks(run: EpisodeRun): Promise<void> {
  for (const assessment of assessOutcomes(run.outcomes).filter(isPlateau)) {
    const key = `plateau:${assessment.instrument}:${assessment.latest.date}`;
    if (run.episode.done.includes(key)) continue;
    run.episode = markDone(run.episode, key);
    await raiseEpisodeTask(run, {
      kind: 'outcome_plateau',
      title: `${assessment.instrument}: no meaningful change against the MCID — review the plan`,
      role: 'therapist',
      dueInHours: 72,
      details: {
        instrument: assessment.instrument,
        trend: assessment.trend,
        nextSteps: suggestedNextSteps(assessment.trend).join(','),
      },
    });
  }
}

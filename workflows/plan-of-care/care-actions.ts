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
import { raiseEpisodeTask } from './worklist.js';

/** Takes one due action (each is taken once: its key is marked done first). */
async function takeCareAction(run: EpisodeRun, action: CareAction): Promise<void> {
  run.episode = markDone(run.episode, action.key);
  switch (action.kind) {
    case 'certification_reminder':
      return raiseEpisodeTask(run, {
        kind: 'poc_certification_reminder',
        title: `Plan of care not yet certified (day ${action.day}): chase the signature`,
        role: 'front_desk',
        dueInHours: 48,
        details: { day: action.day },
        topic: 'certification',
      });
    case 'certification_escalation':
      return raiseEpisodeTask(run, {
        kind: 'poc_certification_escalation',
        title: 'Plan of care certification due by day 30: escalate to the practitioner',
        role: 'admin',
        dueInHours: 48,
        details: { dueBy: initialCertificationDueBy(run.episode.firstTreatmentDate) },
        topic: 'certification',
      });
    case 'certification_late':
      // A delayed certification is accepted with evidence of diligence (e.g. the fax log).
      return raiseEpisodeTask(run, {
        kind: 'poc_certification_late',
        title: 'Plan of care certification is late: obtain the signature and record the diligence evidence',
        role: 'admin',
        dueInHours: 24,
        details: { dueBy: action.dueBy },
        topic: 'certification',
      });
    case 'progress_report_due':
      return raiseEpisodeTask(run, {
        kind: 'progress_report_due',
        title: `Progress report due by treatment day ${run.policy.progressIntervalTreatmentDays}`,
        role: 'therapist',
        dueInHours: 72,
        details: { periodStart: action.periodStart, treatmentDay: action.treatmentDay },
        topic: 'progress_report',
      });
    case 'recertification_due':
      await raiseEpisodeTask(run, {
        kind: 'poc_recertification_due',
        title: 'Re-evaluate and recertify the plan of care',
        role: 'therapist',
        dueInHours: 72,
        details: { certifiedThrough: action.intervalEnds },
        topic: 'recertification',
      });
      return signalAuthorizationExtensionNeeded(run);
    case 'inactive_discharge':
      run.dischargeRequested ??= { reason: 'other' };
      run.discharge = { date: clinicToday(run), reason: 'inactive' };
      return;
  }
}

/** Takes the certification, progress-report, recertification and inactivity actions due on `day`. */
export async function takeDueCareActions(run: EpisodeRun, day: IsoDate): Promise<void> {
  for (const action of dueCareActions(run.episode, run.policy, day)) await takeCareAction(run, action);
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

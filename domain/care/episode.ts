// The plan-of-care episode as pure data and decisions: which certification, progress-report, recertification
// and inactivity actions are due on a clinic-local day, and when the next one falls. The planOfCare workflow
// only applies these decisions (raise a task, send a document, flag the episode), so all deadline arithmetic
// is tested here without a server. Day convention from poc.ts: first treatment = day 0.
import { addDays, type IsoDate } from '../core/dates.js';
import {
  certificationIntervalEnd,
  initialCertificationDueBy,
  VERBAL_ORDER_SIGNATURE_DAYS,
  pocCertificationState,
  type PocCertificationInput,
  type PocCertificationState,
  type Recertification,
} from './poc.js';
import {
  DEFAULT_PROGRESS_INTERVAL,
  progressReportState,
  type ProgressReportInput,
  type ProgressReportState,
} from './progress.js';

/** Timing policy: data with defaults, overridable per practice or payer. */
export interface CarePolicy {
  /** Days after the first treatment on which a missing certification is chased (it is due by day 30). */
  certificationReminderDays: readonly number[];
  /** The escalation before the day-30 deadline. */
  certificationEscalationDay: number;
  /** Recertification task this many days before the certification interval ends. */
  recertificationLeadDays: number;
  /** Discharge automatically after this many days without a visit. */
  dischargeAfterInactiveDays: number;
  /** Treatment days per progress report (a clinician may choose fewer). */
  progressIntervalTreatmentDays: number;
  /** Raise the "progress report due" task on this treatment day of the period (WebPT alerts after the 8th). */
  progressTaskOnTreatmentDay: number;
}

export const DEFAULT_CARE_POLICY: CarePolicy = {
  certificationReminderDays: [7, 14, 21],
  certificationEscalationDay: 28,
  recertificationLeadDays: 10,
  dischargeAfterInactiveDays: 30,
  progressIntervalTreatmentDays: DEFAULT_PROGRESS_INTERVAL,
  progressTaskOnTreatmentDay: DEFAULT_PROGRESS_INTERVAL - 2,
};

export interface CertificationEvidence {
  signedDate?: IsoDate;
  /** A documented verbal order: the signature must follow within 14 days. */
  verbalOrderDate?: IsoDate;
  transmittedToReferrerDate?: IsoDate;
  /** Reference to the transmission proof (fax confirmation, EMR message id). */
  transmissionProofRef?: string;
  delayJustification?: boolean;
}

export interface CareEpisode {
  firstTreatmentDate: IsoDate;
  pocEndDate?: IsoDate;
  referralSignedAndDated: boolean;
  certification: CertificationEvidence;
  recertifications: Recertification[];
  /** Visit ids already counted (a redelivered `visitCompleted` changes nothing). */
  visitIds: string[];
  /** Distinct dates of service with a billable treatment, sorted. */
  treatmentDays: IsoDate[];
  progressReports: IsoDate[];
  /** Keys of the one-off actions already taken (survives continue-as-new). */
  done: string[];
}

export function newCareEpisode(input: {
  firstTreatmentDate: IsoDate;
  pocEndDate?: IsoDate;
  referralSignedAndDated?: boolean;
}): CareEpisode {
  return {
    firstTreatmentDate: input.firstTreatmentDate,
    pocEndDate: input.pocEndDate,
    referralSignedAndDated: input.referralSignedAndDated ?? false,
    certification: {},
    recertifications: [],
    visitIds: [],
    // The evaluation is the first treatment day: the first progress-report period starts with it.
    treatmentDays: [input.firstTreatmentDate],
    progressReports: [],
    done: [],
  };
}

/** Count a completed visit; idempotent on the visit id, and several visits on one day are one treatment day. */
export function recordTreatment(ep: CareEpisode, visitId: string, dos: IsoDate): CareEpisode {
  if (ep.visitIds.includes(visitId)) return ep;
  const days = ep.treatmentDays.includes(dos) ? ep.treatmentDays : [...ep.treatmentDays, dos].sort();
  return { ...ep, visitIds: [...ep.visitIds, visitId], treatmentDays: days };
}

export function recordProgressReport(ep: CareEpisode, date: IsoDate): CareEpisode {
  if (ep.progressReports.includes(date)) return ep;
  return { ...ep, progressReports: [...ep.progressReports, date].sort() };
}

export function markDone(ep: CareEpisode, key: string): CareEpisode {
  return ep.done.includes(key) ? ep : { ...ep, done: [...ep.done, key] };
}

/** Last day covered by the current certification (initial interval, or the latest recertification). */
export function certifiedThrough(ep: CareEpisode): IsoDate {
  const initial = certificationIntervalEnd(ep.firstTreatmentDate, ep.pocEndDate);
  return ep.recertifications.reduce(
    (end, r) => (r.certifiedThrough > end ? r.certifiedThrough : end),
    initial,
  );
}

/** The episode's certification evidence in the shape the certification rule (poc.ts) reads. */
function pocCertificationInput(ep: CareEpisode): PocCertificationInput {
  return {
    firstTreatmentDate: ep.firstTreatmentDate,
    pocEndDate: ep.pocEndDate,
    signedDate: ep.certification.signedDate,
    verbalOrderDate: ep.certification.verbalOrderDate,
    referralSignedAndDated: ep.referralSignedAndDated,
    transmittedToReferrerDate: ep.certification.transmittedToReferrerDate,
    delayJustification: ep.certification.delayJustification,
    recertifications: ep.recertifications,
  };
}

export function certificationState(ep: CareEpisode, today: IsoDate): PocCertificationState {
  return pocCertificationState(pocCertificationInput(ep), today, today);
}

/**
 * Whether the initial certification is in hand (for the first day of the interval, judged on `asOf`), or a
 * signature at least arrived (a late one goes down the delayed-certification path, not the reminder path).
 */
export function isInitiallyCertified(ep: CareEpisode, asOf: IsoDate): boolean {
  if (ep.certification.signedDate !== undefined && ep.certification.signedDate <= asOf) return true;
  const initial = pocCertificationState(
    {
      firstTreatmentDate: ep.firstTreatmentDate,
      pocEndDate: ep.pocEndDate,
      referralSignedAndDated: ep.referralSignedAndDated,
      transmittedToReferrerDate: ep.certification.transmittedToReferrerDate,
    },
    ep.firstTreatmentDate,
    asOf,
  );
  return initial.status === 'certified';
}

export interface CareClaimContext {
  poc: PocCertificationInput;
  progress: ProgressReportInput;
}

/**
 * The episode as the claim scrubber reads it (ScrubContext.poc / .progress): a claim workflow queries the plan
 * of care and passes these through, so the scrubber holds the claim while a progress report is overdue or the
 * POC is not certified — judged per date of service by the same rules.
 */

export function claimContext(ep: CareEpisode): CareClaimContext {
  return {
    poc: pocCertificationInput(ep),
    progress: {
      treatmentDays: ep.treatmentDays,
      progressReports: ep.progressReports,
      recertifications: ep.recertifications.map((r) => r.certifiedFrom),
    },
  };
}

/** The latest treatment day counted (the first treatment day until a visit is counted). */
function lastTreatmentDay(ep: CareEpisode): IsoDate {
  return ep.treatmentDays[ep.treatmentDays.length - 1] ?? ep.firstTreatmentDate;
}

/** Progress-report position as of the last treatment day. */
export function progressPosition(ep: CareEpisode, policy: CarePolicy): ProgressReportState {
  const last = lastTreatmentDay(ep);
  return progressReportState(
    {
      treatmentDays: ep.treatmentDays,
      progressReports: ep.progressReports,
      recertifications: ep.recertifications.map((r) => r.certifiedFrom),
      intervalTreatmentDays: policy.progressIntervalTreatmentDays,
    },
    last,
  );
}

/**
 * The progress report is overdue once the day-10 treatment day has passed without one: a further treatment day
 * arrived (status 'overdue'), or the calendar day of the 10th has ended. A report dated after the last treatment
 * day closes the period.
 */
export function isProgressReportOverdue(ep: CareEpisode, policy: CarePolicy, today: IsoDate): boolean {
  const last = lastTreatmentDay(ep);
  if (ep.progressReports.some((p) => p > last)) return false;
  const pos = progressPosition(ep, policy);
  return pos.status === 'overdue' || (pos.status === 'due_today' && today > last);
}

export type CareAction =
  | { key: string; kind: 'certification_reminder'; day: number }
  | { key: string; kind: 'certification_escalation'; day: number }
  | { key: string; kind: 'certification_late'; dueBy: IsoDate }
  | { key: string; kind: 'progress_report_due'; periodStart: IsoDate; treatmentDay: number }
  | { key: string; kind: 'recertification_due'; intervalEnds: IsoDate }
  | { key: string; kind: 'inactive_discharge'; lastTreatmentDay: IsoDate };

const recertificationKey = (intervalEnds: IsoDate) => `recert:${intervalEnds}`;

/** The recertification of the current certification interval was asked for (its task raised). */
export function isRecertificationRequested(ep: CareEpisode): boolean {
  return ep.done.includes(recertificationKey(certifiedThrough(ep)));
}

/** One-off actions due on `today` that have not been taken yet, in a stable order. */
export function dueCareActions(ep: CareEpisode, policy: CarePolicy, today: IsoDate): CareAction[] {
  const due: CareAction[] = [];
  const addUnlessDone = (action: CareAction) => {
    if (!ep.done.includes(action.key)) due.push(action);
  };
  if (!isInitiallyCertified(ep, today)) {
    // Only the latest reminder that is due: a workflow started late does not send a burst of stale ones.
    const dueReminders = policy.certificationReminderDays.filter(
      (d) => today >= addDays(ep.firstTreatmentDate, d),
    );
    const day = dueReminders[dueReminders.length - 1];
    if (day !== undefined && today < addDays(ep.firstTreatmentDate, policy.certificationEscalationDay))
      addUnlessDone({ key: `cert_reminder:${day}`, kind: 'certification_reminder', day });
    if (today >= addDays(ep.firstTreatmentDate, policy.certificationEscalationDay))
      addUnlessDone({
        key: 'cert_escalation',
        kind: 'certification_escalation',
        day: policy.certificationEscalationDay,
      });
    // Past day 30: the delayed-certification path needs the diligence evidence captured.
    const dueBy = initialCertificationDueBy(ep.firstTreatmentDate);
    if (today > dueBy) addUnlessDone({ key: 'cert_late', kind: 'certification_late', dueBy });
  }
  const pos = progressPosition(ep, policy);
  if (
    pos.treatmentDayInPeriod >= policy.progressTaskOnTreatmentDay &&
    (pos.status === 'due_soon' || pos.status === 'due_today' || pos.status === 'overdue')
  )
    addUnlessDone({
      key: `progress_due:${pos.periodStart}`,
      kind: 'progress_report_due',
      periodStart: pos.periodStart,
      treatmentDay: pos.treatmentDayInPeriod,
    });
  const through = certifiedThrough(ep);
  if (today >= addDays(through, -policy.recertificationLeadDays))
    addUnlessDone({ key: recertificationKey(through), kind: 'recertification_due', intervalEnds: through });
  const last = lastTreatmentDay(ep);
  if (today >= addDays(last, policy.dischargeAfterInactiveDays))
    addUnlessDone({ key: `inactive:${last}`, kind: 'inactive_discharge', lastTreatmentDay: last });
  return due;
}

/** The next clinic-local day on which something may change without any signal (for the workflow's timer). */
export function nextCareCheckDate(ep: CareEpisode, policy: CarePolicy, today: IsoDate): IsoDate | undefined {
  const last = lastTreatmentDay(ep);
  const candidates: IsoDate[] = [
    addDays(last, policy.dischargeAfterInactiveDays),
    addDays(certifiedThrough(ep), -policy.recertificationLeadDays),
    addDays(certifiedThrough(ep), 1),
  ];
  // The day after the 10th treatment day: the overdue flag turns on then.
  if (progressPosition(ep, policy).status === 'due_today') candidates.push(addDays(last, 1));
  if (!isInitiallyCertified(ep, today)) {
    for (const d of policy.certificationReminderDays) candidates.push(addDays(ep.firstTreatmentDate, d));
    candidates.push(addDays(ep.firstTreatmentDate, policy.certificationEscalationDay));
    candidates.push(addDays(initialCertificationDueBy(ep.firstTreatmentDate), 1));
    const verbal = ep.certification.verbalOrderDate;
    if (verbal !== undefined) candidates.push(addDays(verbal, VERBAL_ORDER_SIGNATURE_DAYS + 1));
  }
  const future = candidates.filter((d) => d > today).sort();
  return future[0];
}

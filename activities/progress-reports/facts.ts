// What a physician report says, gathered for prepareProgressReport (index.ts): the signed report from the EMR,
// outcome scores (the EMR's observations up to the report date, else the plan of care's recorded scores) with
// their MCID assessment, visits used of authorized (the running authorization, else the plan of care's count),
// the referring physician of the referral and the practice header. Only the fields the minimum-necessary rule of
// domain/care/physician-report.ts allows are passed on.
import type { Client } from '@temporalio/client';
import type { Emr, OutcomeObservation, SignedReport } from '../../connectors/emr/types.js';
import type { Database } from '../../db/connection.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import type { PhysicianReportFacts } from '../../domain/care/physician-report.js';
import type { PatientDemographics } from '../../domain/onboarding/intake.js';
import {
  assessOutcomes,
  type OutcomeAssessment,
  type OutcomeMeasurement,
} from '../../domain/outcomes/change.js';
import { planOfCareStatusQuery } from '../../workflows/plan-of-care/messages.js';
import { priorAuthorizationStatusQuery } from '../../workflows/prior-authorization/messages.js';
import type { ProgressReportDeliveryInput } from '../../workflows/progress-reports/messages.js';

export interface FactSources {
  db: Database;
  temporal?: Client;
  /** Calls the EMR, mapping its errors to failures. */
  emrCall: <T>(call: (e: Emr) => Promise<T>) => Promise<T>;
  /** The non-retryable failure for a report that cannot be prepared. */
  notAvailable: (what: string) => Error;
}

/** The outcome measurements up to the report date from the EMR, one per instrument and date. */
export function measurementsUpTo(
  observations: readonly OutcomeObservation[],
  reportDate: string,
): OutcomeMeasurement[] {
  const byKey = new Map<string, OutcomeMeasurement>();
  for (const o of observations) {
    const date = o.effective.slice(0, 10);
    if (date > reportDate) continue;
    byKey.set(`${o.instrument}|${date}`, { instrument: o.instrument, score: o.score, date });
  }
  return [...byKey.values()];
}

/** Visits used / authorized and the plan of care's recorded outcomes, from the running processes. */
async function processFacts(
  temporal: Client | undefined,
  input: ProgressReportDeliveryInput,
): Promise<{ visits: PhysicianReportFacts['visits']; pocOutcomes: OutcomeAssessment[] }> {
  let visits: PhysicianReportFacts['visits'] = {};
  let pocOutcomes: OutcomeAssessment[] = [];
  if (temporal && input.planOfCareWorkflowId) {
    const poc = await temporal.workflow
      .getHandle(input.planOfCareWorkflowId)
      .query(planOfCareStatusQuery)
      .catch(() => undefined);
    if (poc) {
      visits = { used: poc.visitsCounted };
      pocOutcomes = poc.outcomes;
    }
  }
  if (temporal && input.authorizationWorkflowId) {
    const auth = await temporal.workflow
      .getHandle(input.authorizationWorkflowId)
      .query(priorAuthorizationStatusQuery)
      .catch(() => undefined);
    if (auth?.visitsAuthorized !== undefined) {
      visits = {
        used: auth.visitsUsed,
        authorized: auth.visitsAuthorized,
        ...(auth.endDate ? { authorizationEnds: auth.endDate } : {}),
      };
    }
  }
  return { visits, pocOutcomes };
}

/** The practice's legal name, NPI, service address and phone from its profile, else the practices row's name. */
async function practiceHeader(
  src: FactSources,
  practiceId: string,
): Promise<PhysicianReportFacts['practice']> {
  const row = await createPracticeRepository(src.db).get(practiceId);
  if (!row) throw src.notAvailable('unknown practice');
  return {
    name: row.legalName ?? row.name,
    npi: row.npi,
    ...(row.serviceAddress ? { address: row.serviceAddress } : {}),
    ...(row.phone ? { phone: row.phone } : {}),
  };
}

/** The facts of the report (minimum necessary: only what PhysicianReportFacts holds). */
export async function gatherReportFacts(
  src: FactSources,
  about: {
    input: ProgressReportDeliveryInput;
    report: SignedReport;
    patient: PatientDemographics;
    emr: Emr;
  },
): Promise<PhysicianReportFacts> {
  const { input, report, patient, emr } = about;
  const [observations, referral, practice, processes] = await Promise.all([
    src.emrCall((x) => x.listOutcomes(input.emrPatientId)),
    emr.getReferral ? src.emrCall((x) => x.getReferral!(input.emrPatientId, report.reportDate)) : undefined,
    practiceHeader(src, input.practiceId),
    processFacts(src.temporal, input),
  ]);
  // Scores from the EMR; an instrument the EMR has none of comes from the plan of care's recorded scores.
  const fromEmr = assessOutcomes(measurementsUpTo(observations, report.reportDate));
  const outcomes = [
    ...fromEmr,
    ...processes.pocOutcomes.filter((p) => !fromEmr.some((o) => o.instrument === p.instrument)),
  ];
  const referring = referral?.referringProvider;
  return {
    kind: input.kind,
    reportDate: report.reportDate,
    practice,
    patient: { given: patient.given, family: patient.family, birthDate: patient.birthDate },
    ...(referral ? { referralDate: referral.authoredOn.slice(0, 10) } : {}),
    ...(referring
      ? {
          referringPhysician: {
            lastName: referring.lastName,
            npi: referring.npi,
            ...(referring.firstName ? { firstName: referring.firstName } : {}),
          },
        }
      : {}),
    therapist: { npi: report.therapistNpi, ...(report.therapistName ? { name: report.therapistName } : {}) },
    goals: report.goals,
    ...(report.assessment ? { assessment: report.assessment } : {}),
    plan: report.plan,
    outcomes,
    visits: processes.visits,
  };
}

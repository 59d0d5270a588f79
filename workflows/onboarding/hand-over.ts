// The processes onboarding starts and leaves running: the prior authorization (when the primary plan requires
// one) and, at check-in, the plan of care. Both outlive the onboarding (ParentClosePolicy.ABANDON).
import { startChild, uuid4 } from '@temporalio/workflow';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import type { CoverageIntake, OnboardingIntake } from '../../domain/onboarding/intake.js';
import { describeAuthorization, describePlanOfCare } from '../../domain/process-summaries.js';
import type { PlanOfCareInput } from '../plan-of-care/messages.js';
import type { PriorAuthorizationInput } from '../prior-authorization/messages.js';
import { planOfCare } from '../plan-of-care/workflow.js';
import { priorAuthorization } from '../prior-authorization/workflow.js';
import { OUTLIVES_ONBOARDING, type OnboardingRun } from './run.js';

/** Whom the started process concerns, for its summary (user metadata, encrypted by the payload codec). */
function patientAbout(run: OnboardingRun): { patientName?: string } {
  const patientName = run.patientName;
  return patientName ? { patientName } : {};
}

/** The plan requires prior authorization: its process starts now, with the referral's diagnosis. */
export async function requestAuthorization(run: OnboardingRun, coverage: CoverageIntake): Promise<void> {
  const { intake } = run;
  const authorizationId = uuid4();
  run.authorizationWorkflowId = workflowId('auth', authorizationId);
  // The authorization lives through the whole episode, long after onboarding completes.
  const input: PriorAuthorizationInput = {
    authorizationId,
    practiceId: intake.practiceId,
    patientId: intake.patientId,
    coverageId: coverage.coverageId,
    payerId: coverage.payerId,
    timezone: intake.clinicTimeZone,
    requestedVisits: intake.requestedAuthVisits,
    // The referral's diagnosis is what the 278 asks for.
    ...(intake.evaluation.diagnosisCode ? { diagnosisCodes: [intake.evaluation.diagnosisCode] } : {}),
    startDate: localDate(new Date(), intake.clinicTimeZone),
    urgency: 'standard',
    planOfCareContinues: true,
  };
  const description = describeAuthorization(input, patientAbout(run));
  await startChild(priorAuthorization, {
    workflowId: run.authorizationWorkflowId,
    ...OUTLIVES_ONBOARDING,
    staticSummary: description.summary,
    staticDetails: description.details,
    args: [input],
  });
}

/** Hand-over: the checked-in evaluation is treatment day 1 of the episode. */
export async function startPlanOfCare(
  run: OnboardingRun,
  referral: NonNullable<OnboardingIntake['referral']>,
): Promise<void> {
  const { intake, authorizationWorkflowId } = run;
  const episodeId = uuid4();
  run.planOfCareWorkflowId = workflowId('poc', episodeId);
  const input: PlanOfCareInput = {
    episodeId,
    practiceId: intake.practiceId,
    patientId: intake.patientId,
    referringPractitionerId: referral.referringPractitionerId,
    timezone: intake.clinicTimeZone,
    firstTreatmentDate: localDate(new Date(), intake.clinicTimeZone),
    referralSignedAndDated: referral.signedAndDated,
    ...(authorizationWorkflowId ? { authorizationWorkflowId } : {}),
  };
  const description = describePlanOfCare(input, patientAbout(run));
  await startChild(planOfCare, {
    workflowId: run.planOfCareWorkflowId,
    ...OUTLIVES_ONBOARDING,
    staticSummary: description.summary,
    staticDetails: description.details,
    args: [input],
  });
}

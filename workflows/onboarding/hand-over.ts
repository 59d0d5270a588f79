// The processes onboarding starts and leaves running: the prior authorization (when the primary plan requires
// one) and, at check-in, the plan of care. Both outlive the onboarding (ParentClosePolicy.ABANDON).
import { startChild, uuid4 } from '@temporalio/workflow';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import type { CoverageIntake, OnboardingIntake } from '../../domain/onboarding/intake.js';
import { planOfCare } from '../plan-of-care/workflow.js';
import { priorAuthorization } from '../prior-authorization/workflow.js';
import { OUTLIVES_ONBOARDING, type OnboardingRun } from './run.js';

/** The plan requires prior authorization: its process starts now, with the referral's diagnosis. */
export async function requestAuthorization(run: OnboardingRun, coverage: CoverageIntake): Promise<void> {
  const { intake } = run;
  const authorizationId = uuid4();
  run.authorizationWorkflowId = workflowId('auth', authorizationId);
  // The authorization lives through the whole episode, long after onboarding completes.
  await startChild(priorAuthorization, {
    workflowId: run.authorizationWorkflowId,
    ...OUTLIVES_ONBOARDING,
    args: [
      {
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
      },
    ],
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
  await startChild(planOfCare, {
    workflowId: run.planOfCareWorkflowId,
    ...OUTLIVES_ONBOARDING,
    args: [
      {
        episodeId,
        practiceId: intake.practiceId,
        patientId: intake.patientId,
        referringPractitionerId: referral.referringPractitionerId,
        timezone: intake.clinicTimeZone,
        firstTreatmentDate: localDate(new Date(), intake.clinicTimeZone),
        referralSignedAndDated: referral.signedAndDated,
        ...(authorizationWorkflowId ? { authorizationWorkflowId } : {}),
      },
    ],
  });
}

// Onboarding activities (DESIGN §2.1). Without configured connectors every activity fails non-retryably with
// `ConnectorNotConfigured`, so a worker started without an EMR or messaging never guesses or retries forever.
import { ApplicationFailure } from '@temporalio/activity';
import { createBookingActivities } from './booking.js';
import type { OnboardingActivityDeps } from './deps.js';
import { createEligibilityActivities } from './eligibility.js';
import { createMessageActivities } from './patient-messages.js';
import { createRegistrationActivities } from './register.js';

export type { OnboardingActivityDeps, OnboardingConnectorDeps } from './deps.js';
export type { RegisterPatientInput, SaveCoverageInput } from './register.js';
export type { EligibilityVerdict, VerifyEligibilityInput } from './eligibility.js';
export type { PatientMessageContent, PatientMessageInput, PatientMessageResult } from './patient-messages.js';
export type {
  BookedEvaluation,
  BookEvaluationInput,
  BookEvaluationResult,
  IntakeFormsInput,
} from './booking.js';

function build(deps: OnboardingActivityDeps) {
  return {
    ...createRegistrationActivities(deps),
    ...createEligibilityActivities(deps),
    ...createMessageActivities(deps),
    ...createBookingActivities(deps),
  };
}

type OnboardingActivities = ReturnType<typeof build>;

export function createOnboardingActivities(deps: OnboardingActivityDeps | undefined): OnboardingActivities {
  if (deps) return build(deps);
  const fail = () =>
    Promise.reject(
      ApplicationFailure.nonRetryable(
        'No EMR or messaging connector is configured.',
        'ConnectorNotConfigured',
      ),
    );
  return {
    registerPatient: fail,
    saveCoverage: fail,
    verifyEligibility: fail,
    setCoverageStatus: fail,
    sendPatientMessage: fail,
    bookEvaluation: fail,
    getEvaluationAppointment: fail,
    cancelEvaluation: fail,
    writeIntakeForms: fail,
  };
}

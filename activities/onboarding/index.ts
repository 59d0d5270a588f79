// The patient onboarding's activities (registration, eligibility, patient messages, booking). Without configured connectors every activity fails non-retryably with
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

function connectedActivities(deps: OnboardingActivityDeps) {
  return {
    ...createRegistrationActivities(deps),
    ...createEligibilityActivities(deps),
    ...createMessageActivities(deps),
    ...createBookingActivities(deps),
  };
}

type OnboardingActivities = ReturnType<typeof connectedActivities>;

export function createOnboardingActivities(deps: OnboardingActivityDeps | undefined): OnboardingActivities {
  if (deps) return connectedActivities(deps);
  const notConfigured = () =>
    Promise.reject(
      ApplicationFailure.nonRetryable(
        'No EMR or messaging connector is configured on the worker (its EMR_FHIR_*/EMR_SMART_*, TWILIO_* and SMTP_* settings).',
        'ConnectorNotConfigured',
      ),
    );
  return {
    registerPatient: notConfigured,
    saveCoverage: notConfigured,
    verifyEligibility: notConfigured,
    setCoverageStatus: notConfigured,
    sendPatientMessage: notConfigured,
    bookEvaluation: notConfigured,
    getEvaluationAppointment: notConfigured,
    cancelEvaluation: notConfigured,
    writeIntakeForms: notConfigured,
  };
}

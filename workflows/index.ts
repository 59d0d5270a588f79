// Bundle entry: every workflow the worker runs.
export { humanTask } from './human-task.js';
export { priorAuthorization } from './prior-auth.js';
export { claimSubmission } from './claim.js';
export { planOfCare } from './plan-of-care.js';
export { patientOnboarding } from './onboarding.js';
export { emrEventRouter } from './event-router.js';
export { reverifyEligibility } from './reverify-eligibility.js';
export { sendStaffDigest } from './send-staff-digest.js';
export { sweepTimelyFiling } from './sweep-timely-filing.js';

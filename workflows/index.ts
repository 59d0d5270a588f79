// Bundle entry: every workflow the worker runs.
export { humanTask } from './tasks/workflow.js';
export { priorAuthorization } from './prior-authorization/workflow.js';
export { claimSubmission } from './claim/workflow.js';
export { planOfCare } from './plan-of-care/workflow.js';
export { pocSignature } from './poc-signature/workflow.js';
export { patientOnboarding } from './onboarding/workflow.js';
export { emrEventRouter } from './emr-events/workflow.js';
export { reverifyEligibility } from './schedules/reverify-eligibility.js';
export { sendStaffDigest } from './schedules/send-staff-digest.js';
export { sweepTimelyFiling } from './schedules/sweep-timely-filing.js';
export { reconcileBilling } from './schedules/reconcile-billing.js';
export { progressReportDelivery } from './progress-reports/workflow.js';
export { releaseClaimsHeldForProfile } from './claim/release.js';
export { bookCareSeries } from './series/workflow.js';
export { planEquipmentMaintenance } from './schedules/plan-equipment-maintenance.js';
export { missedVisitFollowUp } from './visits/missed-visit.js';
export { waitlistFill } from './visits/waitlist-fill.js';

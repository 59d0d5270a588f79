// The minimum-necessary matrix of the API's data-bearing responses, one place to
// review it: each resource's full response schema and, per role allowed on its routes, the fields that role
// sees. Status snapshots never carry patient names, dates of birth or notes; what differs per role is which
// operational, billing or clinical fields it needs.
//
// Admins see operational metadata only: states and statuses, timestamps and dates, opaque ids
// and counts — no outcome measures, amounts, codes, payer references or free text. Anything more needs an active
// break-glass grant (emergency access), under which the full view is served and audited; where the metadata
// alone is of no use (a claim preview is all codes and money; an outcome result is all clinical), the admin is marked
// `breakGlassOnly` and answered 403 without a grant.
import { z } from 'zod';
import { outcomeInstruments } from '../../domain/outcomes/instruments.js';
import { breakGlassOnly, roleViews } from './role-views.js';

// --- Onboarding: front desk works intake and scheduling; copays are a billing detail. ---
const onboardingCoverage = z.object({
  coverageId: z.string(),
  priority: z.number().int(),
  outcome: z.string().optional(),
  verifications: z.number().int(),
  authorizationRequired: z.boolean().optional(),
  copayCents: z.number().int().optional(),
});
export const onboardingStatus = z.object({
  onboardingId: z.uuid(),
  patientId: z.uuid(),
  state: z.string(),
  coverages: z.array(onboardingCoverage),
  forms: z.object({ state: z.enum(['not_sent', 'sent', 'completed']), remindersSent: z.number().int() }),
  messages: z.array(z.object({ template: z.string(), status: z.string() })),
  appointment: z
    .object({
      emrAppointmentId: z.string(),
      start: z.string().optional(),
      therapistId: z.string().optional(),
      locationId: z.string().optional(),
    })
    .optional(),
  authorizationWorkflowId: z.string().optional(),
  planOfCareWorkflowId: z.string().optional(),
  openTasks: z.number().int(),
  needsAttention: z.boolean(),
  cancelReason: z.string().optional(),
});
// Admin: the process's progress. Dropped: eligibility outcome, auth-required flag and copay (insurance data),
// the appointment's time, therapist and location (schedule data) and the cancel reason (free text).
const onboardingForAdmin = onboardingStatus
  .extend({
    coverages: z.array(onboardingCoverage.pick({ coverageId: true, priority: true, verifications: true })),
    appointment: onboardingStatus.shape.appointment.unwrap().pick({ emrAppointmentId: true }).optional(),
  })
  .omit({ cancelReason: true });
export const onboardingStatusViews = roleViews('OnboardingStatus', onboardingStatus, {
  admin: onboardingForAdmin,
  front_desk: onboardingStatus.extend({
    coverages: z.array(onboardingCoverage.omit({ copayCents: true })),
  }),
});

// --- Prior authorization: front desk runs it; billers need the number, dates and counts for claims;
// therapists need what is left to plan care, not the payer's reference or the follow-up bookkeeping. ---
export const authorizationStatus = z.object({
  authorizationId: z.uuid(),
  status: z.string(),
  authNumber: z.string().optional(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  visitsAuthorized: z.number().int().optional(),
  visitsUsed: z.number().int(),
  visitsRemaining: z.number().int().optional(),
  unitsAuthorized: z.number().int().optional(),
  unitsUsed: z.number().int(),
  unitsRemaining: z.number().int().optional(),
  needsAttention: z.boolean(),
  extensionsRequested: z.number().int(),
  extensionsApproved: z.number().int(),
  /** While the status is needs_attention: what staff must fix (failure type and reason code, never a value). */
  attention: z.object({ type: z.string(), reasonCode: z.string(), level: z.string().optional() }).optional(),
});
const authorizationForBilling = authorizationStatus.omit({
  needsAttention: true,
  extensionsRequested: true,
  extensionsApproved: true,
});
const authorizationForCare = authorizationForBilling.omit({ authNumber: true, attention: true });
// Admin: status, dates and counts keep the practice running; the payer's authorization number is an insurance
// identifier the admin does not need.
const authorizationForAdmin = authorizationStatus.omit({ authNumber: true, attention: true });
export const authorizationStatusViews = roleViews('AuthorizationStatus', authorizationStatus, {
  admin: authorizationForAdmin,
  front_desk: authorizationStatus,
  biller: authorizationForBilling,
  therapist: authorizationForCare,
});

export const visitRecorded = z.object({
  visitsUsed: z.number().int(),
  visitsRemaining: z.number().int().optional(),
  unitsRemaining: z.number().int().optional(),
  duplicate: z.boolean(),
});
export const visitRecordedViews = roleViews('VisitRecorded', visitRecorded, {
  // Counts and a duplicate flag: operational for every role.
  admin: visitRecorded,
  front_desk: visitRecorded,
  therapist: visitRecorded,
  // An EMR needs to know the visit counted (or was a repeat), not the remaining budget.
  integration: visitRecorded.pick({ visitsUsed: true, duplicate: true }),
});

// --- Plan of care: clinical fields are the therapist's; the front desk records certifications and sees
// only the certification state. ---
export const outcomeResult = z.object({
  instrument: z.enum(outcomeInstruments),
  improvementFromBaseline: z.number(),
  mcid: z.number().optional(),
  meaningfulSinceBaseline: z.boolean(),
  trend: z.string(),
});
export const outcomeResultViews = roleViews('OutcomeResult', outcomeResult, {
  // Outcome measures are clinical through and through: an admin records one only under break-glass.
  admin: breakGlassOnly,
  therapist: outcomeResult,
});
export const planOfCareStatus = z.object({
  episodeId: z.uuid(),
  status: z.string(),
  certification: z.string(),
  initialCertificationDueBy: z.string(),
  certifiedThrough: z.string(),
  treatmentDays: z.number().int(),
  visitsCounted: z.number().int(),
  progressReportOverdue: z.boolean(),
  outcomes: z.array(outcomeResult),
  plateau: z.boolean(),
  needsAttention: z.boolean(),
  nextCheck: z.string().optional(),
  discharged: z.object({ date: z.string(), reason: z.string() }).optional(),
  /** The signature processes of the episode (GET /v1/poc-signatures/{processId}). */
  signatureProcesses: z
    .array(z.object({ processId: z.uuid(), cycle: z.enum(['initial', 'recertification']) }))
    .optional(),
});
const planOfCareCertification = planOfCareStatus.pick({
  episodeId: true,
  status: true,
  certification: true,
  initialCertificationDueBy: true,
  certifiedThrough: true,
  needsAttention: true,
  signatureProcesses: true,
});
// Admin: certification state, due dates and counts. Dropped: outcomes and plateau (clinical), discharge (its
// reason is clinical).
const planOfCareForAdmin = planOfCareStatus.omit({ outcomes: true, plateau: true, discharged: true });
export const planOfCareStatusViews = roleViews('PlanOfCareStatus', planOfCareStatus, {
  admin: planOfCareForAdmin,
  therapist: planOfCareStatus,
  front_desk: planOfCareCertification,
});

// --- POC signatures: the chase is administrative (dates, delivery states, counts; no clinical content, no
// address): the same view for every role that may see it. ---
export const pocSignatureStatus = z.object({
  episodeId: z.uuid(),
  cycle: z.enum(['initial', 'recertification']),
  state: z.string(),
  reference: z.string(),
  dueBy: z.string(),
  late: z.boolean(),
  signedDate: z.string().optional(),
  signedVia: z.string().optional(),
  remindersSent: z.array(z.number().int()),
  deliveries: z.array(
    z.object({
      purpose: z.enum(['original', 'reminder']),
      day: z.number().int(),
      attempt: z.number().int(),
      deliveryId: z.string().optional(),
      channel: z.enum(['fax', 'direct', 'email']).optional(),
      requestedAt: z.string(),
      acceptedAt: z.string().optional(),
      status: z.string(),
      failureCode: z.string().optional(),
    }),
  ),
  releasedClaims: z.number().int(),
  needsAttention: z.boolean(),
  openTask: z.string().optional(),
});
export const pocSignatureStatusViews = roleViews('PocSignatureStatus', pocSignatureStatus, {
  admin: pocSignatureStatus,
  front_desk: pocSignatureStatus,
  therapist: pocSignatureStatus,
});

// --- Claims: billers and admins. ---
export const claimStatus = z.object({
  claimId: z.uuid(),
  state: z.string(),
  attempt: z.number().int(),
  frequency: z.enum(['1', '7']),
  chargeCents: z.number().int().optional(),
  paidCents: z.number().int().optional(),
  patientResponsibilityCents: z.number().int().optional(),
  payerClaimNumber: z.string().optional(),
  lines: z.array(z.object({ code: z.string(), modifiers: z.array(z.string()), units: z.number().int() })),
  blockingFindings: z.array(z.string()),
  corrections: z.array(z.object({ finding: z.string(), clearedBy: z.array(z.string()) })).optional(),
  decisions: z.array(z.object({ at: z.string(), what: z.string(), reason: z.string() })),
});
// Admin: where the claim stands (state, attempt, original vs. replacement). Dropped: amounts (payments), the
// payer's claim number, service lines (CPT codes), scrubber finding codes and the decision log (free text).
const claimForAdmin = claimStatus.pick({ claimId: true, state: true, attempt: true, frequency: true });
export const claimStatusViews = roleViews('ClaimStatus', claimStatus, {
  admin: claimForAdmin,
  biller: claimStatus,
});

export const claimPreview = z.object({
  payer: z.object({ payerId: z.string(), name: z.string() }),
  method: z.string(),
  totalTimedMinutes: z.number().int(),
  lines: z.array(
    z.object({
      lineNumber: z.number().int(),
      code: z.string(),
      modifiers: z.array(z.string()),
      units: z.number().int(),
      chargeCents: z.number().int(),
      furnishedBy: z.string(),
      audit: z.array(z.string()),
    }),
  ),
  findings: z.array(
    z.object({
      code: z.string(),
      severity: z.string(),
      field: z.string(),
      message: z.string(),
      fix: z.string(),
    }),
  ),
  submittable: z.boolean(),
  x12: z.string().optional(),
  x12Error: z.string().optional(),
});
export const claimPreviewViews = roleViews('ClaimPreview', claimPreview, {
  // Codes, charges, payer and the X12 itself: nothing in it is metadata, so an admin needs break-glass.
  admin: breakGlassOnly,
  biller: claimPreview,
});

// --- Lists: opaque ids, kinds, states and dates only, the same for every staff role. ---
const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), has_more: z.boolean(), next_cursor: z.string().nullable() });

export const processPage = page(
  z.object({
    id: z.string(),
    kind: z.string().nullable(),
    status: z.string().nullable(),
    patientId: z.string().nullable(),
    needsAttention: z.boolean(),
    nextDeadline: z.string().nullable(),
    running: z.boolean(),
    startedAt: z.string().nullable(),
  }),
);
export const processPageViews = roleViews('ProcessPage', processPage, {
  // Already operational metadata only (ids, kinds, statuses, dates).
  admin: processPage,
  front_desk: processPage,
  biller: processPage,
  therapist: processPage,
});

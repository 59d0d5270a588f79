// The claim of a signed visit, from a "note signed" event: its input assembled from the EMR's signed note, our
// mirror, the practice profile and the running authorization, and its start by workflow type name (a claim
// that already ran for the visit is never started again).
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { ClaimCaseParties } from '../claim/types.js';
import type { EmrEventOf } from '../../connectors/webhooks/emr-events.js';
import { createReferrerRepository } from '../../db/repositories/referring-providers.js';
import { coverages } from '../../db/schema.js';
import { codeVisit } from '../../domain/billing/code-visit.js';
import { buildClaimInput, type ClaimInputOf } from '../../domain/claims/claim-input.js';
import { isUuid } from '../../domain/ids.js';
import { VisitSchema } from '../../domain/model/visit.js';
import { payerProfileOn } from '../../domain/rules/payers.js';
import { PayerId } from '../../workflows/shared/search-attributes.js';
import { claimIdForStart } from '../shared/claim-ids.js';
import { uuidFromKey } from '../shared/derived-ids.js';
import { CLAIM_WORKFLOW_TYPE } from '../../workflows/claim/messages.js';
import { startIdempotently } from '../shared/process-starter.js';
import type { EventRoutingDeps, RoutingContext } from './context.js';

/** The claim process's input (its messages' ClaimInput). */
export type EventClaimInput = ClaimInputOf<ClaimCaseParties>;
type ClaimWorkflow = (input: EventClaimInput) => Promise<unknown>;

const GENDER = { male: 'M', female: 'F', other: 'U', unknown: 'U' } as const;

export function createEventClaimActivities(deps: EventRoutingDeps, context: RoutingContext) {
  const { emrCall, temporal } = context;

  /** ProcessStatus of the patient's most recently started priorAuthorization (running or closed), if any. */
  const newestAuthorizationStatus = async (
    practiceId: string,
    patientId: string,
  ): Promise<string | undefined> => {
    if (!deps.temporal || !isUuid(practiceId) || !isUuid(patientId)) return undefined;
    const query = `PracticeId = '${practiceId}' AND PatientId = '${patientId}' AND ProcessKind = 'priorAuthorization'`;
    let newest: { at: number; status: unknown } | undefined;
    for await (const wf of deps.temporal.workflow.list({ query })) {
      const at = wf.startTime.getTime();
      if (!newest || at > newest.at) newest = { at, status: wf.searchAttributes.ProcessStatus?.[0] };
    }
    return typeof newest?.status === 'string' ? newest.status : undefined;
  };

  return {
    /**
     * Everything the claim of a signed visit needs: the diagnoses from the EMR's signed note, payer and member
     * from the patient's primary coverage, the subscriber from our mirror (the practice's own parties come
     * from its profile when the claim is coded), the authorization number from the running authorization. The visit id is the EMR's (or,
     * for an EMR whose visit ids are not UUIDs, a hash of it); the claim id derives from practice and visit id
     * exactly as POST /v1/claims derives it (activities/shared/claim-ids.ts).
     */
    async claimInputForVisit(q: {
      practiceId: string;
      patientId: string;
      note: EmrEventOf<'note.signed'>['data'];
      planOfCareWorkflowId?: string;
      authorizationWorkflowId?: string;
    }): Promise<{ input: EventClaimInput; units: number } | { missing: string; visitId: string }> {
      const visitId = isUuid(q.note.visitId)
        ? q.note.visitId
        : uuidFromKey('visit', q.practiceId, q.note.visitId);
      const missing = (what: string) => ({ missing: what, visitId });
      // The practice's own parties (billing provider, pay-to, submitter) come from its profile when the claim
      // is coded: an incomplete profile holds the claim naming what is missing (resumed once it is complete),
      // rather than raising a start_claim task for every signed note.
      const timezone = await context.practiceZone(q.practiceId);
      if (!timezone) return missing('practice');
      const { patients, coverages: coverageRepo } = context.repositories();
      const patient = await patients.get(q.practiceId, q.patientId);
      if (!patient) return missing('patient');
      const [primary] = await deps.db
        .select({ id: coverages.id })
        .from(coverages)
        .where(
          and(
            eq(coverages.practiceId, q.practiceId),
            eq(coverages.patientId, q.patientId),
            inArray(coverages.status, ['active', 'unverified', 'needs_phone_verification']),
          ),
        )
        .orderBy(asc(coverages.priority))
        .limit(1);
      const coverage = primary && (await coverageRepo.get(q.practiceId, primary.id));
      if (!coverage) return missing('coverage');
      const signed = await emrCall(q.practiceId, (emr) => emr.getSignedVisit(q.note.visitId));
      if (!signed) return missing('emr_visit');
      // 2010BA N3/N4: the subscriber (= patient) address from the EMR's Patient resource, else our encrypted
      // mirror (what the onboarding intake collected); without one the claim
      // starts anyway and the scrubber holds it with SUBSCRIBER_ADDRESS_MISSING (a biller supplies it).
      const emrPatient = await emrCall(q.practiceId, (emr) =>
        emr.findPatient({ emrPatientId: q.note.emrPatientId }),
      );
      const address = emrPatient?.demographics.address ?? patient.demographics.address;
      if (signed.diagnoses.length === 0) return missing('diagnoses');
      // The referring/certifying practitioner (837P 2310A) from the EMR's order to therapy, when it has one;
      // otherwise a payer that requires it holds the claim with a finding the biller clears by correction.
      const referral = await emrCall(q.practiceId, async (emr) =>
        emr.getReferral ? emr.getReferral(signed.emrPatientId, q.note.dateOfService) : undefined,
      );
      const referrer = referral?.referringProvider;
      // The EMR's referring provider joins the practice's referrer directory (an admin's entry is kept).
      if (referrer) await createReferrerRepository(deps.db).syncFromEmr(q.practiceId, [referrer]);
      const authorization = q.authorizationWorkflowId
        ? await temporal()
            .workflow.getHandle(q.authorizationWorkflowId)
            .query<{ authNumber?: string; status?: string }>('status')
        : undefined;
      const authNumber = authorization?.authNumber;
      // No authorization running: the patient's newest one may have ended as "not required" (the payer said so,
      // or staff did after asking it); then the claim must not be held for a missing authorization number.
      const notRequired =
        authorization?.status === 'not_required' ||
        (!authorization && (await newestAuthorizationStatus(q.practiceId, q.patientId)) === 'not_required');
      const visit = {
        id: visitId,
        payerId: coverage.payerId,
        dos: q.note.dateOfService,
        renderingNpi: q.note.therapistNpi,
        interventions: q.note.interventions,
        diagnoses: signed.diagnoses,
        totalTreatmentMinutes: q.note.totalTreatmentMinutes,
      };
      const d = patient.demographics;
      const claimId = await claimIdForStart(temporal(), q.practiceId, visitId);
      const input = buildClaimInput<ClaimCaseParties>({
        claimId,
        practiceId: q.practiceId,
        patientId: q.patientId,
        timezone,
        visit,
        parties: {
          subscriber: {
            memberId: coverage.memberId,
            lastName: d.family,
            ...(d.given[0] ? { firstName: d.given[0] } : {}),
            dateOfBirth: d.birthDate,
            gender: GENDER[d.sex],
            ...(address ? { address } : {}),
          },
          ...(referrer
            ? {
                referringProvider: {
                  name: referrer.lastName,
                  npi: referrer.npi,
                  ...(referrer.firstName ? { firstName: referrer.firstName } : {}),
                },
              }
            : {}),
        },
        ...(q.planOfCareWorkflowId ? { planOfCareWorkflowId: q.planOfCareWorkflowId } : {}),
        ...(authNumber ? { priorAuthNumber: authNumber } : {}),
        ...(notRequired ? { authorizationNotRequired: true } : {}),
        ...(deps.claimPollMinutes !== undefined ? { pollEveryMinutes: deps.claimPollMinutes } : {}),
      });
      return { input, units: billedUnits({ ...visit, practiceId: q.practiceId, patientId: q.patientId }) };
    },

    /** Starts the visit's claim; a claim that already ran for this visit is never started again. */
    async startClaimFromEvent(
      input: EventClaimInput,
    ): Promise<{ workflowId: string; outcome: 'started' | 'closed' }> {
      try {
        const workflowId = await startIdempotently<ClaimWorkflow>(temporal(), {
          taskQueue: Context.current().info.taskQueue,
          kind: 'claim',
          processKind: 'claimSubmission',
          id: input.case.claimId,
          workflow: CLAIM_WORKFLOW_TYPE,
          args: [input],
          practiceId: input.case.practiceId,
          patientId: input.case.patientId,
          searchAttributes: [{ key: PayerId, value: String(input.case.visit.payerId) }],
          rejectDuplicate: true,
        });
        return { workflowId, outcome: 'started' };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          return { workflowId: err.workflowId, outcome: 'closed' };
        }
        throw err;
      }
    },
  };
}

/** Units the visit bills under its payer's method (what an authorization by units counts); 0 if it cannot be coded. */
function billedUnits(visit: unknown): number {
  const parsed = VisitSchema.safeParse(visit);
  if (!parsed.success) return 0;
  const profile = payerProfileOn(parsed.data.payerId, parsed.data.dos);
  if (!profile) return 0;
  return codeVisit(parsed.data, { profile }).lines.reduce((sum, l) => sum + l.units, 0);
}

// The emrEventRouter's side effects (workflows/emr-events/workflow.ts): resolve the EMR's ids to ours, find the
// patient's running processes, assemble what a claim or an onboarding needs from our mirror and the EMR, and
// start or update processes through the Temporal client. Each one is idempotent: ids are derived from business
// keys (temporal/derived-ids.ts), starts reuse a running process, and a recorded visit is recorded once.
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { emrErrorToFailure } from '../../connectors/emr/failure.js';
import type { Emr } from '../../connectors/emr/types.js';
import type { ClaimParties } from '../../connectors/payer/types.js';
import type { EmrEventOf } from '../../connectors/webhooks/emr-events.js';
import type { Database } from '../../db/connection.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import type { RepositoryKeys } from '../../db/repositories/keys.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { coverages } from '../../db/schema.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import type { VisitToRecord } from '../../domain/auth/lifecycle.js';
import { codeVisit } from '../../domain/billing/code-visit.js';
import { isUuid } from '../../domain/ids.js';
import { VisitSchema } from '../../domain/model/visit.js';
import type { OnboardingInput } from '../../domain/onboarding/intake.js';
import { payerProfileOn } from '../../domain/rules/payers.js';
import type { Acuity, BodyRegion } from '../../domain/scheduling/types.js';
import { claimIdForStart } from '../../temporal/claim-ids.js';
import { uuidFromKey } from '../../temporal/derived-ids.js';
import { startIdempotently } from '../../temporal/start-process.js';
import type { ClaimInput } from '../../workflows/claim/workflow.js';
import { buildClaimInput } from '../../workflows/claim/claim-input.js';
import { claimSubmission } from '../../workflows/claim/workflow.js';
import { patientOnboarding } from '../../workflows/onboarding/workflow.js';
import { PayerId } from '../../workflows/shared/search-attributes.js';

export type { EmrEvent, EmrEventOf } from '../../connectors/webhooks/emr-events.js';

/** What the router needs to know about a practice beyond the practices table (configured per deployment). */
export interface PracticeProfile {
  /** 2010AA of the 837P. */
  billingProvider: ClaimParties['billingProvider'];
  /** Secure links an EMR-originated onboarding sends (the forms service authenticates the patient). */
  intakeFormLink: string;
  insuranceUpdateLink: string;
  /**
   * The evaluation the optimizer books for a patient the EMR registered: the event says nothing about the
   * complaint, so the practice decides (e.g. subacute, general) and the therapist refines it at evaluation.
   */
  defaultEvaluation: { acuity: Acuity; bodyRegion: BodyRegion };
}

export interface EventRoutingDeps {
  db: Database;
  temporal?: Client;
  emr?: Emr;
  keys?: RepositoryKeys;
  practiceProfile?: (practiceId: string) => Promise<PracticeProfile | undefined>;
  /** Claim mailbox poll interval handed to claims started from events (as POST /v1/claims does). */
  claimPollMinutes?: number;
}

export interface OpenProcesses {
  onboarding?: string;
  planOfCare?: string;
  authorization?: string;
}

const notConfigured = (what: string) =>
  ApplicationFailure.nonRetryable(`No ${what} is configured for event routing.`, 'ConnectorNotConfigured');

const GENDER = { male: 'M', female: 'F', other: 'U', unknown: 'U' } as const;

export function createEventRouterActivities(deps: EventRoutingDeps) {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw notConfigured(what);
    return value;
  };
  /**
   * Calls the practice's EMR. Undefined when the configured EMR connection belongs to another practice: that
   * practice's ids mean nothing here (and would name its patients), so the event is treated as one about a
   * patient the EMR does not know.
   */
  const emrCall = async <T>(practiceId: string, fn: (emr: Emr) => Promise<T>): Promise<T | undefined> => {
    const emr = need(deps.emr, 'EMR connector');
    if (emr.practiceId !== undefined && emr.practiceId !== practiceId) return undefined;
    try {
      return await fn(emr);
    } catch (err) {
      throw emrErrorToFailure(err);
    }
  };
  const repos = () => {
    const keys = need(deps.keys, 'data keyring');
    return {
      patients: createPatientRepository(deps.db, keys),
      coverages: createCoverageRepository(deps.db, keys),
    };
  };
  const practiceZone = async (practiceId: string) =>
    (await createPracticeRepository(deps.db).get(practiceId))?.timezone;

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
     * Our patient id for an EMR patient, or nothing. The EMR keeps our id on the patients ptflow registered
     * (the identifier of every upsert); we trust it only when our own mirror has that patient in this practice
     * and, once it knows the EMR id, the same one.
     */
    async resolveEmrPatient(q: {
      practiceId: string;
      emrPatientId: string;
    }): Promise<{ patientId?: string }> {
      const found = await emrCall(q.practiceId, (emr) => emr.findPatient({ emrPatientId: q.emrPatientId }));
      if (!found?.patientId || !isUuid(found.patientId)) return {};
      const mine = await repos().patients.get(q.practiceId, found.patientId);
      if (!mine || (mine.emrPatientId !== undefined && mine.emrPatientId !== q.emrPatientId)) return {};
      return { patientId: mine.patientId };
    },

    /** The patient's running processes by kind (the most recently started of each), from Temporal visibility. */
    async findOpenProcesses(q: { practiceId: string; patientId: string }): Promise<OpenProcesses> {
      const client = need(deps.temporal, 'Temporal client');
      if (!isUuid(q.practiceId) || !isUuid(q.patientId)) return {};
      const newest = new Map<string, { id: string; at: number }>();
      const query =
        `PracticeId = '${q.practiceId}' AND PatientId = '${q.patientId}' AND ExecutionStatus = 'Running' ` +
        `AND ProcessKind IN ('onboarding', 'planOfCare', 'priorAuthorization')`;
      for await (const wf of client.workflow.list({ query })) {
        const kind = wf.searchAttributes.ProcessKind?.[0];
        if (typeof kind !== 'string') continue;
        const at = wf.startTime.getTime();
        if ((newest.get(kind)?.at ?? -1) < at) newest.set(kind, { id: wf.workflowId, at });
      }
      return {
        ...(newest.get('onboarding') ? { onboarding: newest.get('onboarding')!.id } : {}),
        ...(newest.get('planOfCare') ? { planOfCare: newest.get('planOfCare')!.id } : {}),
        ...(newest.get('priorAuthorization') ? { authorization: newest.get('priorAuthorization')!.id } : {}),
      };
    },

    /**
     * The onboarding input for a patient the EMR registered (walk-in, referral): demographics and coverages read
     * from the EMR, ids derived from the EMR's so every redelivery names the same patient and onboarding.
     * Messaging consent is not assumed: the EMR does not say the patient agreed to texts or e-mail.
     */
    async onboardingInputFromEmr(q: {
      practiceId: string;
      emrPatientId: string;
      patientId?: string;
      referralId?: string;
    }): Promise<{ input: OnboardingInput & { onboardingId: string } } | { missing: string }> {
      const profile = await deps.practiceProfile?.(q.practiceId);
      if (!profile) return { missing: 'practice_profile' };
      const timezone = await practiceZone(q.practiceId);
      if (!timezone) return { missing: 'practice' };
      const patient = await emrCall(q.practiceId, (emr) => emr.findPatient({ emrPatientId: q.emrPatientId }));
      if (!patient) return { missing: 'emr_patient' };
      const d = patient.demographics;
      const preferredChannel = d.phone ? 'sms' : d.email ? 'email' : undefined;
      if (!preferredChannel) return { missing: 'contact' };
      const emrCoverages = ((await emrCall(q.practiceId, (emr) => emr.listCoverages(q.emrPatientId))) ?? [])
        .filter((c) => c.status === 'active')
        .sort((a, b) => a.order - b.order);
      const seen = new Set<number>();
      const onboardingId = q.referralId
        ? uuidFromKey('onboarding', q.practiceId, 'referral', q.referralId)
        : uuidFromKey('onboarding', q.practiceId, 'emr-patient', q.emrPatientId);
      return {
        input: {
          onboardingId,
          practiceId: q.practiceId,
          patientId: q.patientId ?? uuidFromKey('patient', q.practiceId, q.emrPatientId),
          clinicTimeZone: timezone,
          patientTimeZone: timezone,
          demographics: {
            given: d.given,
            family: d.family,
            birthDate: d.birthDate,
            sex: d.sex,
            ...(d.phone ? { phone: d.phone } : {}),
            ...(d.email ? { email: d.email } : {}),
            preferredLanguage: d.preferredLanguage === 'es' ? 'es' : 'en',
          },
          preferredChannel,
          messagingConsent: false,
          coverages: emrCoverages
            .filter((c) => !seen.has(c.order) && seen.add(c.order))
            .slice(0, 3)
            .map((c) => ({
              coverageId: uuidFromKey('coverage', q.practiceId, c.emrCoverageId),
              payerId: c.payerId,
              memberId: c.memberId,
              ...(c.groupNumber ? { groupNumber: c.groupNumber } : {}),
              priority: c.order,
            })),
          evaluation: { ...profile.defaultEvaluation },
          intakeFormLink: profile.intakeFormLink,
          insuranceUpdateLink: profile.insuranceUpdateLink,
        },
      };
    },

    /**
     * Starts the onboarding of a patient the EMR registered first. The EMR record is linked to our patient id
     * first (where the EMR supports it), so the onboarding's registration updates it instead of creating a twin.
     */
    async startOnboardingFromEvent(
      input: OnboardingInput & { onboardingId: string },
      emrPatientId?: string,
    ): Promise<string> {
      if (emrPatientId) {
        await emrCall(input.practiceId, async (emr) => emr.linkPatient?.(emrPatientId, input.patientId));
      }
      return startIdempotently(need(deps.temporal, 'Temporal client'), {
        taskQueue: Context.current().info.taskQueue,
        kind: 'onboarding',
        processKind: 'onboarding',
        id: input.onboardingId,
        workflow: patientOnboarding,
        args: [input],
        practiceId: input.practiceId,
        patientId: input.patientId,
      });
    },

    /**
     * Everything the claim of a signed visit needs: the diagnoses from the EMR's signed note, payer and member
     * from the patient's primary coverage, the subscriber from our mirror, the billing provider from the
     * practice profile, the authorization number from the running authorization. The visit id is the EMR's (or,
     * for an EMR whose visit ids are not UUIDs, a hash of it); the claim id derives from practice and visit id
     * exactly as POST /v1/claims derives it (temporal/claim-ids.ts).
     */
    async claimInputForVisit(q: {
      practiceId: string;
      patientId: string;
      note: EmrEventOf<'note.signed'>['data'];
      planOfCareWorkflowId?: string;
      authorizationWorkflowId?: string;
    }): Promise<{ input: ClaimInput; units: number } | { missing: string; visitId: string }> {
      const visitId = isUuid(q.note.visitId)
        ? q.note.visitId
        : uuidFromKey('visit', q.practiceId, q.note.visitId);
      const missing = (what: string) => ({ missing: what, visitId });
      const profile = await deps.practiceProfile?.(q.practiceId);
      if (!profile) return missing('practice_profile');
      const timezone = await practiceZone(q.practiceId);
      if (!timezone) return missing('practice');
      const { patients, coverages: coverageRepo } = repos();
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
      const auth = q.authorizationWorkflowId
        ? await need(deps.temporal, 'Temporal client')
            .workflow.getHandle(q.authorizationWorkflowId)
            .query<{ authNumber?: string; status?: string }>('status')
        : undefined;
      const authNumber = auth?.authNumber;
      // No authorization running: the patient's newest one may have ended as "not required" (the payer said so,
      // or staff did after asking it); then the claim must not be held for a missing authorization number.
      const notRequired =
        auth?.status === 'not_required' ||
        (!auth && (await newestAuthorizationStatus(q.practiceId, q.patientId)) === 'not_required');
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
      const claimId = await claimIdForStart(need(deps.temporal, 'Temporal client'), q.practiceId, visitId);
      const input = buildClaimInput({
        claimId,
        practiceId: q.practiceId,
        patientId: q.patientId,
        timezone,
        visit,
        parties: {
          billingProvider: profile.billingProvider,
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
      input: ClaimInput,
    ): Promise<{ workflowId: string; outcome: 'started' | 'closed' }> {
      try {
        const workflowId = await startIdempotently(need(deps.temporal, 'Temporal client'), {
          taskQueue: Context.current().info.taskQueue,
          kind: 'claim',
          processKind: 'claimSubmission',
          id: input.case.claimId,
          workflow: claimSubmission,
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

    /** The authorization's validated `recordVisit`; a refusal comes back as its code (for a task), not an error. */
    async recordAuthorizationVisit(q: {
      authorizationWorkflowId: string;
      visit: VisitToRecord;
    }): Promise<{ recorded: true; duplicate: boolean } | { recorded: false; code: string }> {
      const handle = need(deps.temporal, 'Temporal client').workflow.getHandle(q.authorizationWorkflowId);
      try {
        const r = await handle.executeUpdate<{ duplicate: boolean }, [VisitToRecord]>('recordVisit', {
          args: [q.visit],
        });
        return { recorded: true, duplicate: r.duplicate };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          const type = (err.cause as { type?: string } | undefined)?.type ?? 'refused';
          return { recorded: false, code: type.replace(/^VisitNotAllowed:/, '') };
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

// The emrEventRouter's side effects (workflows/emr-events/workflow.ts): resolve the EMR's ids to ours, find the
// patient's running processes, assemble what a claim or an onboarding needs from our mirror and the EMR, and
// start or update processes through the Temporal client, by workflow type name. Each one is idempotent: ids are
// derived from business keys (activities/shared/derived-ids.ts), starts reuse a running process, and a recorded
// visit is recorded once.
import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { VisitToRecord } from '../../domain/prior-authorization/lifecycle.js';
import { isUuid } from '../../domain/ids.js';
import { mirrorAppointmentKind, type AppointmentStatus } from '../../domain/visits/appointment-mirror.js';
import {
  createAppointmentMirrorRepository,
  type MirrorOutcome,
} from '../../db/repositories/appointment-mirror.js';
import type { EmrEventOf as EventOf } from '../../connectors/webhooks/emr-events.js';
import type { OnboardingInput } from '../../domain/onboarding/intake.js';
import { uuidFromKey } from '../shared/derived-ids.js';
import { ONBOARDING_WORKFLOW_TYPE } from '../../workflows/onboarding/messages.js';
import { startIdempotently } from '../shared/process-starter.js';
import { createEventClaimActivities } from './claims.js';
import { routingContext, type EventRoutingDeps } from './context.js';

export type { EmrEvent, EmrEventOf } from '../../connectors/webhooks/emr-events.js';
export type { EventRoutingDeps, PracticeProfile } from './context.js';
export type { EventClaimInput } from './claims.js';

export interface OpenProcesses {
  onboarding?: string;
  planOfCare?: string;
  authorization?: string;
}

/** An onboarding the EMR's registration starts: its id derives from the EMR's ids. */
type EventOnboardingInput = OnboardingInput & { onboardingId: string };
type OnboardingWorkflow = (input: EventOnboardingInput) => Promise<unknown>;

/** ProcessKind search attribute → the key of OpenProcesses. */
const OPEN_PROCESS_KEYS = {
  onboarding: 'onboarding',
  planOfCare: 'planOfCare',
  priorAuthorization: 'authorization',
} as const satisfies Record<string, keyof OpenProcesses>;

export function createEventRouterActivities(deps: EventRoutingDeps) {
  const context = routingContext(deps);
  const { emrCall, temporal } = context;

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
      const mine = await context.repositories().patients.get(q.practiceId, found.patientId);
      if (!mine || (mine.emrPatientId !== undefined && mine.emrPatientId !== q.emrPatientId)) return {};
      return { patientId: mine.patientId };
    },

    /** The patient's running processes by kind (the most recently started of each), from Temporal visibility. */
    async findOpenProcesses(q: { practiceId: string; patientId: string }): Promise<OpenProcesses> {
      const client = temporal();
      if (!isUuid(q.practiceId) || !isUuid(q.patientId)) return {};
      const newest = new Map<keyof OpenProcesses, { id: string; at: number }>();
      const query =
        `PracticeId = '${q.practiceId}' AND PatientId = '${q.patientId}' AND ExecutionStatus = 'Running' ` +
        `AND ProcessKind IN ('onboarding', 'planOfCare', 'priorAuthorization')`;
      for await (const wf of client.workflow.list({ query })) {
        const kind = wf.searchAttributes.ProcessKind?.[0];
        if (typeof kind !== 'string' || !Object.hasOwn(OPEN_PROCESS_KEYS, kind)) continue;
        const key = OPEN_PROCESS_KEYS[kind as keyof typeof OPEN_PROCESS_KEYS];
        const at = wf.startTime.getTime();
        if ((newest.get(key)?.at ?? -1) < at) newest.set(key, { id: wf.workflowId, at });
      }
      const open: OpenProcesses = {};
      for (const [key, { id }] of newest) open[key] = id;
      return open;
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
    }): Promise<{ input: EventOnboardingInput } | { missing: string }> {
      const profile = await deps.practiceProfile?.(q.practiceId);
      if (!profile) return { missing: 'practice_profile' };
      const timezone = await context.practiceZone(q.practiceId);
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
    async startOnboardingFromEvent(input: EventOnboardingInput, emrPatientId?: string): Promise<string> {
      if (emrPatientId) {
        await emrCall(input.practiceId, async (emr) => emr.linkPatient?.(emrPatientId, input.patientId));
      }
      return startIdempotently<OnboardingWorkflow>(temporal(), {
        taskQueue: Context.current().info.taskQueue,
        kind: 'onboarding',
        processKind: 'onboarding',
        id: input.onboardingId,
        workflow: ONBOARDING_WORKFLOW_TYPE,
        args: [input],
        practiceId: input.practiceId,
        patientId: input.patientId,
      });
    },

    ...createEventClaimActivities(deps, context),

    /**
     * Our appointments mirror follows the EMR (issue 18 point 4): an appointment event creates the row for one of
     * our patients (our booking id when ptflow booked it, else one derived from the EMR's id) or moves it along
     * the transition table (domain/visits/appointment-mirror.ts); a signed note moves the appointment it names to
     * completed. Only our patients are mirrored: the router calls this after resolving the patient.
     */
    async mirrorEmrAppointment(q: {
      practiceId: string;
      patientId: string;
      status: AppointmentStatus;
      emrAppointmentId: string;
      appointment?: Omit<
        EventOf<'appointment.booked'>['data'],
        'practiceId' | 'emrAppointmentId' | 'emrPatientId'
      >;
    }): Promise<{ outcome: MirrorOutcome }> {
      const mirror = createAppointmentMirrorRepository(deps.db);
      const a = q.appointment;
      if (!a) return { outcome: await mirror.moveExisting(q.practiceId, q.emrAppointmentId, q.status) };
      if (!isUuid(a.therapistId) || !isUuid(a.locationId)) return { outcome: 'unknown_resource' };
      const outcome = await mirror.apply(
        {
          id: a.appointmentId ?? uuidFromKey('appointment', q.practiceId, 'emr', q.emrAppointmentId),
          practiceId: q.practiceId,
          patientId: q.patientId,
          emrAppointmentId: q.emrAppointmentId,
          therapistId: a.therapistId,
          locationId: a.locationId,
          kind: mirrorAppointmentKind(a.kind),
          startsAt: new Date(a.start),
          minutes: Math.max(0, Math.round((Date.parse(a.end) - Date.parse(a.start)) / 60_000)),
        },
        q.status,
      );
      return { outcome };
    },

    /** The authorization's validated `recordVisit`; a refusal comes back as its code (for a task), not an error. */
    async recordAuthorizationVisit(q: {
      authorizationWorkflowId: string;
      visit: VisitToRecord;
    }): Promise<{ recorded: true; duplicate: boolean } | { recorded: false; code: string }> {
      const handle = temporal().workflow.getHandle(q.authorizationWorkflowId);
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

// emrEventRouter: one short workflow per verified EMR event, turning it into starts and signals of
// the long-running processes.
//
// Why a workflow rather than routing inside the webhook request: the thin event (ids only) is not enough to start
// anything. A claim needs the diagnoses (EMR), the coverage and subscriber (our encrypted mirror) and the
// billing provider; an onboarding needs the patient's demographics and coverages from the EMR. Those reads run
// where the connectors and data keys live — the worker — with retries. The API therefore only has to hand the
// event to Temporal (idempotently, `event:<hash of the delivery>`), answer 202 within milliseconds, and never
// loses an event to an EMR outage: Temporal holds it until it is routed. Every step is idempotent on its own:
// the claim id is a hash of practice and visit id (REJECT_DUPLICATE), the onboarding id a hash of the EMR
// patient, the plan of care counts a visit id once, and the authorization's recordVisit reports a repeated visit
// as a duplicate. So the same fact delivered under several webhook ids still has exactly one effect.
//
// The event travels only inside the encrypted payload; the search attributes carry the practice, our patient id
// (once resolved), the event kind and the outcome — nothing from the event itself. Since
// ROUTER_SEARCH_ATTRIBUTES_PATCH also its state (`routing`, `waiting_for_configuration`, then the outcome) and
// NeedsAttention (true while it waits for a person to fix the worker's configuration).
import {
  ApplicationFailure,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EmrEventOf } from '../../activities/emr-events/index.js';
import { findMissedVisitRule, isLateCancellation, type MissKind } from '../../domain/visits/index.js';
import { statusOfEmrEvent, type AppointmentStatus } from '../../domain/visits/appointment-mirror.js';
import type { Activities } from '../../activities/index.js';
import { appointmentBookedSignal, evaluationCheckedInSignal } from '../onboarding/messages.js';
import { visitCompletedSignal } from '../plan-of-care/messages.js';
import { configurationTask, waitingOnConfiguration } from '../shared/connector-wait.js';
import { raiseTask } from '../tasks/raise-task.js';
import type { EmrEventRouterInput, EventRouteOutcome, EventRouteResult } from './messages.js';
import {
  NeedsAttention,
  PatientId,
  PracticeId,
  ProcessKind,
  ProcessStatus,
} from '../shared/search-attributes.js';

/**
 * Issue 18: a no-show or late cancellation starts a missedVisitFollowUp, a cancellation of a future slot a
 * waitlistFill. Histories recorded before it acknowledged these events without commands and replay that way.
 */
export const ROUTER_MISSED_VISITS_PATCH = 'emrEvent-missed-visits-waitlist';

/**
 * Issue 18 point 4: appointment events and signed notes move our appointments mirror (mirrorEmrAppointment) for
 * our patients. Histories recorded before it routed these events without that activity and replay that way.
 */
export const ROUTER_APPOINTMENT_MIRROR_PATCH = 'emrEvent-appointment-mirror';

/** State and NeedsAttention from the start (histories recorded before it replay without them). */
export const ROUTER_SEARCH_ATTRIBUTES_PATCH = 'emrEvent-search-attributes';

/** Our database and the EMR: quick calls, bounded retries (an EMR outage leaves the workflow retrying, not lost). */
export const eventRouterActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['ConnectorNotConfigured'] as string[],
  },
} as const;

// Wrapped per run (waitingOnConfiguration): a worker without the EMR connector raises an admin task.
const routerActivityStubs = proxyActivities<Activities>(eventRouterActivityOptions);

export async function emrEventRouter(input: EmrEventRouterInput): Promise<EventRouteResult> {
  const { practiceId, event } = input;
  const steps: string[] = [];
  const workflowIds: string[] = [];
  let patientId: string | undefined;
  const tracked = patched(ROUTER_SEARCH_ATTRIBUTES_PATCH);
  upsertSearchAttributes([
    { key: ProcessKind, value: 'emrEvent' },
    { key: PracticeId, value: practiceId },
    ...(tracked
      ? [
          { key: ProcessStatus, value: 'routing' },
          { key: NeedsAttention, value: false },
        ]
      : []),
  ]);
  const waitForConfiguration = configurationTask({
    practiceId,
    processKind: 'emrEvent',
    details: { eventWorkflowId: workflowInfo().workflowId },
  });
  const router = waitingOnConfiguration(routerActivityStubs, async (activity, reason) => {
    if (!tracked) return waitForConfiguration(activity, reason);
    upsertSearchAttributes([
      { key: ProcessStatus, value: 'waiting_for_configuration' },
      { key: NeedsAttention, value: true },
    ]);
    const completed = await waitForConfiguration(activity, reason);
    upsertSearchAttributes([
      { key: ProcessStatus, value: 'routing' },
      { key: NeedsAttention, value: false },
    ]);
    return completed;
  });

  const done = (outcome: EventRouteOutcome): EventRouteResult => {
    upsertSearchAttributes([
      { key: ProcessStatus, value: outcome },
      ...(patientId ? [{ key: PatientId, value: patientId }] : []),
    ]);
    setCurrentDetails(`${outcome.replace(/_/g, ' ')}${steps.length ? `: ${steps.join(', ')}` : ''}`);
    return { type: event.type, outcome, ...(patientId ? { patientId } : {}), workflowIds, steps };
  };

  let resolved: { emrPatientId: string; patientId: string | undefined } | undefined;
  const resolve = async (emrPatientId: string) => {
    // Once per run: the mirror and the process routing ask about the same patient.
    if (resolved?.emrPatientId === emrPatientId) return resolved.patientId;
    patientId = (await router.resolveEmrPatient({ practiceId, emrPatientId })).patientId;
    resolved = { emrPatientId, patientId };
    return patientId;
  };

  /**
   * Our appointments mirror follows the EMR for our patients (a patient unknown to ptflow gets no row); the
   * status only moves forward (domain/visits/appointment-mirror.ts).
   */
  const mirrorAppointment = async (
    e: EmrEventOf<
      'appointment.booked' | 'appointment.checked_in' | 'appointment.cancelled' | 'appointment.no_show'
    >,
    status: AppointmentStatus,
  ) => {
    if (!patched(ROUTER_APPOINTMENT_MIRROR_PATCH)) return;
    const known = await resolve(e.data.emrPatientId);
    if (!known) {
      steps.push('mirror:unknown_patient');
      return;
    }
    const d = e.data;
    const mirrored = await router.mirrorEmrAppointment({
      practiceId,
      patientId: known,
      status,
      emrAppointmentId: d.emrAppointmentId,
      appointment: {
        appointmentId: d.appointmentId,
        therapistId: d.therapistId,
        locationId: d.locationId,
        kind: d.kind,
        start: d.start,
        end: d.end,
      },
    });
    steps.push(`mirror:${status}:${mirrored.outcome}`);
  };

  /** A signal to a process that may have closed since it was found: a closed target is a step, not an error. */
  const signalOpenProcess = async (id: string, send: () => Promise<void>, label: string) => {
    try {
      await send();
      workflowIds.push(id);
      steps.push(`${label}:signalled`);
      return true;
    } catch {
      steps.push(`${label}:closed`);
      return false;
    }
  };

  const attention = async (kind: string, title: string, role: 'biller' | 'front_desk', reason: string) => {
    const taskWorkflowId = await raiseTask(
      {
        practiceId,
        ...(patientId ? { patientId } : {}),
        processKind: 'emrEvent',
        details: { eventWorkflowId: workflowInfo().workflowId },
      },
      { kind, title, role, dueInHours: 24, details: { reason } },
    );
    workflowIds.push(taskWorkflowId);
    steps.push(`task:${kind}:${reason}`);
  };

  switch (event.type) {
    case 'patient.created':
    case 'referral.received':
      return done(await startOnboarding(event));
    case 'appointment.booked':
    case 'appointment.checked_in':
      await mirrorAppointment(event, statusOfEmrEvent(event.type));
      return done(await toOnboarding(event));
    case 'appointment.cancelled':
    case 'appointment.no_show':
      // Before ROUTER_MISSED_VISITS_PATCH no process waited for these (an onboarding's own booking is cancelled
      // by the onboarding itself); since, a missed visit is followed up and a freed slot offered to the waitlist.
      if (!patched(ROUTER_MISSED_VISITS_PATCH)) return done('acknowledged');
      await mirrorAppointment(
        event,
        statusOfEmrEvent(missedKind(event) === 'late_cancel' ? 'appointment.late_cancelled' : event.type),
      );
      return done(await missedOrFreed(event));
    case 'appointment.waitlisted':
      // A new event kind: histories recorded before it never reach this branch, so no patch is needed.
      return done(await waitlisted(event));
    case 'note.signed':
      return done(await noteSigned(event));
    case 'report.signed':
      // A new event kind: histories recorded before it never reach this branch, so no patch is needed.
      return done(await reportSigned(event));
    default: {
      const never: never = event;
      throw ApplicationFailure.nonRetryable(`unknown event ${String(never)}`, 'UnknownEvent');
    }
  }

  async function startOnboarding(
    e: EmrEventOf<'patient.created'> | EmrEventOf<'referral.received'>,
  ): Promise<EventRouteOutcome> {
    const known = await resolve(e.data.emrPatientId);
    if (known) {
      const open = await router.findOpenProcesses({ practiceId, patientId: known });
      if (open.onboarding) {
        steps.push('onboarding:already_running');
        return 'no_process';
      }
      // A known patient is onboarded again only for a new referral (a new episode of care).
      if (e.type === 'patient.created') {
        steps.push('patient:known');
        return 'no_process';
      }
    }
    const built = await router.onboardingInputFromEmr({
      practiceId,
      emrPatientId: e.data.emrPatientId,
      ...(known ? { patientId: known } : {}),
      ...(e.type === 'referral.received' && known ? { referralId: e.data.referralId } : {}),
    });
    if ('missing' in built) {
      await attention(
        'register_patient',
        'Patient from the EMR cannot be onboarded automatically',
        'front_desk',
        built.missing,
      );
      return 'needs_attention';
    }
    patientId = built.input.patientId;
    // A patient new to us: link the EMR's record to our id so registration does not create a second one.
    workflowIds.push(
      await router.startOnboardingFromEvent(built.input, known ? undefined : e.data.emrPatientId),
    );
    steps.push('onboarding:started');
    return 'routed';
  }

  async function toOnboarding(
    e: EmrEventOf<'appointment.booked'> | EmrEventOf<'appointment.checked_in'>,
  ): Promise<EventRouteOutcome> {
    // Only the evaluation concerns an onboarding; ptflow's own bookings come back here too and are not news.
    if (e.data.kind !== 'evaluation') return 'acknowledged';
    if (e.type === 'appointment.booked' && e.data.appointmentId !== null) return 'acknowledged';
    const known = await resolve(e.data.emrPatientId);
    if (!known) return 'unknown_patient';
    const open = await router.findOpenProcesses({ practiceId, patientId: known });
    if (!open.onboarding) return 'no_process';
    const handle = getExternalWorkflowHandle(open.onboarding);
    const sent =
      e.type === 'appointment.checked_in'
        ? await signalOpenProcess(
            open.onboarding,
            () => handle.signal(evaluationCheckedInSignal, { emrAppointmentId: e.data.emrAppointmentId }),
            'onboarding:checked_in',
          )
        : await signalOpenProcess(
            open.onboarding,
            () =>
              handle.signal(appointmentBookedSignal, {
                emrAppointmentId: e.data.emrAppointmentId,
                start: e.data.start,
                therapistId: e.data.therapistId,
                locationId: e.data.locationId,
              }),
            'onboarding:booked',
          );
    return sent ? 'routed' : 'no_process';
  }

  /**
   * A no-show or a late cancellation → missedVisitFollowUp (with the patient's open plan of care and
   * authorization, told that the visit does not count); any cancellation of a slot still ahead → waitlistFill.
   */
  async function missedOrFreed(
    e: EmrEventOf<'appointment.cancelled'> | EmrEventOf<'appointment.no_show'>,
  ): Promise<EventRouteOutcome> {
    let outcome: EventRouteOutcome = 'acknowledged';
    const known = await resolve(e.data.emrPatientId);
    if (e.type === 'appointment.cancelled' && Date.parse(e.data.start) > new Date().getTime()) {
      workflowIds.push(
        await router.startWaitlistFillFromEvent({
          practiceId,
          therapistId: e.data.therapistId,
          locationId: e.data.locationId,
          start: e.data.start,
          end: e.data.end,
          appointmentKind: e.data.kind,
          ...(known ? { freedByPatientId: known } : {}),
        }),
      );
      steps.push('waitlist:started');
      outcome = 'routed';
    }
    const missed = missedKind(e);
    if (!missed) return outcome;
    if (!known) return outcome === 'routed' ? outcome : 'unknown_patient';
    const open = await router.findOpenProcesses({ practiceId, patientId: known });
    workflowIds.push(
      await router.startMissedVisitFromEvent({
        practiceId,
        patientId: known,
        emrPatientId: e.data.emrPatientId,
        emrAppointmentId: e.data.emrAppointmentId,
        kind: missed,
        therapistId: e.data.therapistId,
        locationId: e.data.locationId,
        appointmentKind: e.data.kind,
        start: e.data.start,
        end: e.data.end,
        ...(open.planOfCare ? { planOfCareWorkflowId: open.planOfCare } : {}),
        ...(open.authorization ? { authorizationWorkflowId: open.authorization } : {}),
      }),
    );
    steps.push(`missed_visit:${missed}`);
    return 'routed';
  }

  /** A no-show, a late cancellation (by the missed-visit rule in force on its date), or neither. */
  function missedKind(
    e: EmrEventOf<'appointment.cancelled'> | EmrEventOf<'appointment.no_show'>,
  ): MissKind | undefined {
    if (e.type === 'appointment.no_show') return 'no_show';
    const lateRule = findMissedVisitRule(e.data.start.slice(0, 10));
    return lateRule &&
      isLateCancellation({ start: e.data.start, cancelledAt: e.timestamp, reason: e.data.reason }, lateRule)
      ? 'late_cancel'
      : undefined;
  }

  /** A patient waitlisted in the EMR joins our waitlist (once per EMR appointment; source `emr`). */
  async function waitlisted(e: EmrEventOf<'appointment.waitlisted'>): Promise<EventRouteOutcome> {
    const known = await resolve(e.data.emrPatientId);
    if (!known) return 'unknown_patient';
    const added = await router.addWaitlistEntryFromEvent({
      practiceId,
      patientId: known,
      emrAppointmentId: e.data.emrAppointmentId,
      locationId: e.data.locationId,
      therapistId: e.data.therapistId,
      minutes: e.data.minutes,
      acuity: e.data.acuity ?? 1,
    });
    steps.push(`waitlist:${added.outcome}`);
    return 'routed';
  }

  /** A signed progress report / recertification / discharge summary goes to the referring physician. */
  async function reportSigned(e: EmrEventOf<'report.signed'>): Promise<EventRouteOutcome> {
    const known = await resolve(e.data.emrPatientId);
    if (!known) return 'unknown_patient';
    const open = await router.findOpenProcesses({ practiceId, patientId: known });
    const started = await router.startProgressReportFromEvent({
      practiceId,
      patientId: known,
      emrPatientId: e.data.emrPatientId,
      emrReportId: e.data.reportId,
      kind: e.data.kind,
      reportDate: e.data.reportDate,
      ...(open.planOfCare ? { planOfCareWorkflowId: open.planOfCare } : {}),
      ...(open.authorization ? { authorizationWorkflowId: open.authorization } : {}),
    });
    workflowIds.push(started.workflowId);
    steps.push(`progress_report:${started.outcome}`);
    return 'routed';
  }

  async function noteSigned(e: EmrEventOf<'note.signed'>): Promise<EventRouteOutcome> {
    const known = await resolve(e.data.emrPatientId);
    if (!known) return 'unknown_patient';
    // The visit took place: the appointment it was signed for is completed in our mirror.
    const emrAppointmentId = e.data.emrAppointmentId;
    if (emrAppointmentId !== null && patched(ROUTER_APPOINTMENT_MIRROR_PATCH)) {
      const mirrored = await router.mirrorEmrAppointment({
        practiceId,
        patientId: known,
        status: statusOfEmrEvent('note.signed'),
        emrAppointmentId,
      });
      steps.push(`mirror:completed:${mirrored.outcome}`);
    }
    const open = await router.findOpenProcesses({ practiceId, patientId: known });
    const built = await router.claimInputForVisit({
      practiceId,
      patientId: known,
      note: e.data,
      ...(open.planOfCare ? { planOfCareWorkflowId: open.planOfCare } : {}),
      ...(open.authorization ? { authorizationWorkflowId: open.authorization } : {}),
    });
    let outcome: EventRouteOutcome = 'routed';

    // 1. The claim: one per visit, whichever of the API and this event comes first.
    if ('missing' in built) {
      await attention(
        'start_claim',
        'Signed visit could not be billed automatically',
        'biller',
        built.missing,
      );
      outcome = 'needs_attention';
    } else {
      const claim = await router.startClaimFromEvent(built.input);
      if (claim.outcome === 'started') workflowIds.push(claim.workflowId);
      steps.push(`claim:${claim.outcome}`);
    }
    // The visit's own id (claims started before ids were scoped by practice had it as their claim id too).
    const visitId = 'missing' in built ? built.visitId : built.input.case.visit.id;

    // 2. The plan of care counts the treatment day (a visit id is counted once).
    const planOfCareId = open.planOfCare;
    if (planOfCareId) {
      await signalOpenProcess(
        planOfCareId,
        () =>
          getExternalWorkflowHandle(planOfCareId).signal(visitCompletedSignal, {
            visitId,
            dos: e.data.dateOfService,
          }),
        'plan_of_care:visit',
      );
    }

    // 3. The authorization validates and counts the visit; a refusal is for a person, not a retry.
    if (open.authorization) {
      const visitRecord = await router.recordAuthorizationVisit({
        authorizationWorkflowId: open.authorization,
        visit: { visitId, dos: e.data.dateOfService, units: 'missing' in built ? 0 : built.units },
      });
      if (visitRecord.recorded) {
        workflowIds.push(open.authorization);
        steps.push(`authorization:${visitRecord.duplicate ? 'duplicate' : 'recorded'}`);
      } else {
        steps.push(`authorization:rejected:${visitRecord.code}`);
        await attention(
          'authorization_visit_rejected',
          'Visit is not covered by the authorization',
          'front_desk',
          visitRecord.code,
        );
        outcome = 'needs_attention';
      }
    }
    return outcome;
  }
}

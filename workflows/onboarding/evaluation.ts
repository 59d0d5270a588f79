// The initial evaluation: booked by the scheduling activity (specialty, location, acuity-adjusted length) unless
// the EMR booked it already, with the appointment reminder and the "forms overdue" escalation before the visit.
import { ActivityFailure, condition, isCancellation, patched, uuid4 } from '@temporalio/workflow';
import { hoursBefore } from '../../domain/onboarding/reminders.js';
import type { BookedEvaluation } from '../../activities/onboarding/index.js';
import { evaluationWindow } from '../../domain/onboarding/steps.js';
import type { AppointmentBooked } from './messages.js';
import { BOOKING_FAILURE_TO_FRONT_DESK_PATCH } from './patches.js';
import type { OnboardingRun } from './run.js';
import { isConnectorNotConfigured } from '../shared/connector-wait.js';
import { unreadableRecord } from './integrity.js';

/**
 * Book the evaluation, or take the one the EMR booked. When no slot can be found the front desk books it in the
 * EMR (`appointmentBooked`). Either way the appointment's time and place are known at the end.
 */
export async function bookEvaluation(run: OnboardingRun): Promise<void> {
  const { intake } = run;
  if (!run.emrBooked) {
    run.state = 'scheduling';
    run.publish();
    const window = evaluationWindow(
      new Date(),
      intake.clinicTimeZone,
      intake.evaluation.leadDays,
      intake.evaluation.searchDays,
    );
    const { evaluation } = intake;
    const result = await bookingOrFailure(run, {
      practiceId: intake.practiceId,
      patientId: intake.patientId,
      emrPatientId: run.emrPatientId,
      appointmentId: uuid4(),
      request: {
        acuity: evaluation.acuity,
        ...(evaluation.diagnosisCode ? { diagnosisCode: evaluation.diagnosisCode } : {}),
        ...(evaluation.bodyRegion ? { bodyRegion: evaluation.bodyRegion } : {}),
        // Input only (no new command): intakes from before equipment carry none, so their replays are unchanged.
        ...(evaluation.equipmentKind ? { equipmentKind: evaluation.equipmentKind } : {}),
        preferredLocations: evaluation.preferredLocations,
        otherLocationsAcceptable: evaluation.otherLocationsAcceptable,
        timeZone: intake.clinicTimeZone,
        ...window,
        notBefore: new Date().toISOString(),
      },
    });
    // An appointment the EMR booked meanwhile wins (the front desk already told the patient about it):
    // ours is released so the patient is never booked twice.
    if (result.outcome === 'booked' && !run.emrBooked) run.appointment = result.appointment;
    else if (result.outcome === 'booked') {
      await run.activities.cancelEvaluation({
        practiceId: intake.practiceId,
        appointmentId: result.appointment.appointmentId,
        emrAppointmentId: result.appointment.emrAppointmentId,
      });
    }
    if ((result.outcome === 'no_slot' || result.outcome === 'failed') && !run.emrBooked) {
      run.enterWithTask('needs_scheduling');
      run.publish();
      const task = await run.raiseTask(
        'schedule_evaluation',
        result.outcome === 'failed'
          ? 'Booking the evaluation failed (EMR unreachable or refused): book the initial evaluation in the EMR'
          : 'No evaluation slot found: book the initial evaluation in the EMR',
        'front_desk',
        24,
        {},
      );
      await condition(() => run.emrBooked !== undefined);
      await run.closeTask(task.taskWorkflowId, 'not_needed');
    }
  }
  if (!run.appointment && run.emrBooked) {
    // Booked in the EMR: ask it when and where, so the reminder and the deadline still work.
    run.appointment = run.emrBooked.start
      ? run.emrBooked
      : await run.activities.getEvaluationAppointment(run.emrBooked.emrAppointmentId);
  }
}

type BookingRequest = Parameters<OnboardingRun['bookingActivities']['bookEvaluation']>[0];
type BookingResult = Awaited<ReturnType<OnboardingRun['bookingActivities']['bookEvaluation']>>;

/**
 * The booking activity, or `failed` when it failed for good (its retries spent on an EMR outage, or a refusal):
 * the front desk then books by hand, as for no slot — the onboarding never dies on a booking. A cancellation, an
 * unreadable record (held by the run) and a missing connector (waits on its admin task) keep their own paths.
 */
async function bookingOrFailure(
  run: OnboardingRun,
  request: BookingRequest,
): Promise<BookingResult | { outcome: 'failed' }> {
  try {
    return await run.bookingActivities.bookEvaluation(request);
  } catch (err) {
    if (
      !(err instanceof ActivityFailure) ||
      isCancellation(err) ||
      isConnectorNotConfigured(err) ||
      unreadableRecord(err) ||
      !patched(BOOKING_FAILURE_TO_FRONT_DESK_PATCH)
    ) {
      throw err;
    }
    return { outcome: 'failed' };
  }
}

/**
 * Between booking and check-in: the appointment reminder (CONFIRM / CANCEL replies come back through the
 * messaging webhook) and, when the forms are still missing close to the visit, a front-desk task.
 */
export async function remindBeforeVisit(run: OnboardingRun): Promise<void> {
  const { intake } = run;
  const booked = run.appointment;
  if (!booked?.start) return;
  const start = booked.start;
  const steps = [
    { at: hoursBefore(start, intake.appointmentReminderHoursBefore), kind: 'reminder' as const },
    { at: hoursBefore(start, intake.formsEscalationHoursBefore), kind: 'forms' as const },
  ].sort((earlier, later) => earlier.at - later.at);
  for (const step of steps) {
    const wait = step.at - new Date().getTime();
    if (wait > 0 && (await condition(() => run.closing, wait))) return;
    if (run.closing || new Date().getTime() >= Date.parse(start)) return;
    if (step.kind === 'reminder') {
      await run.sendMessage(
        { kind: 'appointment_reminder' },
        {
          template: 'appointment_reminder',
          appointment: {
            appointmentId: ourAppointmentId(booked) ?? booked.emrAppointmentId,
            startsAt: start,
            ...(booked.locationId ? { locationId: booked.locationId } : {}),
          },
        },
      );
    } else if (run.forms.state !== 'completed' && !run.completedForms) {
      const task = await run.raiseTask(
        'intake_forms_overdue',
        'Intake forms not completed before the evaluation: follow up with the patient',
        'front_desk',
        Math.max(1, intake.formsEscalationHoursBefore / 2),
        {},
      );
      run.formsTask = task.taskWorkflowId;
    }
  }
}

/** Our appointment id when the onboarding booked it (an appointment the EMR booked has only the EMR's id). */
export function ourAppointmentId(appointment: BookedEvaluation | AppointmentBooked): string | undefined {
  return 'appointmentId' in appointment && typeof appointment.appointmentId === 'string'
    ? appointment.appointmentId
    : undefined;
}

// bookEvaluation: the scheduling helper (real solver) picks the best slot with ordered alternatives; the EMR
// books it. When the slot was taken between search and booking (SlotUnavailable), the next alternative is
// tried without asking again. Booking is idempotent on our appointment id, so a retried activity returns the
// appointment the first attempt made. cancelEvaluation is the compensation; writeIntakeForms the write-back.
import { and, eq } from 'drizzle-orm';
import { emrErrorToFailure } from '../../connectors/emr/failure.js';
import { isEmrError, type EmrAppointment, type IntakeAnswerItem } from '../../connectors/emr/types.js';
import { appointments } from '../../db/schema.js';
import type {
  EvaluationRequestInput,
  EvaluationSlotOption,
  SlotSource,
} from '../../domain/scheduling/index.js';
import {
  EvaluationRequestSchema,
  freeUnit,
  requiredMinutes,
  roomNeed,
  type EquipmentKind,
} from '../../domain/scheduling/index.js';
import { localDate } from '../../domain/core/zoned.js';
import { equipmentBooking } from '../equipment/index.js';
import { roomBooking } from '../equipment/rooms.js';
import { createSchedulingActivities } from './scheduling.js';
import type { OnboardingActivityDeps } from './deps.js';
import { callEmr } from './emr-call.js';
import { emrSlotSource } from './slot-source.js';

/** Searches when every offered slot was taken by concurrent bookings before ours (each offers up to 4). */
const SEARCHES_WHEN_RACED = 5;

export interface BookEvaluationInput {
  practiceId: string;
  patientId: string;
  emrPatientId: string;
  /** Our appointment id, chosen once by the workflow. */
  appointmentId: string;
  request: EvaluationRequestInput;
}

export interface BookedEvaluation {
  appointmentId: string;
  emrAppointmentId: string;
  therapistId?: string;
  locationId?: string;
  start: string;
  end: string;
}

export type BookEvaluationResult =
  | { outcome: 'booked'; appointment: BookedEvaluation; slotsTried: number }
  | { outcome: 'no_slot'; explanation: string; slotsTried: number };

export interface IntakeFormsInput {
  emrPatientId: string;
  responseId: string;
  questionnaire: string;
  authored: string;
  items: IntakeAnswerItem[];
}

/** When, where and with whom: the EMR's appointment as the workflow sees it. */
function evaluationOf(appointment: EmrAppointment): Omit<BookedEvaluation, 'appointmentId'> {
  return {
    emrAppointmentId: appointment.emrAppointmentId,
    ...(appointment.therapistId ? { therapistId: appointment.therapistId } : {}),
    ...(appointment.locationId ? { locationId: appointment.locationId } : {}),
    start: appointment.start,
    end: appointment.end,
  };
}

/** The evaluation's booked length (acuity table), the device window a slot is checked against. */
function evaluationMinutesOf(request: EvaluationRequestInput): number {
  const parsed = EvaluationRequestSchema.safeParse(request);
  // An invalid request is refused with its field errors by chooseEvaluationSlot.
  return parsed.success ? requiredMinutes(parsed.data) : 0;
}

export function createBookingActivities(deps: OnboardingActivityDeps) {
  const devices = equipmentBooking(deps.db);
  const rooms = roomBooking(deps.db);
  /**
   * Only slots where a suitable room (ROOM_NEEDS: a private one for an evaluation) has a free unit for as long
   * as the EMR books (the whole slot, at least the evaluation); slots at a location without rooms pass
   * unchanged (rooms are optional). Each slot's booked length is noted in `roomMinutes` for the hold.
   */
  const withRoom = (
    inner: SlotSource,
    practiceId: string,
    minutes: number,
    timeZone: string,
    roomMinutes: Map<string, number>,
  ): SlotSource => ({
    async findFreeSlots(query) {
      const slots = await inner.findFreeSlots(query);
      for (const slot of slots) roomMinutes.set(slot.slotId, Math.max(minutes, slot.minutesAvailable));
      const free = await rooms.availability(practiceId, new Date(query.from), new Date(query.to));
      if (free.rooms.length === 0) return slots;
      return slots.filter((slot) => {
        const startMs = Date.parse(slot.start);
        const endMs = startMs + Math.max(minutes, slot.minutesAvailable) * 60_000;
        const need = roomNeed('evaluation', localDate(new Date(startMs), timeZone));
        return free.freeRoom(slot.locationId, need, startMs, endMs) !== undefined;
      });
    },
  });
  /**
   * An evaluation that needs a device is offered only slots where a device of the kind is free at the slot's
   * location for its session (therapist and place come free from the EMR's search; the device from our
   * reservations, maintenance windows included).
   */
  const withDevice = (
    inner: SlotSource,
    practiceId: string,
    kind: EquipmentKind,
    minutes: number,
    timeZone: string,
  ): SlotSource => ({
    async findFreeSlots(query) {
      const slots = await inner.findFreeSlots(query);
      const units = await devices.devices.units(practiceId, kind);
      if (units.length === 0) return [];
      const busy = await devices.reservations.busy(
        practiceId,
        units.map((u) => u.equipmentId),
        new Date(query.from),
        new Date(query.to),
      );
      return slots.filter((slot) => {
        const startMs = Date.parse(slot.start);
        return (
          freeUnit(units, busy, {
            kind,
            locationId: slot.locationId,
            startMs,
            visitMinutes: minutes,
            date: localDate(new Date(startMs), timeZone),
          }) !== undefined
        );
      });
    },
  });
  // Per call: the slot source is scoped to the booking's practice (and to free devices when one is needed).
  const schedulingFor = (
    practiceId: string,
    request: EvaluationRequestInput,
    roomMinutes: Map<string, number>,
  ) => {
    const base = deps.slots ?? emrSlotSource(deps.emr, deps.db, practiceId);
    const kind = request.equipmentKind;
    const minutes = evaluationMinutesOf(request);
    const slots = kind ? withDevice(base, practiceId, kind, minutes, request.timeZone) : base;
    return createSchedulingActivities({
      slots: withRoom(slots, practiceId, minutes, request.timeZone, roomMinutes),
    });
  };

  /** Our appointments mirror (reporting); the EMR stays the source of truth for the schedule. */
  const mirror = async (input: BookEvaluationInput, booked: BookedEvaluation) => {
    if (!booked.therapistId || !booked.locationId) return;
    await deps.db
      .insert(appointments)
      .values({
        id: input.appointmentId,
        practiceId: input.practiceId,
        patientId: input.patientId,
        therapistId: booked.therapistId,
        locationId: booked.locationId,
        externalId: booked.emrAppointmentId,
        kind: 'evaluation',
        startsAt: new Date(booked.start),
        minutes: Math.round((Date.parse(booked.end) - Date.parse(booked.start)) / 60_000),
        status: 'booked',
      })
      .onConflictDoNothing();
  };

  return {
    async bookEvaluation(input: BookEvaluationInput): Promise<BookEvaluationResult> {
      let tried = 0;
      // Minutes the EMR books per offered slot (the room is held that long).
      const roomMinutes = new Map<string, number>();
      // Every option taken before we could book it means the search was stale (other bookings raced ours), not
      // that the calendar is full: search again, a bounded number of times, before handing over to a person.
      for (let search = 0; search < SEARCHES_WHEN_RACED; search++) {
        const choice = await schedulingFor(input.practiceId, input.request, roomMinutes).chooseEvaluationSlot(
          input.request,
        );
        if (choice.outcome !== 'chosen') {
          return { outcome: 'no_slot', explanation: choice.explanation, slotsTried: tried };
        }
        const options: EvaluationSlotOption[] = [choice.choice, ...choice.alternatives];
        for (const option of options) {
          tried++;
          // The device first: the database refuses a hold that overlaps another booking or a maintenance window.
          const kind = input.request.equipmentKind;
          const hold = kind
            ? await devices.hold({
                practiceId: input.practiceId,
                kind,
                locationId: option.locationId,
                appointmentId: input.appointmentId,
                slotId: option.slotId,
                start: option.start,
                visitMinutes: option.durationMinutes,
                date: localDate(new Date(option.start), input.request.timeZone),
              })
            : undefined;
          if (kind && !hold) continue;
          // Then the room (where the location has rooms): a unit of a private room for the whole evaluation.
          const date = localDate(new Date(option.start), input.request.timeZone);
          const room = await rooms.hold({
            practiceId: input.practiceId,
            locationId: option.locationId,
            need: roomNeed('evaluation', date),
            appointmentId: input.appointmentId,
            slotId: option.slotId,
            start: option.start,
            visitMinutes: roomMinutes.get(option.slotId) ?? option.durationMinutes,
          });
          const roomHold = room === 'unconstrained' ? undefined : room;
          const releaseHolds = async () => {
            if (hold) await devices.reservations.release(input.practiceId, hold.reservationId);
            if (roomHold) await rooms.repo.release(input.practiceId, roomHold.reservationId);
          };
          if (!room) {
            await releaseHolds();
            continue;
          }
          try {
            const appointment = await deps.emr.bookAppointment({
              appointmentId: input.appointmentId,
              slotId: option.slotId,
              emrPatientId: input.emrPatientId,
              kind: 'evaluation',
            });
            // A retry whose first attempt booked another slot gets that appointment back (idempotent on our
            // id): that attempt holds the device and room for it, so this attempt's holds are freed.
            if (Date.parse(appointment.start) !== Date.parse(option.start)) await releaseHolds();
            const result = { appointmentId: input.appointmentId, ...evaluationOf(appointment) };
            await mirror(input, result);
            return { outcome: 'booked', appointment: result, slotsTried: tried };
          } catch (err) {
            // Taken meanwhile: the next best is already known. Anything else is the retry policy's business.
            await releaseHolds();
            if (isEmrError(err) && err.type === 'SlotUnavailable') continue;
            throw emrErrorToFailure(err);
          }
        }
      }
      return {
        outcome: 'no_slot',
        explanation: 'every offered slot was taken before it could be booked',
        slotsTried: tried,
      };
    },

    /** An appointment the EMR booked (referral with an appointment, front desk): when and where it is. */
    async getEvaluationAppointment(
      emrAppointmentId: string,
    ): Promise<Omit<BookedEvaluation, 'appointmentId'>> {
      return evaluationOf(await callEmr(() => deps.emr.getAppointment(emrAppointmentId)));
    },

    /** Compensation: idempotent (cancelling a cancelled appointment returns it unchanged). */
    async cancelEvaluation(input: {
      practiceId: string;
      appointmentId?: string;
      emrAppointmentId: string;
    }): Promise<void> {
      await callEmr(() => deps.emr.cancelAppointment(input.emrAppointmentId, 'other'));
      if (input.appointmentId) {
        // The device and the room it held are free again.
        await devices.reservations.releaseForAppointment(input.practiceId, input.appointmentId);
        await rooms.repo.releaseForAppointment(input.practiceId, input.appointmentId);
        await deps.db
          .update(appointments)
          .set({ status: 'cancelled' })
          .where(
            and(eq(appointments.id, input.appointmentId), eq(appointments.practiceId, input.practiceId)),
          );
      }
    },

    /** Completed intake forms go back to the EMR (idempotent on the response id). */
    async writeIntakeForms(input: IntakeFormsInput): Promise<void> {
      await callEmr(() => deps.emr.writeIntakeAnswers(input));
    },
  };
}

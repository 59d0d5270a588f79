// Series booking (issue 18 part 3): plan a plan of care's visits jointly with the real solver (yalps, behind the
// Solver port) and book them one by one in the EMR. Planning reads what the plan must respect: the therapists'
// free slots (EMR), devices and their reservations (maintenance windows included), the authorization's
// remaining visits and end date (its process's status, minus visits already booked ahead), and the patient's
// recent visit lengths (our appointments mirror). Rules, model and explanation are in domain/scheduling.
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { and, desc, eq, gte, inArray } from 'drizzle-orm';
import { emrErrorToFailure } from '../../connectors/emr/failure.js';
import { isEmrError, type Emr } from '../../connectors/emr/types.js';
import type { Database } from '../../db/connection.js';
import type { RepositoryKeys } from '../../db/repositories/keys.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { appointments, equipment, locations, rooms as roomTable, therapists } from '../../db/schema.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import {
  buildSeriesModel,
  decodeSeries,
  explainSeries,
  freeUnit,
  freeUnitsOf,
  roomNeed,
  seriesCandidates,
  SeriesRequestSchema,
  seriesVisitLength,
  type SeriesRequestInput,
  type LpModel,
  type LpSolution,
  type SeriesSlot,
  type Solver,
} from '../../domain/scheduling/index.js';
import { priorAuthorizationStatusQuery } from '../../workflows/prior-authorization/messages.js';
import { equipmentBooking } from '../equipment/index.js';
import { roomBooking, type RoomHold } from '../equipment/rooms.js';
import { solve } from 'yalps';

export interface SeriesActivityDeps {
  db: Database;
  emr?: Emr;
  keys?: RepositoryKeys;
  temporal?: Client;
  solver?: Solver;
}

export interface PlanSeriesInput {
  practiceId: string;
  patientId: string;
  /** Without `authorization` (read from the authorization's process) and `notBefore` (from `now`). */
  request: Omit<SeriesRequestInput, 'authorization' | 'notBefore'>;
  authorizationWorkflowId?: string;
  /** Workflow time: nothing is booked before it. */
  now: string;
}

export interface PlannedSeriesVisit {
  slotId: string;
  therapistId: string;
  locationId: string;
  start: string;
  date: string;
  equipmentId?: string;
  /** The room with a free unit when planned (absent: the location has no rooms). */
  roomId?: string;
}

export interface SeriesProposal {
  requested: number;
  /** What the authorization allowed when planned (absent: no authorization limits the series). */
  authorization?: { visitsRemaining?: number; endDate?: string; status: string };
  visitMinutes: number;
  visits: PlannedSeriesVisit[];
  /** Front-desk wording of the plan (staff names, places and dates only). */
  explanation: string[];
}

export interface BookSeriesVisitInput {
  practiceId: string;
  patientId: string;
  /** Our appointment id, chosen once by the workflow: booking is idempotent on it. */
  appointmentId: string;
  visit: PlannedSeriesVisit;
  visitMinutes: number;
  equipmentKind?: SeriesRequestInput['equipmentKind'];
  timeZone: string;
}

export type BookSeriesVisitResult =
  | {
      outcome: 'booked';
      appointmentId: string;
      emrAppointmentId: string;
      start: string;
      equipmentId?: string;
      roomId?: string;
    }
  | { outcome: 'taken'; reason: 'slot' | 'equipment' | 'room' };

/**
 * The series program is larger than the evaluation's (hundreds of binaries): more pivots, and a time limit after
 * which the best plan found so far is taken (decodeSeries; the explanation says it is not proven the best).
 */
export const yalpsSeriesSolver = {
  solve(model: LpModel): LpSolution {
    const s = solve(model, { timeout: 10_000, maxIterations: 32_768, maxPivots: 65_536 });
    return { status: s.status, result: s.result, variables: s.variables };
  },
} satisfies Solver;

/** Authorization states in which no further visit may be booked against it. */
const CLOSED_AUTH = new Set(['denied', 'expired', 'exhausted', 'closed']);

const notConfigured = (what: string) =>
  ApplicationFailure.nonRetryable(`No ${what} is configured for series booking.`, 'ConnectorNotConfigured');

export function createSeriesActivities(deps: SeriesActivityDeps) {
  const solver = deps.solver ?? yalpsSeriesSolver;
  const devices = equipmentBooking(deps.db);
  const roomHolds = roomBooking(deps.db);

  /** The authorization's allowance, less the visits of the patient already booked ahead (they will use it). */
  async function allowance(input: PlanSeriesInput) {
    if (!input.authorizationWorkflowId) return undefined;
    if (!deps.temporal) throw notConfigured('Temporal client');
    const status = await deps.temporal.workflow
      .getHandle(input.authorizationWorkflowId)
      .query(priorAuthorizationStatusQuery);
    const ahead = await deps.db
      .select({ id: appointments.id })
      .from(appointments)
      .where(
        and(
          eq(appointments.practiceId, input.practiceId),
          eq(appointments.patientId, input.patientId),
          eq(appointments.kind, 'treatment'),
          eq(appointments.status, 'booked'),
          gte(appointments.startsAt, new Date(input.now)),
        ),
      );
    const remaining = CLOSED_AUTH.has(status.status)
      ? 0
      : status.visitsRemaining === undefined
        ? undefined
        : Math.max(0, status.visitsRemaining - ahead.length);
    return {
      status: status.status,
      ...(remaining !== undefined ? { visitsRemaining: remaining } : {}),
      ...(status.endDate ? { endDate: status.endDate } : {}),
    };
  }

  return {
    async planCareSeries(input: PlanSeriesInput): Promise<SeriesProposal> {
      if (!deps.emr) throw notConfigured('EMR connector');
      const auth = await allowance(input);
      const parsed = SeriesRequestSchema.safeParse({
        ...input.request,
        notBefore: input.now,
        ...(auth ? { authorization: { visitsRemaining: auth.visitsRemaining, endDate: auth.endDate } } : {}),
      });
      if (!parsed.success) {
        throw ApplicationFailure.create({
          type: 'InvalidSeriesRequest',
          message: parsed.error.issues
            .map((i) => `${i.path.join('.') || 'request'}: ${i.message}`)
            .join('; '),
          nonRetryable: true,
        });
      }
      const request = parsed.data;
      // History: the patient's most recent completed visits, newest first (booked length = time it took).
      const history = await deps.db
        .select({ minutes: appointments.minutes })
        .from(appointments)
        .where(
          and(
            eq(appointments.practiceId, input.practiceId),
            eq(appointments.patientId, input.patientId),
            eq(appointments.status, 'completed'),
          ),
        )
        .orderBy(desc(appointments.startsAt))
        .limit(10);
      let length;
      try {
        length = seriesVisitLength(
          request.acuity,
          request.startDate,
          history.map((h) => h.minutes),
        );
      } catch (err) {
        // No rule in force on that date: the request's date is wrong, retrying cannot help.
        if (!(err instanceof RangeError)) throw err;
        throw ApplicationFailure.create({
          type: 'InvalidSeriesRequest',
          message: 'startDate: no visit-length rule is in force on that date',
          nonRetryable: true,
        });
      }
      const from = `${addDays(request.startDate, -1)}T00:00:00Z`;
      const to = `${addDays(request.startDate, request.weeks * 7 + 1)}T00:00:00Z`;
      const free = await deps.emr
        .searchFreeSlots({ from, to, minMinutes: length.minutes, limit: 5_000 })
        .catch((err: unknown) => {
          throw emrErrorToFailure(err);
        });
      // Only therapists of this practice we know (active); PT and PTA both treat.
      const staff = await deps.db
        .select({ id: therapists.id, name: therapists.name, discipline: therapists.discipline })
        .from(therapists)
        .where(and(eq(therapists.practiceId, input.practiceId), eq(therapists.active, true)));
      const known = new Map(staff.map((t) => [t.id, t]));
      let slots: SeriesSlot[] = free.flatMap((s) =>
        known.has(s.therapistId) && s.locationId
          ? [
              {
                slotId: s.slotId,
                therapistId: s.therapistId,
                locationId: s.locationId,
                start: s.start,
                minutesAvailable: Math.round((Date.parse(s.end) - Date.parse(s.start)) / 60_000),
              },
            ]
          : [],
      );
      const kind = request.equipmentKind;
      const deviceNames = new Map<string, string>();
      if (kind) {
        const units = await devices.devices.units(input.practiceId, kind);
        const busy = await devices.reservations.busy(
          input.practiceId,
          units.map((u) => u.equipmentId),
          new Date(from),
          new Date(to),
        );
        slots = slots.flatMap((s) => {
          const startMs = Date.parse(s.start);
          const unit = freeUnit(units, busy, {
            kind,
            locationId: s.locationId,
            startMs,
            visitMinutes: length.minutes,
            date: localDate(new Date(startMs), request.timeZone),
          });
          return unit ? [{ ...s, equipmentId: unit.equipmentId }] : [];
        });
        if (units.length > 0) {
          const rows = await deps.db
            .select({ id: equipment.id, name: equipment.name })
            .from(equipment)
            .where(
              inArray(
                equipment.id,
                units.map((u) => u.equipmentId),
              ),
            );
          for (const r of rows) deviceNames.set(r.id, r.name);
        }
      }
      // Rooms (where the location has any): a slot stays only with a unit of a room free for the whole visit,
      // and carries how many units are free then (the model's capacity row for that room and time).
      const roomFree = await roomHolds.availability(input.practiceId, new Date(from), new Date(to));
      const roomNames = new Map<string, string>();
      let slotsWithoutRoom = 0;
      if (roomFree.rooms.length > 0) {
        slots = slots.flatMap((s) => {
          const startMs = Date.parse(s.start);
          const endMs = startMs + length.minutes * 60_000;
          const need = roomNeed('treatment', localDate(new Date(startMs), request.timeZone));
          const roomId = roomFree.freeRoom(s.locationId, need, startMs, endMs);
          if (roomId === true) return [s];
          if (roomId === undefined) {
            slotsWithoutRoom++;
            return [];
          }
          const room = roomFree.rooms.find((r) => r.roomId === roomId)!;
          const free = freeUnitsOf(room, roomFree.busy, startMs, endMs).length;
          return [{ ...s, roomId, roomUnitsFree: free }];
        });
        const rows = await deps.db
          .select({ id: roomTable.id, name: roomTable.name })
          .from(roomTable)
          .where(eq(roomTable.practiceId, input.practiceId));
        for (const r of rows) roomNames.set(r.id, r.name);
      }
      const candidates = seriesCandidates(request, slots, length.minutes);
      const solution = await solver.solve(buildSeriesModel(request, candidates));
      const plan = decodeSeries(request, candidates, solution, length.minutes);
      const places = await deps.db
        .select({ id: locations.id, name: locations.name })
        .from(locations)
        .where(eq(locations.practiceId, input.practiceId));
      const placeNames = new Map(places.map((p) => [p.id, p.name]));
      const explanation = explainSeries(
        request,
        plan,
        length.why,
        {
          therapist: (id) => known.get(id)?.name ?? 'another therapist',
          location: (id) => placeNames.get(id) ?? 'another location',
          equipment: (id) => deviceNames.get(id) ?? 'a device',
          room: (id) => roomNames.get(id) ?? 'a room',
        },
        roomFree.rooms.length > 0 ? { slotsWithoutRoom } : undefined,
      );
      return {
        requested: plan.requested,
        ...(auth ? { authorization: auth } : {}),
        visitMinutes: length.minutes,
        visits: plan.visits.map((v) => ({
          slotId: v.slot.slotId,
          therapistId: v.slot.therapistId,
          locationId: v.slot.locationId,
          start: v.slot.start,
          date: v.date,
          ...(v.slot.equipmentId ? { equipmentId: v.slot.equipmentId } : {}),
          ...(v.slot.roomId ? { roomId: v.slot.roomId } : {}),
        })),
        explanation,
      };
    },

    /**
     * Books one planned visit: the device first (the database refuses an overlapping hold), then the EMR
     * (idempotent on our appointment id), then our appointments mirror. A slot or device taken since planning
     * answers 'taken' (the device hold is freed again); anything else is the retry policy's business.
     */
    async bookSeriesVisit(input: BookSeriesVisitInput): Promise<BookSeriesVisitResult> {
      if (!deps.emr) throw notConfigured('EMR connector');
      if (!deps.keys) throw notConfigured('data keyring');
      const patient = await createPatientRepository(deps.db, deps.keys).get(
        input.practiceId,
        input.patientId,
      );
      if (!patient?.emrPatientId) {
        throw ApplicationFailure.nonRetryable(
          'The patient is not registered in the EMR yet.',
          'PatientNotInEmr',
        );
      }
      const hold = input.equipmentKind
        ? await devices.hold({
            practiceId: input.practiceId,
            kind: input.equipmentKind,
            locationId: input.visit.locationId,
            appointmentId: input.appointmentId,
            slotId: input.visit.slotId,
            start: input.visit.start,
            visitMinutes: input.visitMinutes,
            date: input.visit.date,
          })
        : undefined;
      if (input.equipmentKind && !hold) return { outcome: 'taken', reason: 'equipment' };
      // Then a unit of a room (where the location has rooms) for the whole visit.
      const room = await roomHolds.hold({
        practiceId: input.practiceId,
        locationId: input.visit.locationId,
        need: roomNeed('treatment', input.visit.date),
        appointmentId: input.appointmentId,
        slotId: input.visit.slotId,
        start: input.visit.start,
        visitMinutes: input.visitMinutes,
      });
      const roomHold: RoomHold | undefined = room === 'unconstrained' ? undefined : room;
      if (!room) {
        if (hold) await devices.reservations.release(input.practiceId, hold.reservationId);
        return { outcome: 'taken', reason: 'room' };
      }
      let appointment;
      try {
        appointment = await deps.emr.bookAppointment({
          appointmentId: input.appointmentId,
          slotId: input.visit.slotId,
          emrPatientId: patient.emrPatientId,
          kind: 'treatment',
        });
      } catch (err) {
        if (hold) await devices.reservations.release(input.practiceId, hold.reservationId);
        if (roomHold) await roomHolds.repo.release(input.practiceId, roomHold.reservationId);
        if (isEmrError(err) && err.type === 'SlotUnavailable') return { outcome: 'taken', reason: 'slot' };
        throw emrErrorToFailure(err);
      }
      await deps.db
        .insert(appointments)
        .values({
          id: input.appointmentId,
          practiceId: input.practiceId,
          patientId: input.patientId,
          therapistId: input.visit.therapistId,
          locationId: input.visit.locationId,
          externalId: appointment.emrAppointmentId,
          kind: 'treatment',
          startsAt: new Date(appointment.start),
          minutes: input.visitMinutes,
          status: 'booked',
        })
        .onConflictDoNothing();
      return {
        outcome: 'booked',
        appointmentId: input.appointmentId,
        emrAppointmentId: appointment.emrAppointmentId,
        start: appointment.start,
        ...(hold ? { equipmentId: hold.equipmentId } : {}),
        ...(roomHold ? { roomId: roomHold.roomId } : {}),
      };
    },
  };
}

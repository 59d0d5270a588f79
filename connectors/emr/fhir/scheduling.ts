// Scheduling through FHIR: free slots of the therapists' Schedules, booking by claiming the Slot with
// If-Match on its version (of two concurrent bookings exactly one wins; the other sees SlotUnavailable), and
// cancelling, which releases the Slot only while it still carries our booking.
import type { Resource, Slot as FhirSlot } from '@medplum/fhirtypes';
import { EmrNotFound, EmrTransportError, SlotUnavailable } from '../errors.js';
import type { BookingRequest, CancelReason, EmrAppointment, FreeSlot, SlotQuery } from '../types.js';
import { buildAppointment, cancelReasonCodes } from './build.js';
import type { FhirVendorProfile } from './profiles.js';
import {
  identifierValue,
  isVersionConflict,
  minutesBetween,
  refId,
  type FhirResourceClient,
  type Parsed,
} from './resource-client.js';
import * as S from './schemas.js';
import { scheduleFacts, toAppointment } from './to-port.js';

export class FhirScheduling {
  constructor(
    private readonly fhir: FhirResourceClient,
    private readonly profile: FhirVendorProfile,
  ) {}

  async searchFreeSlots(q: SlotQuery): Promise<FreeSlot[]> {
    const limit = q.limit ?? 100;
    const actor = q.therapistId
      ? `actor=Practitioner/${encodeURIComponent(q.therapistId)}`
      : q.locationId
        ? `actor=Location/${encodeURIComponent(q.locationId)}`
        : 'active=true';
    const schedules = (await this.fhir.search(S.Schedule, 'Schedule', actor))
      .filter((s) => s.active !== false)
      .map((s) => ({ id: s.id, ...scheduleFacts(s) }))
      .filter((s) => s.therapistId !== undefined)
      .filter((s) => !q.locationId || s.locationId === q.locationId)
      .filter(
        (s) => !q.specialty || s.specialties.some((x) => x.toLowerCase() === q.specialty?.toLowerCase()),
      );

    const slots: FreeSlot[] = [];
    for (const s of schedules) {
      const query = [
        `schedule=Schedule/${encodeURIComponent(s.id)}`,
        'status=free',
        `start=ge${encodeURIComponent(q.from)}`,
        `start=lt${encodeURIComponent(q.to)}`,
        '_sort=start',
      ].join('&');
      for (const slot of await this.fhir.search(S.Slot, 'Slot', query, limit)) {
        if (slot.status !== 'free') continue; // never trust the server's filter blindly
        if (q.minMinutes && minutesBetween(slot.start, slot.end) < q.minMinutes) continue;
        slots.push({
          slotId: slot.id,
          therapistId: s.therapistId as string,
          ...(s.therapistNpi ? { therapistNpi: s.therapistNpi } : {}),
          ...(s.locationId ? { locationId: s.locationId } : {}),
          specialties: s.specialties,
          start: slot.start,
          end: slot.end,
        });
      }
    }
    return slots.sort((a, b) => Date.parse(a.start) - Date.parse(b.start)).slice(0, limit);
  }

  async bookAppointment(req: BookingRequest): Promise<EmrAppointment> {
    const ids = this.profile.identifierSystems;
    const existing = await this.fhir.findByIdentifier(
      S.Appointment,
      'Appointment',
      ids.appointmentId,
      req.appointmentId,
    );
    if (existing) return toAppointment(this.profile, existing);

    let slot: Parsed<typeof S.Slot>;
    try {
      slot = await this.fhir.read(S.Slot, 'Slot', req.slotId);
    } catch (err) {
      if (err instanceof EmrNotFound) throw new SlotUnavailable();
      throw err;
    }
    const ourClaim = identifierValue(slot.identifier, ids.slotBooking) === req.appointmentId;
    if (slot.status !== 'free' && !ourClaim) throw new SlotUnavailable();
    if (!ourClaim) {
      // Claim the slot first, guarded by its version: of two concurrent bookings exactly one wins.
      const claimed = {
        ...(slot as unknown as FhirSlot),
        status: 'busy',
        identifier: [...(slot.identifier ?? []), { system: ids.slotBooking, value: req.appointmentId }],
      } as FhirSlot & { id: string };
      const res = await this.fhir.put(claimed, slot.meta?.versionId, 'Slot');
      if (isVersionConflict(res.status)) throw new SlotUnavailable();
    }
    const schedule = scheduleFacts(
      await this.fhir.read(S.Schedule, 'Schedule', refId(slot.schedule, 'Schedule') ?? ''),
    );
    const resource = buildAppointment(this.profile, {
      appointmentId: req.appointmentId,
      slotId: slot.id,
      emrPatientId: req.emrPatientId,
      kind: req.kind,
      start: slot.start,
      end: slot.end,
      ...(schedule.therapistId ? { therapistId: schedule.therapistId } : {}),
      ...(schedule.locationId ? { locationId: schedule.locationId } : {}),
    });
    const { emrId } = await this.fhir.createOnce(resource, ids.appointmentId, req.appointmentId);
    return this.getAppointment(emrId);
  }

  async getAppointment(emrAppointmentId: string): Promise<EmrAppointment> {
    return toAppointment(this.profile, await this.fhir.read(S.Appointment, 'Appointment', emrAppointmentId));
  }

  async cancelAppointment(emrAppointmentId: string, reason: CancelReason): Promise<EmrAppointment> {
    const appt = await this.fhir.read(S.Appointment, 'Appointment', emrAppointmentId);
    if (appt.status !== 'cancelled') {
      const next = {
        ...appt,
        status: 'cancelled',
        cancelationReason: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason',
              code: cancelReasonCodes[reason],
            },
          ],
        },
      } as unknown as Resource & { id: string };
      const res = await this.fhir.put(next, appt.meta?.versionId, 'Appointment');
      if (isVersionConflict(res.status)) throw new EmrTransportError('EMR Appointment changed concurrently');
    }
    // Release the slot we claimed (only ours: a slot re-booked by someone else stays busy).
    const slotId = refId(appt.slot?.[0], 'Slot');
    const ourId = identifierValue(appt.identifier, this.profile.identifierSystems.appointmentId);
    if (slotId && ourId) {
      const slot = await this.fhir.read(S.Slot, 'Slot', slotId);
      if (identifierValue(slot.identifier, this.profile.identifierSystems.slotBooking) === ourId) {
        const freed = {
          ...(slot as unknown as FhirSlot),
          status: 'free',
          identifier: (slot.identifier ?? []).filter(
            (i) => i.system !== this.profile.identifierSystems.slotBooking,
          ),
        } as FhirSlot & { id: string };
        if (freed.identifier?.length === 0) delete freed.identifier;
        await this.fhir.put(freed, slot.meta?.versionId, 'Slot');
      }
    }
    return this.getAppointment(emrAppointmentId);
  }
}

// The side effects of missedVisitFollowUp and waitlistFill (issue 18 §1/§2), and the starters the EMR event
// router uses for them: record the miss and assess the episode (domain/visits), search open slots and book in the
// EMR (the EMR's booking is the arbiter: a slot taken in between is a `slot_taken` answer, never a double
// booking), send patient messages through the messaging connector (consent, quiet hours, en/es templates, at most
// once per message id), and rank / fill the waitlist. Every write is idempotent on ids the workflow derives.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { emrErrorToFailure } from '../../connectors/emr/failure.js';
import { isEmrError, type Emr, type FreeSlot } from '../../connectors/emr/types.js';
import { toApplicationFailure } from '../../connectors/messaging/failure.js';
import type { PracticeContact } from '../../connectors/messaging/templates/index.js';
import type { Messaging } from '../../connectors/messaging/types.js';
import type { Database } from '../../db/connection.js';
import type { RepositoryKeys } from '../../db/repositories/keys.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import { createMissedVisitRepository, createWaitlistRepository } from '../../db/repositories/visits.js';
import { locations } from '../../db/schema.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import {
  assessMisses,
  missedVisitRuleOn,
  rankWaitlist,
  type MissAssessment,
  type WaitlistRanking,
} from '../../domain/visits/index.js';
import {
  MISSED_VISIT_WORKFLOW_TYPE,
  WAITLIST_FILL_WORKFLOW_TYPE,
  type MissedVisitInput,
  type MissedVisitWorkflow,
  type WaitlistFillInput,
  type WaitlistFillWorkflow,
} from '../../workflows/visits/messages.js';
import { uuidFromKey } from '../shared/derived-ids.js';
import { startIdempotently } from '../shared/process-starter.js';

export interface VisitActivityDeps {
  db: Database;
  temporal?: Client;
  emr?: Emr;
  messaging?: Messaging;
  keys?: RepositoryKeys;
  practiceContact?: (practiceId: string) => Promise<PracticeContact>;
}

/** What a visit message says: ids and instants only; names, zone and address are read here. */
export type VisitMessageContent =
  | { template: 'visit_rebook_offer'; slots: string[]; locationId: string }
  | { template: 'visit_booked'; startsAt: string; locationId: string }
  | { template: 'waitlist_offer'; startsAt: string; locationId: string; replyMinutes: number }
  | { template: 'waitlist_slot_gone' };

export type VisitMessageInput = {
  messageId: string;
  practiceId: string;
  patientId: string;
  /** The process replies are routed to. */
  workflowId: string;
} & VisitMessageContent;

export type VisitMessageResult =
  | { status: 'sent'; channel: 'sms' | 'email' }
  | { status: 'deferred'; until: string }
  | { status: 'blocked'; reason: 'no_consent' | 'no_address' }
  | { status: 'failed'; errorCode: string | null };

export interface OfferableSlot {
  slotId: string;
  therapistId: string;
  locationId: string;
  start: string;
  end: string;
}

export type BookingAnswer =
  | { booked: true; emrAppointmentId: string; start: string; end: string }
  | { booked: false; reason: 'slot_taken' | 'entry_not_waiting' };

const notConfigured = (what: string) =>
  ApplicationFailure.nonRetryable(`No ${what} is configured for visit follow-up.`, 'ConnectorNotConfigured');

export function createVisitActivities(deps: VisitActivityDeps) {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw notConfigured(what);
    return value;
  };
  const missed = createMissedVisitRepository(deps.db);
  const waitlist = createWaitlistRepository(deps.db);
  const zoneOf = async (practiceId: string) =>
    (await createPracticeRepository(deps.db).get(practiceId))?.timezone ?? 'UTC';
  const emrCall = async <T>(call: (emr: Emr) => Promise<T>): Promise<T> => {
    try {
      return await call(need(deps.emr, 'EMR connector'));
    } catch (err) {
      throw emrErrorToFailure(err);
    }
  };
  const patientOf = async (practiceId: string, patientId: string) => {
    const patient = await createPatientRepository(deps.db, need(deps.keys, 'data keyring')).get(
      practiceId,
      patientId,
    );
    if (!patient) throw ApplicationFailure.nonRetryable('patient not on file', 'PatientNotFound');
    return patient;
  };

  return {
    /** Records the miss (once per EMR appointment), marks our appointment mirror and assesses the episode. */
    async recordMissedVisit(
      input: MissedVisitInput & { workflowId: string },
    ): Promise<MissAssessment & { missedOn: string }> {
      const zone = await zoneOf(input.practiceId);
      const missedOn = localDate(new Date(input.start), zone);
      const rule = missedVisitRuleOn(missedOn);
      await missed.record({
        id: uuidFromKey('missed-visit', input.practiceId, input.emrAppointmentId),
        practiceId: input.practiceId,
        patientId: input.patientId,
        emrAppointmentId: input.emrAppointmentId,
        kind: input.kind,
        ...(input.planOfCareWorkflowId ? { episodeWorkflowId: input.planOfCareWorkflowId } : {}),
        locationId: input.locationId,
        startsAt: new Date(input.start),
        missedOn,
        workflowId: input.workflowId,
      });
      // Without a plan of care the "episode" is the last 90 days (a certification period).
      const dates = await missed.missDates({
        practiceId: input.practiceId,
        patientId: input.patientId,
        ...(input.planOfCareWorkflowId ? { episodeWorkflowId: input.planOfCareWorkflowId } : {}),
        sinceDate: addDays(missedOn, -90),
      });
      return { ...assessMisses(dates, rule), missedOn };
    },

    /** How the follow-up ended, on the miss's row (for the practice's numbers and the process page). */
    async closeMissedVisit(q: {
      practiceId: string;
      emrAppointmentId: string;
      outcome: 'rebooked' | 'front_desk';
      rebookedEmrAppointmentId?: string;
    }): Promise<void> {
      await missed.setOutcome(q.practiceId, q.emrAppointmentId, q.outcome, q.rebookedEmrAppointmentId);
    },

    /**
     * Open slots to offer after a miss: the same therapist first (continuity), then others at the location, at
     * least `minLeadHours` ahead, each as long as the missed visit.
     */
    async openSlotsForRebooking(q: {
      therapistId: string;
      locationId: string;
      minutes: number;
      count: number;
      from: string;
      days: number;
    }): Promise<OfferableSlot[]> {
      const to = new Date(Date.parse(q.from) + q.days * 86_400_000).toISOString();
      const search = (therapistId?: string) =>
        emrCall((emr) =>
          emr.searchFreeSlots({
            from: q.from,
            to,
            locationId: q.locationId,
            minMinutes: q.minutes,
            limit: 50,
            ...(therapistId ? { therapistId } : {}),
          }),
        );
      const own = await search(q.therapistId);
      const picked: FreeSlot[] = own.slice(0, q.count);
      if (picked.length < q.count) {
        for (const s of await search()) {
          if (picked.length >= q.count) break;
          if (!picked.some((p) => p.slotId === s.slotId || p.start === s.start)) picked.push(s);
        }
      }
      return picked
        .sort((a, b) => a.start.localeCompare(b.start))
        .map((s) => ({
          slotId: s.slotId,
          therapistId: s.therapistId,
          locationId: s.locationId ?? q.locationId,
          start: s.start,
          end: s.end,
        }));
    },

    /**
     * Books a slot in the EMR for the patient under our appointment id (idempotent). The EMR decides: a slot
     * taken since it was offered is `slot_taken`, so two confirmations can never both hold the slot.
     */
    async bookVisitSlot(q: {
      practiceId: string;
      patientId: string;
      appointmentId: string;
      slotId: string;
      kind: 'evaluation' | 'treatment' | 're-evaluation' | 'discharge';
      /**
       * A waitlist offer's entry: booked only while it is still waiting. A patient the front desk took off the
       * list, or who got another freed slot meanwhile, is not booked on a late YES.
       */
      waitlistEntryId?: string;
    }): Promise<BookingAnswer> {
      if (q.waitlistEntryId !== undefined) {
        const entry = await waitlist.get(q.practiceId, q.waitlistEntryId);
        if (entry?.status !== 'waiting') return { booked: false, reason: 'entry_not_waiting' };
      }
      const patient = await patientOf(q.practiceId, q.patientId);
      if (!patient.emrPatientId)
        throw ApplicationFailure.nonRetryable('patient has no EMR id', 'PatientNotInEmr');
      const emr = need(deps.emr, 'EMR connector');
      try {
        const appt = await emr.bookAppointment({
          appointmentId: q.appointmentId,
          slotId: q.slotId,
          emrPatientId: patient.emrPatientId,
          kind: q.kind,
        });
        return { booked: true, emrAppointmentId: appt.emrAppointmentId, start: appt.start, end: appt.end };
      } catch (err) {
        if (isEmrError(err) && err.type === 'SlotUnavailable') return { booked: false, reason: 'slot_taken' };
        throw emrErrorToFailure(err);
      }
    },

    /** One patient message through the messaging connector (consent, quiet hours, once per message id). */
    async sendVisitMessage(input: VisitMessageInput): Promise<VisitMessageResult> {
      const patient = await patientOf(input.practiceId, input.patientId);
      const channel = patient.preferredChannel;
      const to = channel === 'sms' ? patient.demographics.phone : patient.demographics.email;
      if (!to) return { status: 'blocked', reason: 'no_address' };
      const contact = await need(deps.practiceContact, 'practice contact')(input.practiceId);
      const firstName = patient.demographics.given[0];
      const common = {
        practiceName: contact.practiceName,
        practicePhone: contact.practicePhone,
        ...(firstName && firstName.length <= 24 ? { firstName } : {}),
      };
      const where = async (locationId: string) => {
        const [row] = await deps.db
          .select({ name: locations.name, timezone: locations.timezone })
          .from(locations)
          .where(and(eq(locations.id, locationId), eq(locations.practiceId, input.practiceId)));
        return {
          locationName: (row?.name ?? 'our clinic').slice(0, 40),
          timeZone: row?.timezone ?? patient.timezone,
        };
      };
      let params: Record<string, unknown>;
      switch (input.template) {
        case 'visit_rebook_offer':
          params = { ...common, ...(await where(input.locationId)), slots: input.slots };
          break;
        case 'visit_booked':
          params = { ...common, ...(await where(input.locationId)), startsAt: input.startsAt };
          break;
        case 'waitlist_offer':
          params = {
            ...common,
            ...(await where(input.locationId)),
            startsAt: input.startsAt,
            replyMinutes: input.replyMinutes,
          };
          break;
        case 'waitlist_slot_gone':
          params = common;
          break;
      }
      try {
        const sent = await need(deps.messaging, 'messaging connector').send({
          messageId: input.messageId,
          practiceId: input.practiceId,
          patientId: input.patientId,
          channel,
          to,
          template: input.template,
          language: patient.language,
          params,
          timeZone: patient.timezone,
          context: { workflowId: input.workflowId },
        });
        switch (sent.status) {
          case 'sent':
            return { status: 'sent', channel };
          case 'deferred':
            return { status: 'deferred', until: sent.deferredUntil };
          case 'blocked_no_consent':
            return { status: 'blocked', reason: 'no_consent' };
          case 'failed':
            return { status: 'failed', errorCode: sent.errorCode };
        }
      } catch (err) {
        throw toApplicationFailure(err);
      }
    },

    /** The EMR's id of the freed slot, while it is still free (undefined: someone booked it meanwhile). */
    async freedSlotId(q: {
      therapistId: string;
      locationId: string;
      start: string;
      end: string;
    }): Promise<string | undefined> {
      const minutes = Math.round((Date.parse(q.end) - Date.parse(q.start)) / 60_000);
      const free = await emrCall((emr) =>
        emr.searchFreeSlots({
          from: q.start,
          to: new Date(Date.parse(q.start) + 60_000).toISOString(),
          therapistId: q.therapistId,
          locationId: q.locationId,
          minMinutes: minutes,
          limit: 5,
        }),
      );
      return free.find((s) => Date.parse(s.start) === Date.parse(q.start))?.slotId;
    },

    /** The waitlist for a freed slot in the fair order (domain/visits `rankWaitlist`), with its explanations. */
    async rankWaitlistForSlot(q: WaitlistFillInput): Promise<WaitlistRanking> {
      const zone = await zoneOf(q.practiceId);
      const entries = await waitlist.waiting(q.practiceId, q.locationId);
      return rankWaitlist(
        entries.map((e) => ({
          entryId: e.id,
          patientId: e.patientId,
          locationId: e.locationId,
          ...(e.therapistId ? { therapistId: e.therapistId } : {}),
          acuity: Math.min(3, Math.max(1, e.acuity)) as 1 | 2 | 3,
          ...(e.authorizationEndsOn ? { authorizationEndsOn: e.authorizationEndsOn } : {}),
          minutes: e.minutes,
          waitingSince: e.createdAt.toISOString(),
        })),
        {
          locationId: q.locationId,
          therapistId: q.therapistId,
          start: q.start,
          end: q.end,
          date: localDate(new Date(q.start), zone),
          ...(q.freedByPatientId ? { freedByPatientId: q.freedByPatientId } : {}),
        },
      );
    },

    /** The entry got the slot (what `waitlistFills` counts). */
    async recordWaitlistFill(q: {
      practiceId: string;
      entryId: string;
      emrAppointmentId: string;
      slotStart: string;
      workflowId: string;
    }): Promise<void> {
      await waitlist.markFilled({ ...q, slotStart: new Date(q.slotStart), at: new Date() });
    },

    /**
     * A patient the EMR waitlisted (issue 18 §2) joins our waitlist with source `emr`. The entry's id derives
     * from the practice and the EMR appointment, so a redelivered event adds nothing (`already_recorded`); a
     * patient already waiting at the location for the same therapist keeps that entry (`already_waiting`).
     */
    async addWaitlistEntryFromEvent(q: {
      practiceId: string;
      patientId: string;
      emrAppointmentId: string;
      locationId: string;
      therapistId: string | null;
      minutes: number;
      acuity: number;
    }): Promise<{ entryId: string; outcome: 'added' | 'already_recorded' | 'already_waiting' }> {
      const id = uuidFromKey('waitlist-emr', q.practiceId, q.emrAppointmentId);
      const { row, created } = await waitlist.add({
        id,
        practiceId: q.practiceId,
        patientId: q.patientId,
        locationId: q.locationId,
        ...(q.therapistId ? { therapistId: q.therapistId } : {}),
        acuity: Math.min(3, Math.max(1, Math.round(q.acuity))) as 1 | 2 | 3,
        minutes: q.minutes,
        source: 'emr',
      });
      return {
        entryId: row.id,
        outcome: created ? 'added' : row.id === id ? 'already_recorded' : 'already_waiting',
      };
    },

    /** The EMR router's start of a missed-visit follow-up: one per practice and EMR appointment. */
    async startMissedVisitFromEvent(input: Omit<MissedVisitInput, 'followUpId'>): Promise<string> {
      const followUpId = uuidFromKey('missed-visit', input.practiceId, input.emrAppointmentId);
      return startIdempotently<MissedVisitWorkflow>(need(deps.temporal, 'Temporal client'), {
        taskQueue: Context.current().info.taskQueue,
        kind: 'missed',
        processKind: 'missedVisit',
        id: followUpId,
        workflow: MISSED_VISIT_WORKFLOW_TYPE,
        args: [{ ...input, followUpId }],
        practiceId: input.practiceId,
        patientId: input.patientId,
      });
    },

    /** The EMR router's start of a waitlist fill for a freed slot: one per practice, therapist and start. */
    async startWaitlistFillFromEvent(input: Omit<WaitlistFillInput, 'fillId'>): Promise<string> {
      const fillId = uuidFromKey('waitlist-fill', input.practiceId, input.therapistId, input.start);
      return startIdempotently<WaitlistFillWorkflow>(need(deps.temporal, 'Temporal client'), {
        taskQueue: Context.current().info.taskQueue,
        kind: 'waitfill',
        processKind: 'waitlistFill',
        id: fillId,
        workflow: WAITLIST_FILL_WORKFLOW_TYPE,
        args: [{ ...input, fillId }],
        practiceId: input.practiceId,
      });
    },
  };
}

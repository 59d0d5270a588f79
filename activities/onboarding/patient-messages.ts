// sendPatientMessage: one patient message through the messaging connector, which enforces consent and quiet
// hours and sends at most once per message id (the workflow derives the id from its step). The address,
// channel, language and greeting come from our encrypted mirror, so the workflow input of this activity
// carries ids and a template only.
import { ApplicationFailure } from '@temporalio/activity';
import { and, eq } from 'drizzle-orm';
import { toApplicationFailure } from '../../connectors/messaging/failure.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { locations } from '../../db/schema.js';
import type { OnboardingActivityDeps } from './deps.js';

interface MessageBase {
  messageId: string;
  practiceId: string;
  patientId: string;
  /** The process the message belongs to (replies are routed back by it). */
  workflowId: string;
}

/** What to send: a secure-link template, or the appointment reminder. */
export type PatientMessageContent =
  | { template: 'intake_link' | 'form_reminder' | 'insurance_update_request'; link: string }
  | {
      template: 'appointment_reminder';
      /** Opaque ids only; the location's name and zone are read here. */
      appointment: { appointmentId: string; startsAt: string; locationId?: string };
    };

export type PatientMessageInput = MessageBase & PatientMessageContent;

export type PatientMessageResult =
  | { status: 'sent'; duplicate: boolean }
  /** Quiet hours: the workflow sleeps durably until then and sends again with the same id. */
  | { status: 'deferred'; until: string }
  | { status: 'blocked'; reason: 'no_consent' | 'no_address' }
  | { status: 'failed'; errorCode: string | null };

export function createMessageActivities(deps: OnboardingActivityDeps) {
  const patients = createPatientRepository(deps.db, deps.keys);

  /** Where the appointment is: the reminder names the clinic and shows the time in the clinic's zone. */
  const location = async (practiceId: string, locationId: string | undefined, fallbackZone: string) => {
    const [row] = locationId
      ? await deps.db
          .select({ name: locations.name, timezone: locations.timezone })
          .from(locations)
          .where(and(eq(locations.id, locationId), eq(locations.practiceId, practiceId)))
      : [];
    return { name: (row?.name ?? 'our clinic').slice(0, 40), timezone: row?.timezone ?? fallbackZone };
  };

  return {
    async sendPatientMessage(input: PatientMessageInput): Promise<PatientMessageResult> {
      const patient = await patients.get(input.practiceId, input.patientId);
      if (!patient) throw ApplicationFailure.nonRetryable('patient not on file', 'OnboardingDataMissing');
      const channel = patient.preferredChannel;
      const to = channel === 'sms' ? patient.demographics.phone : patient.demographics.email;
      if (!to) return { status: 'blocked', reason: 'no_address' };
      const contact = await deps.practiceContact(input.practiceId);
      const firstName = patient.demographics.given[0];
      const common = {
        practiceName: contact.practiceName,
        practicePhone: contact.practicePhone,
        ...(firstName && firstName.length <= 24 ? { firstName } : {}),
      };
      let params: Record<string, string>;
      let appointmentId: string | undefined;
      if (input.template === 'appointment_reminder') {
        const where = await location(input.practiceId, input.appointment.locationId, patient.timezone);
        params = {
          ...common,
          startsAt: input.appointment.startsAt,
          timeZone: where.timezone,
          locationName: where.name,
        };
        appointmentId = input.appointment.appointmentId;
      } else {
        params = { ...common, link: input.link };
      }
      try {
        const sent = await deps.messaging.send({
          messageId: input.messageId,
          practiceId: input.practiceId,
          patientId: input.patientId,
          channel,
          to,
          template: input.template,
          language: patient.language,
          params,
          timeZone: patient.timezone,
          context: { workflowId: input.workflowId, ...(appointmentId ? { appointmentId } : {}) },
        });
        switch (sent.status) {
          case 'sent':
            return { status: 'sent', duplicate: sent.duplicate };
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
  };
}

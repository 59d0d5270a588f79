// sendPatientMessage: one patient message through the messaging connector, which enforces consent and quiet
// hours and sends at most once per message id (the workflow derives the id from its step). The address,
// channel, language and greeting come from our encrypted mirror, so the workflow input of this activity
// carries ids and a template only.
import { ApplicationFailure } from '@temporalio/activity';
import { toApplicationFailure } from '../../connectors/messaging/failure.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import type { OnboardingActivityDeps } from './deps.js';

export interface PatientMessageInput {
  messageId: string;
  practiceId: string;
  patientId: string;
  template: 'intake_link' | 'form_reminder' | 'insurance_update_request';
  link: string;
  /** The process the message belongs to (replies are routed back by it). */
  workflowId: string;
}

export type PatientMessageResult =
  | { status: 'sent'; duplicate: boolean }
  /** Quiet hours: the workflow sleeps durably until then and sends again with the same id. */
  | { status: 'deferred'; until: string }
  | { status: 'blocked'; reason: 'no_consent' | 'no_address' }
  | { status: 'failed'; errorCode: string | null };

export function createMessageActivities(deps: OnboardingActivityDeps) {
  const patients = createPatientRepository(deps.db, deps.keys);

  return {
    async sendPatientMessage(input: PatientMessageInput): Promise<PatientMessageResult> {
      const patient = await patients.get(input.practiceId, input.patientId);
      if (!patient) throw ApplicationFailure.nonRetryable('patient not on file', 'OnboardingDataMissing');
      const channel = patient.preferredChannel;
      const to = channel === 'sms' ? patient.demographics.phone : patient.demographics.email;
      if (!to) return { status: 'blocked', reason: 'no_address' };
      const contact = await deps.practiceContact(input.practiceId);
      const firstName = patient.demographics.given[0];
      try {
        const r = await deps.messaging.send({
          messageId: input.messageId,
          practiceId: input.practiceId,
          patientId: input.patientId,
          channel,
          to,
          template: input.template,
          language: patient.language,
          params: {
            practiceName: contact.practiceName,
            practicePhone: contact.practicePhone,
            ...(firstName && firstName.length <= 24 ? { firstName } : {}),
            link: input.link,
          },
          timeZone: patient.timezone,
          context: { workflowId: input.workflowId },
        });
        switch (r.status) {
          case 'sent':
            return { status: 'sent', duplicate: r.duplicate };
          case 'deferred':
            return { status: 'deferred', until: r.deferredUntil };
          case 'blocked_no_consent':
            return { status: 'blocked', reason: 'no_consent' };
          case 'failed':
            return { status: 'failed', errorCode: r.errorCode };
        }
      } catch (err) {
        throw toApplicationFailure(err);
      }
    },
  };
}

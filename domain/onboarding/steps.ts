// Deterministic per-step keys of an onboarding: message ids (the messaging connector sends at most once per
// id) and the evaluation search window. Pure; the workflow passes its clock in.
import { addDays } from '../core/dates.js';
import { localDate } from '../core/zoned.js';

export type OnboardingMessageStep =
  | { kind: 'intake_link' }
  | { kind: 'form_reminder'; n: number }
  | { kind: 'insurance_update_request'; coverageIndex: number; round: number }
  | { kind: 'appointment_reminder' };

export function onboardingMessageId(onboardingId: string, step: OnboardingMessageStep): string {
  switch (step.kind) {
    case 'intake_link':
      return `onboarding:${onboardingId}:intake`;
    case 'form_reminder':
      return `onboarding:${onboardingId}:form-reminder-${step.n}`;
    case 'insurance_update_request':
      return `onboarding:${onboardingId}:insurance-${step.coverageIndex}-${step.round}`;
    case 'appointment_reminder':
      return `onboarding:${onboardingId}:appointment-reminder`;
  }
}

/** Local dates of the evaluation search: from today + lead days, spanning `searchDays`. */
export function evaluationWindow(
  now: Date,
  timeZone: string,
  leadDays: number,
  searchDays: number,
): { earliestDate: string; latestDate: string } {
  const today = localDate(now, timeZone);
  const earliestDate = addDays(today, leadDays);
  return { earliestDate, latestDate: addDays(earliestDate, searchDays - 1) };
}

// Locale formatting shared by the template languages.
import type { Language } from './params.js';

const locales: Record<Language, string> = { en: 'en-US', es: 'es-US' };

/** "Tue, Mar 10, 9:30 AM" / "mar, 10 de mar, 9:30 a.m." in the appointment's own zone. */
export function formatAppointmentTime(startsAt: string, timeZone: string, language: Language): string {
  return new Intl.DateTimeFormat(locales[language], {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(startsAt));
}

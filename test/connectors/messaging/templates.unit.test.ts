import { describe, expect, it } from 'vitest';
import {
  languages,
  MessagingInvalidRequest,
  renderReply,
  renderTemplate,
  SMS_MAX_CHARS,
  templateAudience,
  templateIds,
  templateParamSchemas,
} from '../../../connectors/messaging/index.js';

// Every parameter at its maximum length: the SMS limit must hold for the worst case, not the demo case.
const longest: Record<string, string | number> = {
  practiceName: 'P'.repeat(40),
  practicePhone: '+1 (555) 555-01000',
  firstName: 'F'.repeat(24),
  link: 'https://' + 'l'.repeat(92),
  startsAt: '2026-09-30T14:30:00-05:00',
  timeZone: 'America/Argentina/ComodRivadavia',
  locationName: 'L'.repeat(40),
  recipientName: 'R'.repeat(40),
  reference: 'X'.repeat(24),
  digestDate: '2026-09-30',
  ...Object.fromEntries(
    ['FrontDesk', 'Therapist', 'Biller', 'Admin'].flatMap((r) => [
      [`open${r}`, 1_000_000],
      [`overdue${r}`, 1_000_000],
    ]),
  ),
  needsAttention: 1_000_000,
};
// Values that are not strings: the rebooking offer's three slots, the waitlist offer's reply window.
const longestValues: Record<string, unknown> = {
  ...longest,
  slots: ['2026-09-30T14:30:00-05:00', '2026-10-01T09:15:00-05:00', '2026-10-02T16:45:00-05:00'],
  replyMinutes: 10_080,
};
const paramsFor = (t: (typeof templateIds)[number], values: Record<string, unknown>) =>
  Object.fromEntries(Object.keys(templateParamSchemas[t].shape).map((k) => [k, values[k]]));

describe('templates', () => {
  it('cover the eleven message kinds', () => {
    expect(templateIds.sort()).toEqual([
      'appointment_reminder',
      'form_reminder',
      'insurance_update_request',
      'intake_link',
      'physician_report_notice',
      'staff_digest',
      'statement',
      'visit_booked',
      'visit_rebook_offer',
      'waitlist_offer',
      'waitlist_slot_gone',
    ]);
  });

  for (const t of templateIds) {
    for (const lang of languages) {
      it(`${t} renders in ${lang} within ${SMS_MAX_CHARS} characters at maximum parameter lengths`, () => {
        const out = renderTemplate(t, lang, paramsFor(t, longestValues));
        expect(out.sms.length).toBeLessThanOrEqual(SMS_MAX_CHARS);
        expect(out.sms.startsWith('P'.repeat(40))).toBe(true);
        // Staff digests go to the practice's own people by e-mail: no patient opt-out line.
        if (templateAudience[t] !== 'staff') expect(out.sms).toContain('STOP');
        expect(out.subject.length).toBeGreaterThan(5);
        if ('link' in templateParamSchemas[t].shape) expect(out.text).toContain(longest.link);
        expect(out.subject).not.toContain('F'.repeat(24)); // no name in a subject line
      });
    }
  }

  it('appointment reminders ask for CONFIRM/CANCEL in the patient language and zone', () => {
    const p = {
      practiceName: 'Riverside PT',
      practicePhone: '+1 555 555 0100',
      startsAt: '2026-03-10T14:30:00Z',
      timeZone: 'America/Chicago',
      locationName: 'Downtown',
    };
    const en = renderTemplate('appointment_reminder', 'en', p).sms;
    const es = renderTemplate('appointment_reminder', 'es', p).sms;
    expect(en).toContain('Reply CONFIRM to confirm or CANCEL to cancel');
    expect(en).toContain('9:30'); // 14:30Z is 09:30 CDT
    expect(es).toContain('CONFIRMAR');
    expect(es).toContain('CANCELAR');
    expect(es).toMatch(/mar/);
  });

  it('reject bad parameters with paths and codes only, never the values', () => {
    const canary = 'ZZCANARY-3 Garcia';
    const attempt = () =>
      renderTemplate('intake_link', 'en', {
        practiceName: 'Riverside PT',
        practicePhone: '+1 555 555 0100',
        firstName: canary.repeat(5),
        link: 'http://insecure.example/form',
        diagnosis: 'M54.5',
      });
    expect(attempt).toThrow(MessagingInvalidRequest);
    try {
      attempt();
    } catch (err) {
      const e = err as MessagingInvalidRequest;
      expect(e.retryable).toBe(false);
      expect(JSON.stringify({ m: e.message, i: e.issues })).not.toContain('ZZCANARY');
      expect(e.issues.map((i) => i.path).sort()).toEqual(['', 'firstName', 'link']);
    }
  });

  it('reject unknown templates', () => {
    expect(() => renderTemplate('lab_results', 'en', {})).toThrow(MessagingInvalidRequest);
  });

  it('render keyword replies in both languages', () => {
    const practice = { practiceName: 'Riverside PT', practicePhone: '+1 555 555 0100' };
    for (const lang of languages) {
      for (const kind of [
        'help',
        'optedOut',
        'optedIn',
        'appointmentConfirmed',
        'appointmentCancelled',
      ] as const) {
        const text = renderReply(kind, lang, practice);
        expect(text.startsWith('Riverside PT:')).toBe(true);
        expect(text.length).toBeLessThanOrEqual(SMS_MAX_CHARS);
      }
    }
    expect(renderReply('help', 'en', practice)).toContain('STOP');
  });
});

// Template ids and their parameter schemas. Parameters are deliberately administrative only (minimum
// necessary, 45 CFR 164.502(b)): practice and location names, a first name for the greeting, a time, a
// secure link. There is no field for a diagnosis, procedure, provider specialty or amount owed, so no caller
// can put clinical or financial detail into a text message by accident.
import { z } from 'zod';

const shortText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // No control characters: they would break SMS encoding and mail headers.
    .regex(/^[^\p{Cc}]+$/u);

/** Secure links only: the page behind it authenticates the patient before showing anything. */
const secureLink = z.url({ protocol: /^https$/ }).max(100);

const practice = {
  practiceName: shortText(40),
  practicePhone: z.string().regex(/^\+?[0-9 ().-]{7,20}$/),
};
const greeting = { firstName: shortText(24).optional() };
const count = z.number().int().min(0).max(1_000_000);
/** Open and overdue worklist tasks per role, and running processes that need attention. */
const digestCounts = {
  openFrontDesk: count,
  overdueFrontDesk: count,
  openTherapist: count,
  overdueTherapist: count,
  openBiller: count,
  overdueBiller: count,
  openAdmin: count,
  overdueAdmin: count,
  needsAttention: count,
};

export const templateParamSchemas = {
  intake_link: z.strictObject({ ...practice, ...greeting, link: secureLink }),
  form_reminder: z.strictObject({ ...practice, ...greeting, link: secureLink }),
  appointment_reminder: z.strictObject({
    ...practice,
    ...greeting,
    /** ISO instant of the appointment; rendered in `timeZone` in the patient's language. */
    startsAt: z.iso.datetime({ offset: true }),
    timeZone: z.string().min(1).max(64),
    locationName: shortText(40),
  }),
  insurance_update_request: z.strictObject({ ...practice, ...greeting, link: secureLink }),
  /** After a missed visit (issue 18 §1): up to three open slots, answered by replying 1, 2 or 3. */
  visit_rebook_offer: z.strictObject({
    ...practice,
    ...greeting,
    slots: z
      .array(z.iso.datetime({ offset: true }))
      .min(1)
      .max(3),
    timeZone: z.string().min(1).max(64),
    locationName: shortText(40),
  }),
  /** The new appointment a reply booked (missed-visit rebooking or a waitlist offer). */
  visit_booked: z.strictObject({
    ...practice,
    ...greeting,
    startsAt: z.iso.datetime({ offset: true }),
    timeZone: z.string().min(1).max(64),
    locationName: shortText(40),
  }),
  /** A freed slot offered to a waiting patient (issue 18 §2): YES takes it while the offer lasts. */
  waitlist_offer: z.strictObject({
    ...practice,
    ...greeting,
    startsAt: z.iso.datetime({ offset: true }),
    timeZone: z.string().min(1).max(64),
    locationName: shortText(40),
    replyMinutes: z.number().int().min(1).max(10_080),
  }),
  /** The offered slot went to someone else, or the offer lapsed: the patient stays on the waitlist. */
  waitlist_slot_gone: z.strictObject({ ...practice, ...greeting }),
  statement: z.strictObject({ ...practice, ...greeting, link: secureLink }),
  /** Addressed to the referring practitioner's office: no patient identifiers, only an opaque reference. */
  physician_report_notice: z.strictObject({
    ...practice,
    recipientName: shortText(40),
    reference: z.string().regex(/^[A-Za-z0-9-]{4,24}$/),
    link: secureLink,
  }),
  /**
   * The daily staff digest (to practice staff, not patients): counts and a link to the worklist only — no
   * patient, no claim, no appointment is named, so a forwarded or misdirected digest discloses nothing.
   */
  staff_digest: z.strictObject({
    practiceName: practice.practiceName,
    /** The practice-local day the digest covers (YYYY-MM-DD). */
    digestDate: z.iso.date(),
    ...digestCounts,
    /** Where staff sign in to see the items (the Temporal UI filtered to the practice, or the worklist). */
    link: z
      .url({ protocol: /^https?$/ })
      .max(300)
      .optional(),
  }),
} as const;

export type TemplateId = keyof typeof templateParamSchemas;
export const templateIds = Object.keys(templateParamSchemas) as TemplateId[];
export type TemplateParams<T extends TemplateId> = z.infer<(typeof templateParamSchemas)[T]>;

/**
 * Who a template speaks to: patients need channel consent; a practitioner's office is B2B correspondence;
 * staff messages go to the practice's own people (no consent, no patient quiet hours).
 */
export const templateAudience: Record<TemplateId, 'patient' | 'practitioner' | 'staff'> = {
  intake_link: 'patient',
  form_reminder: 'patient',
  appointment_reminder: 'patient',
  insurance_update_request: 'patient',
  visit_rebook_offer: 'patient',
  visit_booked: 'patient',
  waitlist_offer: 'patient',
  waitlist_slot_gone: 'patient',
  statement: 'patient',
  physician_report_notice: 'practitioner',
  staff_digest: 'staff',
};

/** Templates whose SMS invites a CONFIRM/CANCEL reply (keyword precedence depends on it). */
export const expectsAppointmentReply = (t: string): boolean => t === 'appointment_reminder';

/**
 * Templates whose SMS invites a reply a process waits for (issue 18): a slot number (1–3) for a rebooking
 * offer, YES/NO for a waitlist offer. The reply is routed to the process named in the message context.
 */
export const expectsProcessReply = (t: string): 'slot_number' | 'yes_no' | undefined =>
  t === 'visit_rebook_offer' ? 'slot_number' : t === 'waitlist_offer' ? 'yes_no' : undefined;

export const languages = ['en', 'es'] as const;
export type Language = (typeof languages)[number];

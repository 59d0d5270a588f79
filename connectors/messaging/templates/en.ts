// English texts. Every SMS names the practice first (recipients must know who is texting) and ends with the
// opt-out instruction; none says why the patient is seen.
import type { TemplateId, TemplateParams } from './params.js';
import type { PracticeContact, RenderedMessage } from './types.js';
import { formatAppointmentTime } from './format.js';

const hi = (firstName?: string) => (firstName ? `Hi ${firstName}, ` : '');
const dear = (firstName?: string) => (firstName ? `Hi ${firstName},` : 'Hello,');
const stop = 'Reply STOP to opt out.';
const signature = (p: PracticeContact) => `\n\n${p.practiceName}\n${p.practicePhone}\n`;

type Renderers = { [T in TemplateId]: (p: TemplateParams<T>) => RenderedMessage };

export const en: Renderers = {
  intake_link: (p) => ({
    sms: `${p.practiceName}: ${hi(p.firstName)}please complete your new-patient forms before your first visit: ${p.link} Questions? ${p.practicePhone}. ${stop}`,
    subject: `Your new-patient forms from ${p.practiceName}`,
    text: `${dear(p.firstName)}\n\nPlease complete your new-patient forms before your first visit:\n${p.link}\n\nThe link opens our secure form page. Questions? Call us at ${p.practicePhone}.${signature(p)}`,
  }),
  form_reminder: (p) => ({
    sms: `${p.practiceName}: ${hi(p.firstName)}a reminder that your forms are not finished yet: ${p.link} Questions? ${p.practicePhone}. ${stop}`,
    subject: `Reminder: please finish your forms for ${p.practiceName}`,
    text: `${dear(p.firstName)}\n\nYour forms are not finished yet. Completing them before your visit saves time at check-in:\n${p.link}\n\nQuestions? Call us at ${p.practicePhone}.${signature(p)}`,
  }),
  appointment_reminder: (p) => {
    const when = formatAppointmentTime(p.startsAt, p.timeZone, 'en');
    return {
      sms: `${p.practiceName}: ${hi(p.firstName)}your appointment is ${when} at ${p.locationName}. Reply CONFIRM to confirm or CANCEL to cancel. To reschedule call ${p.practicePhone}. ${stop}`,
      subject: `Appointment reminder from ${p.practiceName}`,
      text: `${dear(p.firstName)}\n\nThis is a reminder of your appointment on ${when} at ${p.locationName}.\n\nTo confirm or cancel, reply to our text message with CONFIRM or CANCEL, or call us at ${p.practicePhone}.${signature(p)}`,
    };
  },
  insurance_update_request: (p) => ({
    sms: `${p.practiceName}: ${hi(p.firstName)}we could not verify your insurance. Please update it here: ${p.link} or call ${p.practicePhone}. ${stop}`,
    subject: `Please update your insurance information for ${p.practiceName}`,
    text: `${dear(p.firstName)}\n\nWe could not verify the insurance we have on file for you. Please review and update it on our secure page:\n${p.link}\n\nOr call us at ${p.practicePhone}.${signature(p)}`,
  }),
  visit_rebook_offer: (p) => {
    const list = p.slots.map((s, i) => `${i + 1}) ${formatAppointmentTime(s, p.timeZone, 'en')}`).join(' ');
    const keys = p.slots.map((_, i) => String(i + 1)).join('/');
    return {
      sms: `${p.practiceName}: ${hi(p.firstName)}we missed you at your appointment. Open times at ${p.locationName}: ${list}. Reply ${keys} to book, or call ${p.practicePhone}. ${stop}`,
      subject: `Let's find you a new appointment at ${p.practiceName}`,
      text: `${dear(p.firstName)}\n\nWe missed you at your appointment. These times are open at ${p.locationName}:\n${p.slots.map((s, i) => `  ${i + 1}) ${formatAppointmentTime(s, p.timeZone, 'en')}`).join('\n')}\n\nTo book one, reply to our text message with its number, or call us at ${p.practicePhone}.${signature(p)}`,
    };
  },
  visit_booked: (p) => {
    const when = formatAppointmentTime(p.startsAt, p.timeZone, 'en');
    return {
      sms: `${p.practiceName}: ${hi(p.firstName)}you are booked for ${when} at ${p.locationName}. To change it call ${p.practicePhone}. ${stop}`,
      subject: `Your appointment at ${p.practiceName}`,
      text: `${dear(p.firstName)}\n\nYou are booked for ${when} at ${p.locationName}.\n\nTo change it, call us at ${p.practicePhone}.${signature(p)}`,
    };
  },
  waitlist_offer: (p) => {
    const when = formatAppointmentTime(p.startsAt, p.timeZone, 'en');
    return {
      sms: `${p.practiceName}: ${hi(p.firstName)}an earlier time opened up: ${when} at ${p.locationName}. Reply YES within ${p.replyMinutes} min to take it (first to reply gets it), NO to pass. ${stop}`,
      subject: `An earlier appointment opened up at ${p.practiceName}`,
      text: `${dear(p.firstName)}\n\nAn earlier time opened up: ${when} at ${p.locationName}. The first person on our waitlist to reply YES to our text message within ${p.replyMinutes} minutes gets it; or call us at ${p.practicePhone}.${signature(p)}`,
    };
  },
  waitlist_slot_gone: (p) => ({
    sms: `${p.practiceName}: ${hi(p.firstName)}the time we offered is no longer available. You stay on our waitlist and we will text you when another opens up. ${stop}`,
    subject: `The offered time at ${p.practiceName} is no longer available`,
    text: `${dear(p.firstName)}\n\nThe time we offered is no longer available. You stay on our waitlist and we will let you know when another time opens up.${signature(p)}`,
  }),
  statement: (p) => ({
    sms: `${p.practiceName}: ${hi(p.firstName)}you have a new statement. View it securely: ${p.link} Questions? ${p.practicePhone}. ${stop}`,
    subject: `New statement from ${p.practiceName}`,
    text: `${dear(p.firstName)}\n\nA new statement is available. View it on our secure page:\n${p.link}\n\nQuestions about your bill? Call us at ${p.practicePhone}.${signature(p)}`,
  }),
  physician_report_notice: (p) => ({
    sms: `${p.practiceName}: a therapy report (ref ${p.reference}) is ready for ${p.recipientName}: ${p.link} Questions? ${p.practicePhone}. ${stop}`,
    subject: `Therapy report ready (ref ${p.reference})`,
    text: `Dear ${p.recipientName},\n\nA therapy report for one of your patients is ready in our secure portal (reference ${p.reference}):\n${p.link}\n\nQuestions? Call us at ${p.practicePhone}.${signature(p)}`,
  }),
  staff_digest: (p) => ({
    sms: `${p.practiceName} digest ${p.digestDate}: ${p.openFrontDesk + p.openTherapist + p.openBiller + p.openAdmin} open tasks (${p.overdueFrontDesk + p.overdueTherapist + p.overdueBiller + p.overdueAdmin} overdue), ${p.needsAttention} processes need attention.`,
    subject: `${p.practiceName}: staff digest for ${p.digestDate}`,
    text: `Staff digest for ${p.digestDate}\n\nOpen tasks (overdue) by role:\n  Front desk  ${p.openFrontDesk} (${p.overdueFrontDesk})\n  Therapists  ${p.openTherapist} (${p.overdueTherapist})\n  Billing     ${p.openBiller} (${p.overdueBiller})\n  Admin       ${p.openAdmin} (${p.overdueAdmin})\n\nProcesses needing attention: ${p.needsAttention}\n${p.link ? `\nOpen them here (sign-in required):\n${p.link}\n` : ''}\nThis digest holds counts only, never patient details.\n\n${p.practiceName}\n`,
  }),
};

export const enReplies = {
  help: (p: PracticeContact) =>
    `${p.practiceName}: appointment and paperwork messages. Call ${p.practicePhone} for help. Msg & data rates may apply. Reply STOP to opt out.`,
  optedOut: (p: PracticeContact) =>
    `${p.practiceName}: you will no longer receive text messages from us. Reply START to opt back in.`,
  optedIn: (p: PracticeContact) =>
    `${p.practiceName}: you will receive text messages from us again. Reply HELP for help, STOP to opt out.`,
  appointmentConfirmed: (p: PracticeContact) =>
    `${p.practiceName}: thank you, your appointment is confirmed.`,
  appointmentCancelled: (p: PracticeContact) =>
    `${p.practiceName}: we received your cancellation. Call ${p.practicePhone} to book a new time.`,
};

// Inbound SMS keywords and their precedence. Pure.
//
// Precedence, from strongest to weakest:
//  1. Opt-out words (STOP, STOPALL, UNSUBSCRIBE, END, QUIT, REVOKE, OPTOUT; PARAR/ALTO in Spanish) always
//     opt out, whatever conversation they arrive in. A message that starts with STOP/STOPALL/UNSUBSCRIBE
//     ("stop texting me") opts out too: honouring a clear request is the safe side of TCPA.
//  2. CANCEL (CANCELAR) is both a carrier opt-out word and our appointment reply. Inside an appointment-reminder
//     conversation (the latest message we sent to this number asked for CONFIRM/CANCEL and is recent) it
//     cancels the appointment; anywhere else it opts out, as the carrier would.
//  3. CONFIRM (CONFIRMAR, and YES/SI/SÍ) inside an appointment-reminder conversation confirm the appointment.
//  4. START, UNSTOP, YES (outside such a conversation) opt back in.
//  5. HELP, INFO (AYUDA) ask for the help reply; it is sent even to opted-out numbers (CTIA requires it).
//  6. Anything else is free text for staff.
// Matching is on the whole message after trimming, dropping surrounding punctuation and accents, and
// upper-casing, so "Cancel." and "cancelar" both count but "cancel my card" does not.

export type InboundIntent =
  'opt_out' | 'opt_in' | 'help' | 'confirm_appointment' | 'cancel_appointment' | 'other';

const OPT_OUT = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
  'PARAR',
  'ALTO',
]);
const OPT_OUT_PREFIX = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE']);
const CANCEL = new Set(['CANCEL', 'CANCELAR']);
const CONFIRM = new Set(['CONFIRM', 'CONFIRMAR', 'CONFIRMED', 'CONFIRMADO']);
const YES = new Set(['YES', 'SI', 'Y']);
const OPT_IN = new Set(['START', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO', 'AYUDA']);

/** Upper-case, accents and surrounding punctuation removed, inner whitespace collapsed. */
export function normalizeReply(body: string): string {
  return body
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

export interface ReplyContext {
  /** The latest message we sent to this number asked for CONFIRM/CANCEL and is still current. */
  awaitingAppointmentReply: boolean;
}

export function classifyReply(body: string, ctx: ReplyContext): InboundIntent {
  const text = normalizeReply(body);
  const first = text.split(' ')[0] ?? '';
  if (OPT_OUT.has(text) || OPT_OUT_PREFIX.has(first)) return 'opt_out';
  if (CANCEL.has(text)) return ctx.awaitingAppointmentReply ? 'cancel_appointment' : 'opt_out';
  if (ctx.awaitingAppointmentReply && (CONFIRM.has(text) || YES.has(text))) return 'confirm_appointment';
  if (OPT_IN.has(text) || (text === 'YES' && !ctx.awaitingAppointmentReply)) return 'opt_in';
  if (HELP.has(text)) return 'help';
  return 'other';
}

// Parsing of Twilio's inbound-message and status-callback webhooks (form-encoded POSTs), after the signature
// has been checked over the same parameters, and the TwiML answer that carries our keyword reply. The API's
// webhook route uses these; they hold no state.
import { z } from 'zod';
import { MessagingContractViolation } from '../errors.js';
import { PROVIDER_DELIVERY_STATUSES, type InboundMessage, type StatusUpdate } from '../types.js';
import { TWILIO_SID, validateTwilioSignature } from './twilio-signature.js';

const sid = z.string().regex(TWILIO_SID);

const inboundSchema = z.object({
  MessageSid: sid,
  AccountSid: sid,
  From: z.string().min(3).max(32),
  To: z.string().min(3).max(32),
  // Concatenated SMS stay far below this; anything longer is not a reply to a reminder.
  Body: z.string().max(1600),
});

const statusSchema = z.object({
  MessageSid: sid,
  AccountSid: sid,
  MessageStatus: z.enum(PROVIDER_DELIVERY_STATUSES),
  ErrorCode: z
    .string()
    .regex(/^\d{1,6}$/)
    .optional(),
});

export interface TwilioWebhookRequest {
  /** The exact public URL configured at Twilio for this webhook (not rebuilt from request headers). */
  url: string;
  /** The `X-Twilio-Signature` header. */
  signature: string | undefined;
  /** The decoded form parameters of the raw body. */
  params: URLSearchParams;
}

export class TwilioSignatureError extends Error {
  constructor() {
    super('invalid Twilio webhook signature');
    this.name = 'TwilioSignatureError';
  }
}

function verified(authToken: string, req: TwilioWebhookRequest): Record<string, string> {
  if (!validateTwilioSignature(authToken, req.signature, req.url, req.params))
    throw new TwilioSignatureError();
  return Object.fromEntries(req.params);
}

export function parseInboundWebhook(
  authToken: string,
  req: TwilioWebhookRequest,
  practiceId: string,
): InboundMessage & { accountSid: string; to: string } {
  const parsed = inboundSchema.safeParse(verified(authToken, req));
  if (!parsed.success)
    throw new MessagingContractViolation('inbound message webhook does not match the schema');
  const p = parsed.data;
  return {
    practiceId,
    channel: 'sms',
    from: p.From,
    to: p.To,
    body: p.Body,
    providerMessageId: p.MessageSid,
    accountSid: p.AccountSid,
  };
}

export function parseStatusWebhook(authToken: string, req: TwilioWebhookRequest): StatusUpdate {
  const parsed = statusSchema.safeParse(verified(authToken, req));
  if (!parsed.success) throw new MessagingContractViolation('status callback does not match the schema');
  return {
    providerMessageId: parsed.data.MessageSid,
    status: parsed.data.MessageStatus,
    ...(parsed.data.ErrorCode !== undefined ? { errorCode: parsed.data.ErrorCode } : {}),
  };
}

const xmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** TwiML response: `<Message>` with our reply, or an empty `<Response/>` (Twilio then sends nothing). */
export function twimlReply(text: string | undefined): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  if (!text) return `${head}<Response/>`;
  return `${head}<Response><Message>${text.replace(/[&<>"']/g, (c) => xmlEscapes[c] ?? c)}</Message></Response>`;
}

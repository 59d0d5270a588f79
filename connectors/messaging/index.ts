// Messaging connector: one interface, Twilio-style SMS and SMTP adapters, and a sandbox outbox.
export * from './types.js';
export { createMessaging, type MessagingDeps } from './messaging.js';
export { createAddressHasher, maskAddress, normalizeAddress, type AddressHasher } from './recipient.js';
export { classifyReply, normalizeReply, type InboundIntent } from './keywords.js';
export { DEFAULT_QUIET_HOURS, nextAllowedSendTime, zonedWallTimeToInstant } from './quiet-hours.js';
export { classifyHttpFailure } from './http-errors.js';
export { parseRetryAfter } from '../http/index.js';
export { toApplicationFailure } from './failure.js';
export { TwilioSmsTransport, type TwilioSmsConfig } from './sms/twilio-transport.js';
export { computeTwilioSignature, validateTwilioSignature } from './sms/twilio-signature.js';
export {
  parseInboundWebhook,
  parseStatusWebhook,
  twimlReply,
  TwilioSignatureError,
  type TwilioWebhookRequest,
} from './sms/twilio-webhooks.js';
export { SmtpEmailTransport, classifySmtpError, type SmtpEmailConfig } from './email/smtp-transport.js';
export { createSandboxMessaging, listOutbox, SandboxTransport, type OutboxEntry } from './sandbox/index.js';
export * from './templates/index.js';

// Twilio-style messaging callbacks (inbound SMS and delivery status) on /v1/webhooks/messaging/:provider.
// Twilio signs the configured public URL plus the form parameters (X-Twilio-Signature, HMAC-SHA1); it has no
// timestamp, so replays are absorbed by the messaging service's own dedupe on MessageSid. Both kinds share one
// URL: a status callback is recognised by its MessageStatus parameter (covered by the signature).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MessagingContractViolation } from '../../connectors/messaging/errors.js';
import {
  parseInboundWebhook,
  parseStatusWebhook,
  TwilioSignatureError,
  twimlReply,
  type TwilioWebhookRequest,
} from '../../connectors/messaging/sms/twilio-webhooks.js';
import { HttpProblem, problem, type FieldError } from '../problem.js';
import type { TwilioSource } from './config.js';
import { rawBodyOf } from './raw-body.js';
import type { ProcessReplyRouter } from './process-replies.js';
import type { MessagingWebhookSink } from './types.js';

export interface TwilioWebhookDeps {
  sources: Record<string, TwilioSource>;
  messaging: MessagingWebhookSink | undefined;
  /** Routes a reply a process waits for (slot number, YES/NO) to that process (issue 18). */
  replies?: ProcessReplyRouter;
  count: (source: string, outcome: string) => void;
}

export function twilioWebhookHandler(deps: TwilioWebhookDeps) {
  return async (req: FastifyRequest<{ Params: { provider: string } }>, reply: FastifyReply) => {
    const source = deps.sources[req.params.provider];
    const label = source ? `messaging:${req.params.provider}` : 'messaging:unknown';
    const refuse = (status: number, outcome: string, detail: string, errors?: FieldError[]) => {
      deps.count(label, outcome);
      return new HttpProblem(problem(status, detail, errors ? { errors } : {}));
    };
    if (!source) throw refuse(404, 'unknown_source', 'No such webhook source.');
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') {
      throw refuse(400, 'missing_header', 'The webhook was rejected: missing_header.', [
        {
          in: 'header',
          pointer: '/x-twilio-signature',
          code: 'missing',
          detail: 'Required (Twilio request signing).',
        },
      ]);
    }
    if (!deps.messaging) {
      reply.header('retry-after', 60);
      throw refuse(503, 'no_router', 'Messaging webhooks are not available; retry later.');
    }
    const request: TwilioWebhookRequest = {
      url: source.publicUrl,
      signature,
      params: new URLSearchParams(rawBodyOf(req).toString('utf8')),
    };
    let twiml: string;
    try {
      if (request.params.has('MessageStatus')) {
        await deps.messaging.recordStatus(parseStatusWebhook(source.authToken, request));
        twiml = twimlReply(undefined);
        deps.count(label, 'status');
      } else {
        const inbound = parseInboundWebhook(source.authToken, request, source.tenant);
        const result = await deps.messaging.recordInbound(inbound);
        await deps.replies?.(source.tenant, result);
        twiml = twimlReply(result.reply);
        deps.count(label, result.kind === 'duplicate' ? 'duplicate' : 'accepted');
      }
    } catch (err) {
      if (err instanceof TwilioSignatureError) {
        throw refuse(401, 'no_matching_signature', 'The webhook was rejected: no_matching_signature.');
      }
      if (err instanceof MessagingContractViolation) {
        throw refuse(400, 'invalid_payload', 'The callback does not match the schema.', [
          {
            in: 'body',
            pointer: '',
            code: 'invalid_payload',
            detail: 'Not a Twilio inbound-message or status-callback parameter set.',
          },
        ]);
      }
      throw err;
    }
    return reply.code(200).type('text/xml; charset=utf-8').send(twiml);
  };
}

// Signed inbound webhooks. Public for the auth plugin — they authenticate by
// signature instead — and encapsulated so the raw-body parsers below apply to these routes only.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/connection.js';
import type { WebhookSettings } from '../webhooks/config.js';
import { useRawBodies, WEBHOOK_BODY_LIMIT } from '../webhooks/raw-body.js';
import { signedWebhookHandler } from '../webhooks/signed.js';
import type { ProcessReplyRouter } from '../webhooks/process-replies.js';
import { twilioWebhookHandler } from '../webhooks/twilio.js';
import type { EmrEventRouter, MessagingWebhookSink } from '../webhooks/types.js';

export interface WebhookRouteDeps {
  db: Database;
  settings: WebhookSettings;
  /** Starts/signals processes for EMR and payer events; without it those deliveries answer 503. */
  router?: EmrEventRouter;
  /** Records Twilio inbound messages and status callbacks; without it those deliveries answer 503. */
  messaging?: MessagingWebhookSink;
  /** Signals the process a patient's reply answers (slot number, YES/NO: issue 18). */
  replies?: ProcessReplyRouter;
  now?: () => Date;
}

const sourceParam = z.string().regex(/^[a-z0-9-]{1,64}$/);

export const webhookRoutes = (deps: WebhookRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    useRawBodies(app);
    const now = deps.now ?? (() => new Date());
    const count = (source: string, outcome: string) => app.metrics.webhookOutcomes.inc({ source, outcome });
    const { sources, perMinute } = deps.settings;

    // Per source and sender IP: a stranger hammering a source's URL (unsigned) cannot use up the real
    // sender's allowance; unknown sources share one bucket so random names cannot grow the limiter's store.
    const rateLimit = (kind: string, known: Record<string, unknown>, param: 'source' | 'provider') => ({
      max: perMinute,
      timeWindow: 60_000,
      keyGenerator: (req: FastifyRequest) => {
        const name = (req.params as Record<string, string | undefined>)[param] ?? '';
        return `webhook:${kind}:${Object.hasOwn(known, name) ? name : 'unknown'}:${req.ip}`;
      },
    });

    const accepted = {
      200: z.object({ duplicate: z.literal(true) }),
      202: z.object({ accepted: z.literal(true) }),
    };
    for (const kind of ['emr', 'payer'] as const) {
      app.post(
        `/v1/webhooks/${kind}/:source`,
        {
          bodyLimit: WEBHOOK_BODY_LIMIT,
          config: { public: true, rateLimit: rateLimit(kind, sources[kind], 'source') },
          schema: {
            tags: ['webhooks'],
            operationId: kind === 'emr' ? 'receiveEmrWebhook' : 'receivePayerWebhook',
            summary: `Signed ${kind === 'emr' ? 'EMR' : 'payer'} event (Standard Webhooks)`,
            params: z.strictObject({ source: sourceParam }),
            response: accepted,
          },
        },
        signedWebhookHandler(kind, { db: deps.db, sources: sources[kind], router: deps.router, now, count }),
      );
    }

    app.post(
      '/v1/webhooks/messaging/:provider',
      {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        config: { public: true, rateLimit: rateLimit('messaging', sources.messaging, 'provider') },
        schema: {
          tags: ['webhooks'],
          operationId: 'receiveMessagingWebhook',
          summary: 'Twilio inbound message or status callback (X-Twilio-Signature); answers TwiML',
          params: z.strictObject({ provider: sourceParam }),
        },
      },
      twilioWebhookHandler({
        sources: sources.messaging,
        messaging: deps.messaging,
        ...(deps.replies ? { replies: deps.replies } : {}),
        count,
      }),
    );
  };

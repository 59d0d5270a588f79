// EMR and payer deliveries (Standard Webhooks): verify over the raw bytes → parse → check the
// tenant → claim the inbox row → route → 202. Every refusal is problem+json naming the reason only; the body
// is never echoed or logged.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/connection.js';
import { parseEmrEvent } from '../../connectors/webhooks/emr-events.js';
import {
  verifyWebhook,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WebhookVerificationError,
} from '../../connectors/webhooks/standard-webhooks.js';
import { fieldErrors, HttpProblem, problem, type FieldError } from '../problem.js';
import { activeSecrets, type SignedSource } from './config.js';
import { claimInboxRow, markProcessed } from './inbox.js';
import { rawBodyOf } from './raw-body.js';
import type { EmrEventRouter, ParsedWebhookEvent, VerifiedWebhookEvent } from './types.js';

export interface SignedWebhookDeps {
  db: Database;
  sources: Record<string, SignedSource>;
  router: EmrEventRouter | undefined;
  now: () => Date;
  count: (source: string, outcome: string) => void;
}

type Parsed = ParsedWebhookEvent;

const notJson: FieldError[] = [
  { in: 'body', pointer: '', code: 'invalid_json', detail: 'Not valid JSON, or not a JSON object.' },
];

function parse(kind: 'emr' | 'payer', raw: Buffer): Parsed | { errors: FieldError[] } {
  if (kind === 'emr') {
    const r = parseEmrEvent(raw);
    if (r.ok) return { kind, event: r.event };
    if (r.schemaIssues.length === 0) return { errors: notJson };
    return { errors: r.schemaIssues.flatMap((issue) => fieldErrors('body', issue)) };
  }
  try {
    const json: unknown = JSON.parse(raw.toString('utf8'));
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      return { kind, payload: json as Record<string, unknown> };
    }
  } catch {
    // fall through: malformed JSON and non-objects get the same answer
  }
  return { errors: notJson };
}

/** The Standard Webhooks headers a 400 names (their names only; a header's value is never repeated). */
function headerErrors(reason: string, headers: FastifyRequest['headers']): FieldError[] {
  if (reason === 'invalid_id') {
    return [
      {
        in: 'header',
        pointer: `/${WEBHOOK_ID_HEADER}`,
        code: 'invalid_format',
        detail: 'Not a valid message id.',
      },
    ];
  }
  const names = [WEBHOOK_ID_HEADER, WEBHOOK_TIMESTAMP_HEADER, WEBHOOK_SIGNATURE_HEADER];
  const absent = names.filter((name) => typeof headers[name] !== 'string' || headers[name] === '');
  return (absent.length ? absent : names).map((name) => ({
    in: 'header' as const,
    pointer: `/${name}`,
    code: 'missing',
    detail: 'Required (Standard Webhooks).',
  }));
}

/**
 * The dedupe key of a delivery: practice, source and the sender's message id. Message ids are unique per
 * sender only, so two sources (two EMRs of one practice, or two practices' EMRs) may use the same one; each is
 * its own delivery. (Before the source was part of it the key was `<tenant>:<sha256(webhook-id)>`: a delivery
 * re-routed across that change starts a second router workflow, whose every step is idempotent on its own —
 * the same as the sender re-emitting the event under a new message id.)
 */
export function deliveryDedupeKey(tenant: string, sourceLabel: string, webhookId: string): string {
  return `${tenant}:${sourceLabel}:${createHash('sha256').update(webhookId).digest('hex')}`;
}

export function signedWebhookHandler(kind: 'emr' | 'payer', deps: SignedWebhookDeps) {
  return async (req: FastifyRequest<{ Params: { source: string } }>, reply: FastifyReply) => {
    const source = deps.sources[req.params.source];
    const label = source ? `${kind}:${req.params.source}` : `${kind}:unknown`;
    const refuse = (status: number, outcome: string, detail: string, extra: Record<string, unknown> = {}) => {
      deps.count(label, outcome);
      return new HttpProblem(problem(status, detail, extra));
    };
    if (!source) throw refuse(404, 'unknown_source', 'No such webhook source.');

    const now = deps.now();
    const raw = rawBodyOf(req);
    let verified;
    try {
      verified = verifyWebhook({
        headers: req.headers,
        rawBody: raw,
        secrets: activeSecrets(source, now),
        nowSeconds: Math.floor(now.getTime() / 1000),
      });
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      if (err.httpStatus === 401) reply.header('www-authenticate', 'Signature');
      throw refuse(
        err.httpStatus,
        err.reason,
        `The webhook was rejected: ${err.reason}.`,
        err.httpStatus === 400 ? { errors: headerErrors(err.reason, req.headers) } : {},
      );
    }

    const parsed = parse(kind, raw);
    if ('errors' in parsed) {
      throw refuse(400, 'invalid_payload', 'The event does not match the schema.', { errors: parsed.errors });
    }
    // A source's secret belongs to one practice: it may not speak for another one.
    if (parsed.kind === 'emr' && parsed.event.data.practiceId !== source.tenant) {
      throw refuse(403, 'wrong_tenant', 'This source may not send events for that practice.');
    }
    // No router yet (not wired in this deployment): refuse before the inbox insert, so the sender's retry is
    // processed once a router exists instead of being swallowed as a duplicate.
    if (!deps.router) {
      reply.header('retry-after', 60);
      throw refuse(503, 'no_router', 'Webhook routing is not available; retry later.');
    }

    const refusal = deps.router.refuse?.(parsed);
    if (refusal) throw refuse(refusal.status, refusal.reason, refusal.detail, { reason: refusal.reason });

    const claim = await claimInboxRow(
      deps.db,
      { source: label, tenant: source.tenant, eventId: verified.id, body: raw },
      now,
    );
    if (claim.kind === 'duplicate') {
      deps.count(label, 'duplicate');
      return reply.code(200).send({ duplicate: true as const });
    }

    const event: VerifiedWebhookEvent = {
      ...parsed,
      source: req.params.source,
      tenant: source.tenant,
      webhookId: verified.id,
      inboxId: claim.inboxId,
      dedupeKey: deliveryDedupeKey(source.tenant, label, verified.id),
    };
    try {
      await deps.router.route(event);
      await markProcessed(deps.db, claim.inboxId, deps.now());
      deps.count(label, claim.kind === 'retry' ? 'rerouted' : 'accepted');
    } catch (err) {
      // Still 202: the event is verified and recorded, and answering 5xx would only make the sender retry
      // something we already hold. The row keeps processed_at NULL, and is retried in two ways:
      //  - a redelivery of the same webhook-id after ROUTING_LEASE_MS takes the row over and routes again
      //    (inbox.ts), the router being idempotent per event (one workflow id per event);
      //  - unprocessed rows older than the lease are the reconciler's work list: the inbox keeps no body
      //    (PHI), so the reconciler asks the source to redeliver the id (Standard Webhooks senders and the
      //    sandbox EMR support redelivery), or re-reads the thin event's resource through the EMR connector.
      // Only the error's name is logged: the message of a downstream error might quote event data.
      req.log.error(
        { errName: (err as Error).name, inboxId: claim.inboxId, source: label },
        'webhook routing failed',
      );
      deps.count(label, 'route_failed');
    }
    return reply.code(202).send({ accepted: true as const });
  };
}

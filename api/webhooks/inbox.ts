// The webhook inbox (`webhook_events`): the UNIQUE (source, tenant, event_id) index is the replay and
// duplicate defence. Only the body's sha256 is kept — never the body, which may carry PHI.
import { createHash, randomUUID } from 'node:crypto';
import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { webhookEvents } from '../../db/schema.js';

/**
 * How long an unprocessed row belongs to the delivery that inserted it. A redelivery of the same id within
 * this time is a plain duplicate (the first delivery may still be routing); after it, the redelivery takes the
 * row over and routes the event again.
 */
export const ROUTING_LEASE_MS = 60_000;

export type InboxClaim =
  { kind: 'new'; inboxId: string } | { kind: 'retry'; inboxId: string } | { kind: 'duplicate' };

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function claimInboxRow(
  db: Database,
  row: { source: string; tenant: string; eventId: string; body: Uint8Array },
  now: Date,
): Promise<InboxClaim> {
  const inserted = await db
    .insert(webhookEvents)
    .values({
      id: randomUUID(),
      source: row.source,
      tenant: row.tenant,
      eventId: row.eventId,
      bodySha256: sha256Hex(row.body),
      receivedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: webhookEvents.id });
  if (inserted[0]) return { kind: 'new', inboxId: inserted[0].id };

  // Already known. If it was never processed (routing failed, or the process died mid-way) and its lease ran
  // out, this delivery takes it over. received_at doubles as the lease clock: bumping it in the same UPDATE
  // makes exactly one of several concurrent redeliveries the new owner.
  const taken = await db
    .update(webhookEvents)
    .set({ receivedAt: now })
    .where(
      and(
        eq(webhookEvents.source, row.source),
        eq(webhookEvents.tenant, row.tenant),
        eq(webhookEvents.eventId, row.eventId),
        isNull(webhookEvents.processedAt),
        lt(webhookEvents.receivedAt, new Date(now.getTime() - ROUTING_LEASE_MS)),
      ),
    )
    .returning({ id: webhookEvents.id });
  return taken[0] ? { kind: 'retry', inboxId: taken[0].id } : { kind: 'duplicate' };
}

export async function markProcessed(db: Database, inboxId: string, now: Date): Promise<void> {
  await db.update(webhookEvents).set({ processedAt: now }).where(eq(webhookEvents.id, inboxId));
}

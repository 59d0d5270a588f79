// The sandbox messaging outbox (what the sandbox provider "sent"), for the API and the CLI. Recipients are
// masked; bodies are the rendered templates (minimum necessary: no clinical details by template design).
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { sandboxOutbox } from '../schema.js';

export type OutboxChannel = 'sms' | 'email';

export interface OutboxEntry {
  id: string;
  channel: OutboxChannel;
  recipient: string;
  template: string;
  language: 'en' | 'es';
  subject: string | null;
  body: string;
  status: 'sent' | 'delivered' | 'failed';
  createdAt: string;
}

/** Newest first, cursor-paginated by creation time (`before` = the last `createdAt` of the previous page). */
export async function listOutbox(
  db: Database,
  q: { practiceId: string; limit?: number; before?: string; channel?: OutboxChannel },
): Promise<OutboxEntry[]> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const rows = await db
    .select()
    .from(sandboxOutbox)
    .where(
      and(
        eq(sandboxOutbox.practiceId, q.practiceId),
        q.channel ? eq(sandboxOutbox.channel, q.channel) : undefined,
        q.before ? lt(sandboxOutbox.createdAt, new Date(q.before)) : undefined,
      ),
    )
    .orderBy(desc(sandboxOutbox.createdAt))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    recipient: r.recipientMasked,
    template: r.template,
    language: r.language,
    subject: r.subject,
    body: r.body,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
  }));
}

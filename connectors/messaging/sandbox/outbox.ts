// The sandbox messaging provider: a ChannelTransport that "delivers" into sandbox.sandbox_outbox instead of a
// carrier, honouring idempotency keys like a well-behaved provider, plus the query the API and CLI use to
// show the outbox. Recipients are stored masked + hashed even here, so demo data never trains anyone to
// expect clear-text contact details in tables.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Database } from '../../../db/connection.js';
import { sandboxOutbox } from '../../../db/schema.js';
import { maskAddress, type AddressHasher } from '../recipient.js';
import type { Channel, ChannelTransport, Language, OutboundEnvelope } from '../types.js';

export class SandboxTransport implements ChannelTransport {
  readonly deduplicatesResends = true;
  constructor(
    readonly channel: Channel,
    private readonly db: Database,
    private readonly hash: AddressHasher,
  ) {}

  async send(envelope: OutboundEnvelope): Promise<{ providerMessageId: string }> {
    await this.db
      .insert(sandboxOutbox)
      .values({
        id: randomUUID(),
        idempotencyKey: `${this.channel}:${envelope.idempotencyKey}`,
        practiceId: envelope.practiceId,
        channel: this.channel,
        recipientMasked: maskAddress(this.channel, envelope.to),
        recipientHash: this.hash(this.channel, envelope.to),
        template: envelope.template,
        language: envelope.language,
        subject: this.channel === 'email' ? (envelope.subject ?? null) : null,
        body: envelope.text,
      })
      .onConflictDoNothing({ target: sandboxOutbox.idempotencyKey });
    const rows = await this.db
      .select({ id: sandboxOutbox.id })
      .from(sandboxOutbox)
      .where(eq(sandboxOutbox.idempotencyKey, `${this.channel}:${envelope.idempotencyKey}`));
    return { providerMessageId: `sandbox-${rows[0]?.id ?? 'unknown'}` };
  }
}

export interface OutboxEntry {
  id: string;
  channel: Channel;
  recipient: string;
  template: string;
  language: Language;
  subject: string | null;
  body: string;
  status: 'sent' | 'delivered' | 'failed';
  createdAt: string;
}

/** Newest first, cursor-paginated by creation time (`before` = the last `createdAt` of the previous page). */
export async function listOutbox(
  db: Database,
  q: { practiceId: string; limit?: number; before?: string; channel?: Channel },
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

// The sandbox messaging provider: a ChannelTransport that "delivers" into sandbox.sandbox_outbox instead of a
// carrier, honouring idempotency keys like a well-behaved provider, plus the query the API and CLI use to
// show the outbox. Recipients are stored masked + hashed even here, so demo data never trains anyone to
// expect clear-text contact details in tables.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../../../db/connection.js';
import { sandboxOutbox } from '../../../db/schema.js';
import { maskAddress, type AddressHasher } from '../recipient.js';
import type { Channel, ChannelTransport, OutboundEnvelope } from '../types.js';

export class SandboxTransport implements ChannelTransport {
  readonly deduplicatesResends = true;
  constructor(
    readonly channel: Channel,
    private readonly db: Database,
    private readonly hash: AddressHasher,
  ) {}

  /** A new message costs one round trip (the insert returns its id); a resend reads the first copy's id. */
  async send(envelope: OutboundEnvelope): Promise<{ providerMessageId: string }> {
    const inserted = await this.db
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
      .onConflictDoNothing({ target: sandboxOutbox.idempotencyKey })
      .returning({ id: sandboxOutbox.id });
    if (inserted[0]) return { providerMessageId: `sandbox-${inserted[0].id}` };
    const rows = await this.db
      .select({ id: sandboxOutbox.id })
      .from(sandboxOutbox)
      .where(eq(sandboxOutbox.idempotencyKey, `${this.channel}:${envelope.idempotencyKey}`));
    return { providerMessageId: `sandbox-${rows[0]?.id ?? 'unknown'}` };
  }
}

// The outbox query lives in db/repositories (the API reads it without going through a connector).
export { listOutbox, type OutboxEntry } from '../../../db/repositories/outbox.js';

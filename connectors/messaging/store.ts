// Postgres access for messages and consents. Every state change is a conditional UPDATE on the current status,
// so concurrent attempts for one message id (a retry racing a slow first attempt) cannot both win.
import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { messageConsents, messages } from '../../db/schema.js';
import type { Channel, ConsentSource, ConsentStatus, MessageContext, MessageStatus } from './types.js';

export type MessageRow = typeof messages.$inferSelect;
export type NewMessageRow = typeof messages.$inferInsert;

export async function insertMessageIfAbsent(db: Database, row: NewMessageRow): Promise<MessageRow> {
  await db.insert(messages).values(row).onConflictDoNothing({ target: messages.dedupeKey });
  const found = await findByDedupeKey(db, row.dedupeKey);
  if (!found) throw new Error('message row vanished after insert');
  return found;
}

export async function findByDedupeKey(db: Database, dedupeKey: string): Promise<MessageRow | undefined> {
  const rows = await db.select().from(messages).where(eq(messages.dedupeKey, dedupeKey)).limit(1);
  return rows[0];
}

/** Move a message to a new status if it is still in one of `from`; returns the updated row or undefined. */
export async function transition(
  db: Database,
  dedupeKey: string,
  from: MessageStatus[],
  set: Partial<NewMessageRow> & { status: MessageStatus },
  now: Date,
): Promise<MessageRow | undefined> {
  const rows = await db
    .update(messages)
    .set({ ...set, updatedAt: now })
    .where(and(eq(messages.dedupeKey, dedupeKey), inArray(messages.status, from)))
    .returning();
  return rows[0];
}

/** Claim the right to call the provider: one attempt at a time, counted. */
export async function claimForSending(
  db: Database,
  row: MessageRow,
  now: Date,
): Promise<MessageRow | undefined> {
  const rows = await db
    .update(messages)
    .set({ status: 'sending', attempts: sql`${messages.attempts} + 1`, errorCode: null, updatedAt: now })
    .where(
      and(
        eq(messages.dedupeKey, row.dedupeKey),
        eq(messages.status, row.status),
        // Optimistic check: nobody else touched the row since we read it.
        eq(messages.updatedAt, row.updatedAt),
      ),
    )
    .returning();
  return rows[0];
}

/** Forward-only delivery status from a provider callback. */
export async function advanceByProviderId(
  db: Database,
  providerMessageId: string,
  status: 'sent' | 'delivered' | 'failed',
  from: MessageStatus[],
  errorCode: string | undefined,
  now: Date,
): Promise<MessageRow | undefined> {
  const rows = await db
    .update(messages)
    .set({
      status,
      updatedAt: now,
      ...(status === 'delivered' ? { deliveredAt: now } : {}),
      ...(errorCode !== undefined ? { errorCode } : {}),
    })
    .where(
      and(
        eq(messages.providerMessageId, providerMessageId),
        eq(messages.direction, 'outbound'),
        inArray(messages.status, from),
      ),
    )
    .returning();
  return rows[0];
}

/** The latest outbound message to an address: the conversation an inbound reply belongs to. */
export async function latestOutboundTo(
  db: Database,
  practiceId: string,
  channel: Channel,
  recipientHash: string,
): Promise<MessageRow | undefined> {
  const rows = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.practiceId, practiceId),
        eq(messages.channel, channel),
        eq(messages.recipientHash, recipientHash),
        eq(messages.direction, 'outbound'),
        inArray(messages.status, ['sent', 'delivered', 'sending']),
      ),
    )
    .orderBy(desc(messages.createdAt))
    .limit(1);
  return rows[0];
}

/** Every patient we have messaged at this address (a shared family phone reaches several). */
export async function patientsAtAddress(
  db: Database,
  practiceId: string,
  channel: Channel,
  recipientHash: string,
): Promise<string[]> {
  const rows = await db
    .selectDistinct({ patientId: messages.patientId })
    .from(messages)
    .where(
      and(
        eq(messages.practiceId, practiceId),
        eq(messages.channel, channel),
        eq(messages.recipientHash, recipientHash),
        eq(messages.direction, 'outbound'),
        isNotNull(messages.patientId),
      ),
    );
  return rows.flatMap((r) => (r.patientId ? [r.patientId] : []));
}

export async function insertConsent(
  db: Database,
  row: {
    id: string;
    practiceId: string;
    patientId: string;
    channel: Channel;
    status: ConsentStatus;
    source: ConsentSource;
    recipientHash: string | null;
    recordedAt: Date;
  },
): Promise<void> {
  await db.insert(messageConsents).values(row);
}

export async function latestPatientConsent(db: Database, patientId: string, channel: Channel) {
  const rows = await db
    .select({ status: messageConsents.status })
    .from(messageConsents)
    .where(and(eq(messageConsents.patientId, patientId), eq(messageConsents.channel, channel)))
    .orderBy(desc(messageConsents.recordedAt))
    .limit(1);
  return rows[0]?.status;
}

export async function latestAddressConsent(
  db: Database,
  practiceId: string,
  channel: Channel,
  recipientHash: string,
) {
  const rows = await db
    .select({ status: messageConsents.status })
    .from(messageConsents)
    .where(
      and(
        eq(messageConsents.practiceId, practiceId),
        eq(messageConsents.channel, channel),
        eq(messageConsents.recipientHash, recipientHash),
      ),
    )
    .orderBy(desc(messageConsents.recordedAt))
    .limit(1);
  return rows[0]?.status;
}

/** Whether a conversation is recent enough for CONFIRM/CANCEL to refer to it. */
export function isRecent(row: { createdAt: Date }, now: Date, windowMs: number): boolean {
  return row.createdAt.getTime() > now.getTime() - windowMs;
}

export function contextOf(row: MessageRow): MessageContext {
  const c = row.context as Record<string, unknown> | null;
  const out: MessageContext = {};
  if (c && typeof c.appointmentId === 'string') out.appointmentId = c.appointmentId;
  if (c && typeof c.workflowId === 'string') out.workflowId = c.workflowId;
  return out;
}

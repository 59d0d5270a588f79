// Postgres access for messages and consents: the messaging connector's MessageStore (connectors/messaging/
// store.ts), composed by the CLI and the sandbox. Every state change is a conditional UPDATE on the current
// status, so concurrent attempts for one message id (a retry racing a slow first attempt) cannot both win.
import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../connection.js';
import { messageConsents, messages } from '../schema.js';

export type MessageRow = typeof messages.$inferSelect;
export type NewMessageRow = typeof messages.$inferInsert;
type MessageStatus = MessageRow['status'];
type Channel = MessageRow['channel'];
type ConsentRow = typeof messageConsents.$inferInsert;

/** Outbound messages of one practice to one address (by its keyed hash). */
const toAddress = (practiceId: string, channel: Channel, recipientHash: string) =>
  and(
    eq(messages.practiceId, practiceId),
    eq(messages.channel, channel),
    eq(messages.recipientHash, recipientHash),
    eq(messages.direction, 'outbound'),
  );

/** The latest consent row's status matching `where`, if any. */
async function latestConsent(db: Database, where: ReturnType<typeof and>) {
  const rows = await db
    .select({ status: messageConsents.status })
    .from(messageConsents)
    .where(where)
    .orderBy(desc(messageConsents.recordedAt))
    .limit(1);
  return rows[0]?.status;
}

export function createMessageRepository(db: Database) {
  const findByDedupeKey = async (dedupeKey: string): Promise<MessageRow | undefined> => {
    const rows = await db.select().from(messages).where(eq(messages.dedupeKey, dedupeKey)).limit(1);
    return rows[0];
  };
  return {
    findByDedupeKey,

    /**
     * Inserts the row unless its dedupe key exists; either way the stored row. A first send costs one round
     * trip (the insert returns the row); only a repeat reads the earlier row back.
     */
    async insertMessageIfAbsent(row: NewMessageRow): Promise<MessageRow> {
      const inserted = await db
        .insert(messages)
        .values(row)
        .onConflictDoNothing({ target: messages.dedupeKey })
        .returning();
      if (inserted[0]) return inserted[0];
      const found = await findByDedupeKey(row.dedupeKey);
      if (!found) throw new Error('message row vanished after insert');
      return found;
    },

    /** Inserts an inbound message unless its dedupe key exists; the new row's id, or undefined for a repeat. */
    async insertInboundIfAbsent(row: NewMessageRow): Promise<string | undefined> {
      const inserted = await db
        .insert(messages)
        .values(row)
        .onConflictDoNothing({ target: messages.dedupeKey })
        .returning({ id: messages.id });
      return inserted[0]?.id;
    },

    /** Move a message to a new status if it is still in one of `from`; returns the updated row or undefined. */
    async transition(
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
    },

    /** Claim the right to call the provider: one attempt at a time, counted. */
    async claimForSending(row: MessageRow, now: Date): Promise<MessageRow | undefined> {
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
    },

    /** Forward-only delivery status from a provider callback. */
    async advanceByProviderId(
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
    },

    /** The latest outbound message to an address: the conversation an inbound reply belongs to. */
    async latestOutboundTo(
      practiceId: string,
      channel: Channel,
      recipientHash: string,
    ): Promise<MessageRow | undefined> {
      const rows = await db
        .select()
        .from(messages)
        .where(
          and(
            toAddress(practiceId, channel, recipientHash),
            inArray(messages.status, ['sent', 'delivered', 'sending']),
          ),
        )
        .orderBy(desc(messages.createdAt))
        .limit(1);
      return rows[0];
    },

    /** Every patient we have messaged at this address (a shared family phone reaches several). */
    async patientsAtAddress(practiceId: string, channel: Channel, recipientHash: string): Promise<string[]> {
      const rows = await db
        .selectDistinct({ patientId: messages.patientId })
        .from(messages)
        .where(and(toAddress(practiceId, channel, recipientHash), isNotNull(messages.patientId)));
      return rows.flatMap((r) => (r.patientId ? [r.patientId] : []));
    },

    async insertConsent(row: ConsentRow & { recipientHash: string | null; recordedAt: Date }): Promise<void> {
      await db.insert(messageConsents).values(row);
    },

    latestPatientConsent: (patientId: string, channel: Channel) =>
      latestConsent(db, and(eq(messageConsents.patientId, patientId), eq(messageConsents.channel, channel))),

    latestAddressConsent: (practiceId: string, channel: Channel, recipientHash: string) =>
      latestConsent(
        db,
        and(
          eq(messageConsents.practiceId, practiceId),
          eq(messageConsents.channel, channel),
          eq(messageConsents.recipientHash, recipientHash),
        ),
      ),
  };
}

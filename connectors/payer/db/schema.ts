// Tables of the payer connector itself (schema `payer`), in its own migration set (db/migrate.ts).
import { bigint, index, jsonb, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const payerSchema = pgSchema('payer');

/**
 * One counter row per X12 sender id: ISA13 interchange and GS06 group control numbers must be unique and
 * increasing per sender and survive restarts. Allocation is a single atomic upsert … RETURNING on this row,
 * so concurrent workers serialise on the row lock and never see the same number.
 */
export const controlNumbers = payerSchema.table('control_numbers', {
  senderId: text('sender_id').primaryKey(),
  lastInterchange: bigint('last_interchange', { mode: 'number' }).notNull(),
  lastGroup: bigint('last_group', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The envelope of each submission, by the caller's idempotency key. A retried activity re-sends the
 * byte-identical interchange — same ISA13, same GS06, same ISA date and time — so the receiver recognises a
 * duplicate interchange instead of filing the claim again. Rows are written before the first send.
 */
export const submissionEnvelopes = payerSchema.table(
  'submission_envelopes',
  {
    senderId: text('sender_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    interchange: bigint('interchange', { mode: 'number' }).notNull(),
    group: bigint('group_number', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.senderId, t.idempotencyKey] })],
);

/**
 * What the clearinghouse mailbox delivered, per claim: one row per (mailbox file, CLM01, kind). A poll downloads
 * the waiting files, stores them here, then acknowledges them so they leave the mailbox listing; each claim
 * reads its own rows by CLM01 (index), so a poll costs what is waiting, not every file ever received. The
 * summary holds codes and amounts only (no names, no member ids). Re-storing a file is a no-op (primary key).
 */
export const inboundClaimItems = payerSchema.table(
  'inbound_claim_items',
  {
    mailbox: text('mailbox').notNull(),
    fileCursor: bigint('file_cursor', { mode: 'number' }).notNull(),
    patientControlNumber: text('patient_control_number').notNull(),
    /** 'acknowledgement' (277CA) or 'payment' (835); several of one kind in one file: the file's last. */
    kind: text('kind').notNull(),
    summary: jsonb('summary').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.mailbox, t.fileCursor, t.patientControlNumber, t.kind] }),
    index('payer_inbound_claim_items_claim').on(t.mailbox, t.patientControlNumber, t.fileCursor),
  ],
);

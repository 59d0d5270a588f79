// Tables of the payer connector itself (schema `payer`), in its own migration set (db/migrate.ts).
import { bigint, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

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

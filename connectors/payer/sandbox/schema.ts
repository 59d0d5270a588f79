// State of the sandbox payer (schema `sandbox_payer`), so a restarted simulator remembers what it was told.
// Synthetic data only: the sandbox stores the parsed 837P it received the way a payer would.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  index,
} from 'drizzle-orm/pg-core';

export const sandboxPayerSchema = pgSchema('sandbox_payer');

/** One row per claim received, keyed by submitter + CLM01: a resubmission never creates a second claim. */
export const sandboxClaims = sandboxPayerSchema.table(
  'claims',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    senderId: text('sender_id').notNull(),
    patientControlNumber: text('patient_control_number').notNull(),
    payerClaimNumber: text('payer_claim_number').notNull(),
    x12PayerId: text('x12_payer_id').notNull(),
    memberId: text('member_id').notNull(),
    dos: text('dos').notNull(),
    /** accepted (front end) → paid | partial | denied; rejected (277CA); voided. */
    status: text('status').notNull(),
    frequency: text('frequency').notNull(),
    chargeCents: bigint('charge_cents', { mode: 'number' }).notNull(),
    allowedCents: bigint('allowed_cents', { mode: 'number' }).notNull().default(0),
    paidCents: bigint('paid_cents', { mode: 'number' }).notNull().default(0),
    patientResponsibilityCents: bigint('patient_responsibility_cents', { mode: 'number' })
      .notNull()
      .default(0),
    /** Deductible applied on this claim, for the member's year-to-date deductible. */
    deductibleCents: bigint('deductible_cents', { mode: 'number' }).notNull().default(0),
    authorizationNumber: text('authorization_number'),
    /** Times the same CLM01 arrived (idempotent resubmissions included). */
    receipts: integer('receipts').notNull().default(1),
    version: integer('version').notNull().default(1),
    claim: jsonb('claim').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sandbox_payer_claims_pcn').on(t.senderId, t.patientControlNumber),
    uniqueIndex('sandbox_payer_claims_payer_number').on(t.payerClaimNumber),
    index('sandbox_payer_claims_member').on(t.memberId, t.dos),
  ],
);

/** Prior-authorization requests, keyed by requester + TRN02 trace. */
export const sandboxAuthorizations = sandboxPayerSchema.table(
  'authorizations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    senderId: text('sender_id').notNull(),
    traceNumber: text('trace_number').notNull(),
    x12PayerId: text('x12_payer_id').notNull(),
    memberId: text('member_id').notNull(),
    /** certified | partially_certified | not_certified | pended | not_required */
    status: text('status').notNull(),
    certificationNumber: text('certification_number').notNull(),
    authorizationNumber: text('authorization_number'),
    procedureCode: text('procedure_code').notNull(),
    visitsRequested: integer('visits_requested').notNull(),
    visitsApproved: integer('visits_approved').notNull().default(0),
    startDate: text('start_date').notNull(),
    endDate: text('end_date').notNull(),
    /** Queries since submission; a pended decision resolves after the configured number. */
    polls: integer('polls').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sandbox_payer_auth_trace').on(t.senderId, t.traceNumber),
    index('sandbox_payer_auth_number').on(t.authorizationNumber),
  ],
);

/**
 * Outbound mailbox (277CA, 835): the cursor is the row id, so polling resumes exactly where it stopped. Like a
 * clearinghouse mailbox, a file the recipient has acknowledged (downloaded and stored) leaves the listing: the
 * listing reads the partial index of unacknowledged files, so a poll costs what is waiting, not every file
 * ever sent (the row stays, with `acknowledged_at`, as the record of what was delivered).
 */
export const sandboxResponses = sandboxPayerSchema.table(
  'responses',
  {
    cursor: bigserial('cursor', { mode: 'number' }).primaryKey(),
    recipientId: text('recipient_id').notNull(),
    type: text('type').notNull(),
    x12: text('x12').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
  },
  (t) => [
    index('sandbox_payer_responses_recipient').on(t.recipientId, t.cursor),
    index('sandbox_payer_responses_waiting')
      .on(t.recipientId, t.cursor)
      .where(sql`${t.acknowledgedAt} is null`),
  ],
);

/**
 * Interchanges received on the batch route, by sender + ISA13: a repeated interchange (a client retrying after
 * a lost response) is answered with the 999 it already got and changes nothing else (TA1 note 025 in spirit).
 * `ack999` is null while the first copy is still being processed.
 */
export const sandboxInterchanges = sandboxPayerSchema.table(
  'interchanges',
  {
    senderId: text('sender_id').notNull(),
    controlNumber: text('control_number').notNull(),
    ack999: text('ack_999'),
    duplicates: integer('duplicates').notNull().default(0),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** The 837P interchange while it waits to be filed after its 999 was answered; cleared once filed. */
    x12: text('x12'),
  },
  (t) => [
    uniqueIndex('sandbox_payer_interchanges_pk').on(t.senderId, t.controlNumber),
    index('sandbox_payer_interchanges_unfiled')
      .on(t.receivedAt)
      .where(sql`${t.x12} is not null`),
  ],
);

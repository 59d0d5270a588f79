// State of the sandbox EMR, in its own Postgres schema `sandbox_emr` with its own migration set (registered
// in db/migrate.ts). This simulates an EXTERNAL system: its synthetic demo patients are stored as that EMR
// would store them, apart from ptflow's encrypted tables. Ids of locations and therapists are the same as in
// db/seed.ts so the EMR and ptflow agree on who and where.
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  date,
} from 'drizzle-orm/pg-core';

export const sandboxEmr = pgSchema('sandbox_emr');

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export interface AvailabilityBlock {
  weekday: number;
  start: string;
  end: string;
  locationId: string;
}

export const locations = sandboxEmr.table('locations', {
  id: uuid('id').primaryKey(),
  practiceId: uuid('practice_id').notNull(),
  name: text('name').notNull(),
  timezone: text('timezone').notNull(),
});

export const therapists = sandboxEmr.table('therapists', {
  id: uuid('id').primaryKey(),
  practiceId: uuid('practice_id').notNull(),
  name: text('name').notNull(),
  npi: text('npi').notNull(),
  discipline: text('discipline', { enum: ['PT', 'PTA'] }).notNull(),
  specialties: text('specialties')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  weeklyAvailability: jsonb('weekly_availability').$type<AvailabilityBlock[]>().notNull(),
});

export const patients = sandboxEmr.table('patients', {
  id: uuid('id').primaryKey(),
  practiceId: uuid('practice_id').notNull(),
  ourPatientId: uuid('our_patient_id').unique(),
  mrn: text('mrn').notNull().unique(),
  demographics: jsonb('demographics').notNull(),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A row's patient and therapist: required references, as several tables carry them. */
const patientIdColumn = () =>
  uuid('patient_id')
    .notNull()
    .references(() => patients.id);
const therapistIdColumn = () =>
  uuid('therapist_id')
    .notNull()
    .references(() => therapists.id);

export const referrals = sandboxEmr.table('referrals', {
  id: uuid('id').primaryKey(),
  practiceId: uuid('practice_id').notNull(),
  patientId: patientIdColumn(),
  referringNpi: text('referring_npi'),
  /** The referring practitioner's name as on the order (837P 2310A NM1*DN). */
  referringLastName: text('referring_last_name'),
  referringFirstName: text('referring_first_name'),
  diagnosisCodes: text('diagnosis_codes')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
});

export const appointments = sandboxEmr.table(
  'appointments',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    ourAppointmentId: uuid('our_appointment_id').unique(),
    patientId: patientIdColumn(),
    therapistId: therapistIdColumn(),
    locationId: uuid('location_id')
      .notNull()
      .references(() => locations.id),
    kind: text('kind', { enum: ['evaluation', 'treatment', 're-evaluation', 'discharge'] }).notNull(),
    status: text('status', { enum: ['booked', 'arrived', 'fulfilled', 'cancelled', 'noshow'] }).notNull(),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
    cancelReason: text('cancel_reason'),
    createdAt: createdAt(),
  },
  (t) => [
    // Last line of defence against double booking (the booking transaction also locks the therapist row).
    uniqueIndex('appointments_active_therapist_start')
      .on(t.therapistId, t.startAt)
      .where(sql`status in ('booked', 'arrived', 'fulfilled')`),
  ],
);

export const visits = sandboxEmr.table('visits', {
  id: uuid('id').primaryKey(),
  appointmentId: uuid('appointment_id')
    .unique()
    .references(() => appointments.id),
  patientId: patientIdColumn(),
  therapistId: therapistIdColumn(),
  dateOfService: date('date_of_service', { mode: 'string' }).notNull(),
  signedAt: timestamp('signed_at', { withTimezone: true }).notNull(),
  interventions: jsonb('interventions').notNull(),
  diagnoses: text('diagnoses')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  totalMinutes: integer('total_minutes').notNull(),
});

/** Coverages, intake answers, documents, plans of care, outcomes: keyed by kind + our id (idempotent writes). */
export const records = sandboxEmr.table(
  'records',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    ourId: uuid('our_id').notNull(),
    patientId: patientIdColumn(),
    body: jsonb('body').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('records_kind_our_id').on(t.kind, t.ourId),
    index('records_patient').on(t.patientId, t.kind),
  ],
);

/** Outbox + delivery log of signed webhooks. The body is fixed at enqueue; each attempt is signed afresh. */
export const webhookDeliveries = sandboxEmr.table(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    eventType: text('event_type').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [index('webhook_deliveries_due').on(t.status, t.nextAttemptAt)],
);

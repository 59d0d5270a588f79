// Over 350 lines on purpose: the whole drizzle schema, the one file drizzle.config.ts gives drizzle-kit.
// drizzle schema of the tables the first processes need. PHI columns are stored encrypted by the
// application (`*_enc` bytea: AES-256-GCM with the key id beside it) with a keyed hash (`*_hash`) for equality
// lookups; nothing identifying is stored in clear text. Migrations are generated into db/migrations and
// committed (`npm run db:generate`).
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgSchema,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** Postal address as the 837P carries it (N3/N4). A practice's or location's address is not PHI. */
export interface AddressColumn {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  postalCode: string;
}

/**
 * A practice and its profile (issue 17): the billing provider of its claims (legal name, type-2 NPI, tax id,
 * taxonomy, service and pay-to addresses) and the zone of its dates. The tax id is stored only encrypted
 * (`tax_id_enc` under `key_id`, AAD `id|practices|tax_id_enc|id`); nothing else here is secret.
 */
export const practices = pgTable('practices', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  npi: text('npi').notNull(),
  timezone: text('timezone').notNull(),
  legalName: text('legal_name'),
  taxIdEnc: bytea('tax_id_enc'),
  keyId: text('key_id'),
  taxonomy: text('taxonomy'),
  phone: text('phone'),
  serviceAddress: jsonb('service_address').$type<AddressColumn>(),
  payToAddress: jsonb('pay_to_address').$type<AddressColumn>(),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const locations = pgTable('locations', {
  id: uuid('id').primaryKey(),
  practiceId: uuid('practice_id')
    .notNull()
    .references(() => practices.id),
  name: text('name').notNull(),
  timezone: text('timezone').notNull(),
  address: jsonb('address').$type<AddressColumn>(),
  phone: text('phone'),
  /** The location's own type-2 NPI (837P 2310C), when it has one. */
  npi: text('npi'),
  placeOfService: text('place_of_service').notNull().default('11'),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
});

/** Staff, not patients: names and NPIs of providers are public (NPPES), so they are stored in clear. */
export const therapists = pgTable(
  'therapists',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    name: text('name').notNull(),
    npi: text('npi').notNull(),
    discipline: text('discipline', { enum: ['PT', 'PTA'] }).notNull(),
    specialties: text('specialties')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Weekly availability: [{ weekday 0-6, start "HH:MM", end "HH:MM", locationId }] in the location's zone. */
    weeklyAvailability: jsonb('weekly_availability')
      .notNull()
      .default(sql`'[]'::jsonb`),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('therapists_practice_npi').on(t.practiceId, t.npi)],
);

export const patients = pgTable(
  'patients',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    /** Encrypted JSON of name, date of birth, sex, contact details and EMR identifiers. */
    demographicsEnc: bytea('demographics_enc').notNull(),
    keyId: text('key_id').notNull(),
    /** Keyed hash (HMAC) of normalized last name + date of birth, for matching without decrypting. */
    matchHash: text('match_hash').notNull(),
    preferredChannel: text('preferred_channel', { enum: ['sms', 'email'] }).notNull(),
    language: text('language', { enum: ['en', 'es'] })
      .notNull()
      .default('en'),
    timezone: text('timezone').notNull(),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('patients_match').on(t.practiceId, t.matchHash)],
);

export const coverages = pgTable('coverages', {
  id: uuid('id').primaryKey(),
  practiceId: uuid('practice_id')
    .notNull()
    .references(() => practices.id),
  patientId: uuid('patient_id')
    .notNull()
    .references(() => patients.id),
  payerId: text('payer_id').notNull(),
  priority: integer('priority').notNull().default(1),
  memberIdEnc: bytea('member_id_enc').notNull(),
  memberIdHash: text('member_id_hash').notNull(),
  keyId: text('key_id').notNull(),
  status: text('status', {
    enum: ['unverified', 'active', 'inactive', 'not_found', 'needs_phone_verification'],
  })
    .notNull()
    .default('unverified'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const eligibilityChecks = pgTable('eligibility_checks', {
  id: uuid('id').primaryKey(),
  coverageId: uuid('coverage_id')
    .notNull()
    .references(() => coverages.id),
  checkedAt: timestamp('checked_at', { withTimezone: true }).notNull(),
  outcome: text('outcome', { enum: ['active', 'inactive', 'not_found', 'error'] }).notNull(),
  /** Normalized benefits (amounts in cents, visit limits, auth required): no identifiers. */
  summary: jsonb('summary').notNull(),
  raw271Enc: bytea('raw_271_enc'),
  keyId: text('key_id'),
});

/**
 * Our mirror of the EMR's schedule for our patients: written when ptflow books and moved along by the EMR's
 * webhooks (booked, checked in, note signed, cancelled, no-show) through the monotone transition table in
 * domain/visits/appointment-mirror.ts. One row per EMR appointment (`appointments_practice_external`).
 */
export const appointments = pgTable(
  'appointments',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    therapistId: uuid('therapist_id')
      .notNull()
      .references(() => therapists.id),
    locationId: uuid('location_id')
      .notNull()
      .references(() => locations.id),
    externalId: text('external_id'),
    kind: text('kind', { enum: ['evaluation', 'treatment', 'reevaluation', 'discharge'] }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    minutes: integer('minutes').notNull(),
    status: text('status', {
      enum: ['booked', 'checked_in', 'completed', 'cancelled', 'no_show', 'late_cancelled'],
    }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('appointments_practice_external').on(t.practiceId, t.externalId)],
);

/** The staff worklist. Rows are created by workflows (idempotently, keyed by `dedupeKey`). */
export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    /** Stable key from the raising workflow and step, so a retried activity never raises a task twice. */
    dedupeKey: text('dedupe_key').notNull(),
    kind: text('kind').notNull(),
    assigneeRole: text('assignee_role', { enum: ['admin', 'front_desk', 'therapist', 'biller'] }).notNull(),
    status: text('status', { enum: ['open', 'completed', 'cancelled', 'escalated'] })
      .notNull()
      .default('open'),
    /** Short, PHI-free description ("Verify coverage by phone"). */
    title: text('title').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    workflowId: text('workflow_id').notNull(),
    processKind: text('process_kind').notNull(),
    patientId: uuid('patient_id'),
    /** PHI-free details the worklist needs (opaque ids, codes). */
    details: jsonb('details')
      .notNull()
      .default(sql`'{}'::jsonb`),
    /**
     * What the person answered when completing the task (JSON), encrypted (PHI columns are stored only as AES-GCM ciphertext): staff type free text
     * here. Written and read only through db/repositories/tasks.ts.
     */
    outcomeEnc: bytea('outcome_enc'),
    /** The data key of `outcome_enc` (null while there is no outcome). */
    keyId: text('key_id'),
    completedBy: text('completed_by'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('tasks_dedupe').on(t.dedupeKey),
    index('tasks_worklist').on(t.practiceId, t.status, t.assigneeRole, t.dueAt),
  ],
);

/**
 * Outbound and inbound messages. The recipient address is PHI: only a masked form (for staff screens) and a
 * keyed hash (to match replies and opt-outs to a number without decrypting) are stored, never the address.
 * `dedupe_key` is the caller's message id: a retried send finds its row instead of sending again.
 */
export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    patientId: uuid('patient_id').references(() => patients.id),
    dedupeKey: text('dedupe_key').notNull(),
    direction: text('direction', { enum: ['outbound', 'inbound'] }).notNull(),
    channel: text('channel', { enum: ['sms', 'email'] }).notNull(),
    template: text('template'),
    language: text('language', { enum: ['en', 'es'] }),
    /**
     * `sending` marks an attempt handed to the provider whose outcome is not yet recorded (the
     * crash-between-send-and-mark window); `deferred` waits for the end of quiet hours.
     */
    status: text('status', {
      enum: [
        'queued',
        'deferred',
        'sending',
        'sent',
        'delivered',
        'failed',
        'blocked_no_consent',
        'received',
      ],
    }).notNull(),
    providerMessageId: text('provider_message_id'),
    recipientMasked: text('recipient_masked'),
    recipientHash: text('recipient_hash'),
    /** Opaque ids the conversation refers to (appointment id, workflow id) so replies can be routed. */
    context: jsonb('context')
      .notNull()
      .default(sql`'{}'::jsonb`),
    attempts: integer('attempts').notNull().default(0),
    /** Provider or SMTP error code of the last failure (a code, never the provider's free text). */
    errorCode: text('error_code'),
    deferredUntil: timestamp('deferred_until', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('messages_dedupe').on(t.dedupeKey),
    index('messages_provider_id').on(t.providerMessageId),
    index('messages_conversation').on(t.practiceId, t.channel, t.recipientHash, t.createdAt),
  ],
);

/**
 * Consent and opt-out per patient and channel (TCPA: STOP must be honoured on SMS; HIPAA allows reminders
 * but patients may refuse). Checked before every send; the latest row per (patient, channel) wins.
 */
export const messageConsents = pgTable(
  'message_consents',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    channel: text('channel', { enum: ['sms', 'email'] }).notNull(),
    status: text('status', { enum: ['granted', 'revoked'] }).notNull(),
    /** How it was given or withdrawn: intake form, STOP/START keyword, staff on the phone. */
    source: text('source', { enum: ['intake', 'keyword', 'staff', 'import', 'provider'] }).notNull(),
    /**
     * Keyed hash of the address the decision applies to. STOP is honoured per phone number (TCPA), so a
     * revocation also blocks every other patient reached at the same number until it is granted again.
     */
    recipientHash: text('recipient_hash'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('message_consents_lookup').on(t.patientId, t.channel, t.recordedAt),
    index('message_consents_address').on(t.practiceId, t.channel, t.recipientHash, t.recordedAt),
  ],
);

/** Simulator state lives in its own Postgres schema, apart from the real tables. */
export const sandboxSchema = pgSchema('sandbox');

/**
 * The sandbox messaging outbox: what the sandbox "sent", for the API and CLI to show in development and
 * demos. Only synthetic data belongs in a sandbox; the recipient is still stored masked + hashed.
 */
export const sandboxOutbox = sandboxSchema.table(
  'sandbox_outbox',
  {
    id: uuid('id').primaryKey(),
    /** The sandbox's provider message id; unique per idempotency key like a real provider's. */
    idempotencyKey: text('idempotency_key').notNull(),
    practiceId: uuid('practice_id').notNull(),
    channel: text('channel', { enum: ['sms', 'email'] }).notNull(),
    recipientMasked: text('recipient_masked').notNull(),
    recipientHash: text('recipient_hash').notNull(),
    template: text('template').notNull(),
    language: text('language', { enum: ['en', 'es'] }).notNull(),
    subject: text('subject'),
    body: text('body').notNull(),
    status: text('status', { enum: ['sent', 'delivered', 'failed'] })
      .notNull()
      .default('sent'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('sandbox_outbox_idempotency').on(t.idempotencyKey),
    index('sandbox_outbox_list').on(t.practiceId, t.createdAt),
  ],
);

/** Inbound webhook inbox: the unique key is the replay/duplicate defence (kept ≥ 7 days). */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: uuid('id').primaryKey(),
    source: text('source').notNull(),
    tenant: text('tenant').notNull(),
    eventId: text('event_id').notNull(),
    bodySha256: text('body_sha256').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('webhook_events_unique').on(t.source, t.tenant, t.eventId)],
);

export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey(),
  practiceId: uuid('practice_id')
    .notNull()
    .references(() => practices.id),
  /** Public prefix that identifies the key without revealing it. */
  prefix: text('prefix').notNull().unique(),
  hash: text('hash').notNull(),
  role: text('role', { enum: ['admin', 'front_desk', 'therapist', 'biller', 'integration'] }).notNull(),
  label: text('label').notNull(),
  createdAt: createdAt(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export const idempotencyRecords = pgTable(
  'idempotency_records',
  {
    id: uuid('id').primaryKey(),
    principalId: text('principal_id').notNull(),
    method: text('method').notNull(),
    route: text('route').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: ['in_progress', 'complete'] }).notNull(),
    statusCode: integer('status_code'),
    responseEnc: bytea('response_enc'),
    keyId: text('key_id'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('idempotency_unique').on(t.principalId, t.method, t.route, t.key)],
);

/** Append-only, hash-chained audit log (the trigger in migration 0001 rejects UPDATE and DELETE). */
export const auditEvents = pgTable('audit_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  actorId: text('actor_id').notNull(),
  actorType: text('actor_type', { enum: ['user', 'api_key', 'service', 'system'] }).notNull(),
  actorRole: text('actor_role'),
  sourceIp: text('source_ip'),
  action: text('action', { enum: ['C', 'R', 'U', 'D', 'E'] }).notNull(),
  resourceType: text('resource_type').notNull(),
  resourceId: text('resource_id'),
  patientRef: uuid('patient_ref'),
  purposeOfUse: text('purpose_of_use'),
  outcome: text('outcome', { enum: ['success', 'denied', 'error'] }).notNull(),
  requestId: text('request_id'),
  workflowId: text('workflow_id'),
  fieldsDisclosed: text('fields_disclosed').array(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

/** Mirror of each claim process for reporting and the worklist (the workflow is the source of truth). */
/**
 * The practitioner directory: who may appear on a claim as the rendering provider (837P loop 2310B), by NPI.
 * Synced from the EMR's Practitioner resources (`source` emr) and editable by admins (`source` admin, which a
 * later sync does not overwrite). Provider names and NPIs are public (NPPES), not PHI.
 */
export const practitioners = pgTable(
  'practitioners',
  {
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    npi: text('npi').notNull(),
    lastName: text('last_name').notNull(),
    firstName: text('first_name'),
    /** NUCC taxonomy (2310B PRV*PE), e.g. 225100000X physical therapist. */
    taxonomy: text('taxonomy'),
    source: text('source', { enum: ['emr', 'admin'] }).notNull(),
    emrPractitionerId: text('emr_practitioner_id'),
    active: boolean('active').notNull().default(true),
    /** Staff therapists (issue 17): discipline, credentials and license; null for EMR-only entries. */
    discipline: text('discipline', { enum: ['PT', 'PTA'] }),
    credentials: text('credentials'),
    licenseState: text('license_state'),
    licenseNumber: text('license_number'),
    licenseExpires: date('license_expires', { mode: 'string' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.npi] })],
);

/**
 * The payers a practice bills: the payer id its coverages and claims use, the clearinghouse's id for it, and
 * the payer profile (domain/rules/data/payer-profiles.ts) whose rules apply.
 */
export const practicePayers = pgTable(
  'practice_payers',
  {
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    payerId: text('payer_id').notNull(),
    name: text('name').notNull(),
    profileId: text('profile_id').notNull(),
    clearinghousePayerId: text('clearinghouse_payer_id'),
    active: boolean('active').notNull().default(true),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.payerId] })],
);

/** An imported fee schedule: one payer (or `*`, the chargemaster), effective-dated; rows in fee_schedule_rows. */
export const feeSchedules = pgTable(
  'fee_schedules',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    payerId: text('payer_id').notNull(),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    effectiveTo: date('effective_to', { mode: 'string' }),
    source: text('source').notNull(),
    rowCount: integer('row_count').notNull(),
    importedBy: text('imported_by').notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('fee_schedules_start').on(t.practiceId, t.payerId, t.effectiveFrom)],
);

export const feeScheduleRows = pgTable(
  'fee_schedule_rows',
  {
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => feeSchedules.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    chargeCents: integer('charge_cents').notNull(),
    expectedAllowedCents: integer('expected_allowed_cents'),
  },
  (t) => [primaryKey({ columns: [t.scheduleId, t.code] })],
);

/**
 * The referring-provider directory: physicians (and NPs/PAs) who send patients, by NPI — 2310A of the claims,
 * recipients of plans of care and progress reports. Synced from the EMR's referrals / Practitioner resources
 * (`source` emr) and editable by admins (`source` admin, kept over later syncs). Public provider data, not PHI.
 */
export const referringProviders = pgTable(
  'referring_providers',
  {
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    npi: text('npi').notNull(),
    lastName: text('last_name').notNull(),
    firstName: text('first_name'),
    organization: text('organization'),
    phone: text('phone'),
    fax: text('fax'),
    address: jsonb('address').$type<AddressColumn>(),
    source: text('source', { enum: ['emr', 'admin'] }).notNull(),
    emrPractitionerId: text('emr_practitioner_id'),
    active: boolean('active').notNull().default(true),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.npi] })],
);

export const claims = pgTable(
  'claims',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    patientId: uuid('patient_id').notNull(),
    visitId: text('visit_id').notNull(),
    payerId: text('payer_id').notNull(),
    /**
     * Date of service (the earliest line date): the timely-filing clock runs from it. Null only on rows written
     * before it was recorded.
     */
    serviceDate: date('service_date', { mode: 'string' }),
    /** CLM01: the key the payer dedupes on; one per visit. */
    patientControlNumber: text('patient_control_number').notNull().unique(),
    status: text('status').notNull(),
    frequency: text('frequency', { enum: ['1', '7', '8'] })
      .notNull()
      .default('1'),
    payerClaimNumber: text('payer_claim_number'),
    chargeCents: integer('charge_cents').notNull(),
    paidCents: integer('paid_cents').notNull().default(0),
    patientResponsibilityCents: integer('patient_responsibility_cents').notNull().default(0),
    submissions: integer('submissions').notNull().default(0),
    workflowId: text('workflow_id').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('claims_practice_status').on(t.practiceId, t.status)],
);

/** Posted remittances: one row per claim per 835 payment (TRN02), so re-posting the same 835 changes nothing. */
export const claimRemittances = pgTable(
  'claim_remittances',
  {
    id: uuid('id').primaryKey(),
    claimId: uuid('claim_id')
      .notNull()
      .references(() => claims.id),
    paymentTrace: text('payment_trace').notNull(),
    claimStatusCode: text('claim_status_code').notNull(),
    paidCents: integer('paid_cents').notNull(),
    patientResponsibilityCents: integer('patient_responsibility_cents').notNull(),
    /** CAS adjustments: [{ group, carc, amountCents }] — codes and amounts only. */
    adjustments: jsonb('adjustments').notNull(),
    postedAt: timestamp('posted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('claim_remittances_once').on(t.claimId, t.paymentTrace)],
);

/**
 * Break-glass grants (emergency access to full records, 45 CFR 164.312(a)(2)(ii)): a time-boxed lift of one principal
 * to the full response views of its practice. Rows are never deleted (they are the record the privacy officer
 * reviews); ending a grant early sets `ended_at`. The stated reason is free text a person typed and may name a
 * patient: it is kept here for the privacy officer only — never logged, audited or returned by the API — and
 * only encrypted (PHI columns are ciphertext only; AAD `practice|break_glass_grants|reason_enc|id`). `reason_enc`/`key_id` are null
 * only on grants opened before migration 0009 dropped the clear-text column; every new grant writes both.
 */
export const breakGlassGrants = pgTable(
  'break_glass_grants',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    /** `apikey:<prefix>` or `user:<sub>`, as on audit events. */
    principalId: text('principal_id').notNull(),
    principalRole: text('principal_role', { enum: ['admin', 'therapist'] }).notNull(),
    reasonEnc: bytea('reason_enc'),
    keyId: text('key_id'),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [index('break_glass_grants_principal').on(t.practiceId, t.principalId, t.grantedAt)],
);

/**
 * Staff people of a practice who sign in to the console (not API keys: those are for machines). A row maps an
 * identity-provider user (`oidc_issuer` + `oidc_subject`) to its practice and role when the IdP does not carry
 * them as claims, and holds the demo staff `ptflow dev` offers on its local sign-in page. Staff names are not PHI.
 * `disabled_at` set → every sign-in is refused and the person's sessions are revoked (deprovisioning).
 */
export const staffMembers = pgTable(
  'staff_members',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: ['admin', 'front_desk', 'therapist', 'biller'] }).notNull(),
    oidcIssuer: text('oidc_issuer'),
    oidcSubject: text('oidc_subject'),
    createdAt: createdAt(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('staff_members_oidc').on(t.oidcIssuer, t.oidcSubject)],
);

/**
 * Server-side staff sessions (SEC-AC-4). The browser holds a random token in the signed `ptflow_session`
 * cookie; only its SHA-256 is stored here, so a database reader cannot act as anyone. A session dies on its
 * idle timeout (from `last_seen_at`), its absolute `expires_at`, or `revoked_at` (sign-out, admin revocation,
 * a newer sign-in does not revoke others but always issues a new id).
 */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    id: uuid('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    role: text('role', { enum: ['admin', 'front_desk', 'therapist', 'biller'] }).notNull(),
    /** The principal id the session acts as (`user:<sub>`), as written on audit events. */
    actorId: text('actor_id').notNull(),
    staffId: uuid('staff_id'),
    /** The person's name as the staff row or the IdP's `name` claim gives it (staff names are not PHI). */
    displayName: text('display_name'),
    /** How the person signed in: the IdP (`oidc`) or the `ptflow dev` demo sign-in (`dev`). */
    method: text('method', { enum: ['oidc', 'dev'] }).notNull(),
    amr: text('amr').array().notNull(),
    authTime: timestamp('auth_time', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('staff_sessions_actor').on(t.practiceId, t.actorId)],
);

/**
 * The coding of each mirrored claim (recon): its diagnoses, lines and providers as the claim process coded them,
 * written with the `claims` mirror row, so the charge export (CSV, 837P batch) and the nightly billing
 * reconciliation read what was billed without asking every claim's workflow. Codes, units, amounts and provider
 * NPIs (public) only: the subscriber is not here (the 837P export decrypts it from the patient mirror).
 */
export const claimCodings = pgTable('claim_codings', {
  claimId: uuid('claim_id')
    .primaryKey()
    .references(() => claims.id),
  practiceId: uuid('practice_id')
    .notNull()
    .references(() => practices.id),
  /** ICD-10-CM, principal first (the lines' pointers are 1-based into this list). */
  diagnoses: text('diagnoses').array().notNull(),
  placeOfService: text('place_of_service').notNull(),
  /** 2310B: { npi, lastName?, firstName? } from the practitioner directory. */
  rendering: jsonb('rendering').$type<{ npi: string; lastName?: string; firstName?: string }>(),
  /** 2310A: { npi, lastName?, firstName? } of the referring / certifying practitioner. */
  referring: jsonb('referring').$type<{ npi: string; lastName?: string; firstName?: string }>(),
  priorAuthNumber: text('prior_auth_number'),
  originalClaimNumber: text('original_claim_number'),
  /** The claim lines: [{ lineNumber, code, modifiers, units, minutes?, chargeCents, diagnosisPointers, dos }]. */
  lines: jsonb('lines')
    .$type<
      {
        lineNumber: number;
        code: string;
        modifiers: string[];
        units: number;
        minutes?: number;
        chargeCents: number;
        diagnosisPointers: number[];
        dos: string;
      }[]
    >()
    .notNull(),
  updatedAt: updatedAt(),
});

/**
 * Discrepancies the nightly billing reconciliation found (recon): one row per practice, visit and kind, keyed by
 * a hash of the three (`discrepancy_key`, unique), so a second run finds the row instead of raising a second
 * task. `occurrence` counts how often the discrepancy came back after a run had found it gone (resolved): each
 * occurrence has one task, whose id derives from the key and the occurrence.
 */
export const billingDiscrepancies = pgTable(
  'billing_discrepancies',
  {
    id: uuid('id').primaryKey(),
    discrepancyKey: text('discrepancy_key').notNull(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    visitId: text('visit_id').notNull(),
    kind: text('kind', {
      enum: ['missed_charge', 'charge_without_documentation', 'units_mismatch'],
    }).notNull(),
    claimId: uuid('claim_id'),
    serviceDate: date('service_date', { mode: 'string' }),
    status: text('status', { enum: ['open', 'resolved'] })
      .notNull()
      .default('open'),
    occurrence: integer('occurrence').notNull().default(1),
    taskId: uuid('task_id').notNull(),
    /** PHI-free facts (codes, units, claim status). */
    details: jsonb('details').notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('billing_discrepancies_key').on(t.discrepancyKey),
    index('billing_discrepancies_practice').on(t.practiceId, t.status, t.serviceDate),
  ],
);

/**
 * Progress reports, recertifications and discharge summaries sent to the referring physician (issue 17 point 3),
 * one row per report signed in the EMR. The rendered PDF is PHI: it is stored only as AES-GCM ciphertext
 * (`pdf_enc`, AAD `practice_id|progress_reports|pdf_enc|id`, key id beside it) and read only through
 * db/repositories/progress-reports.ts. The other columns are opaque ids, dates, counts and delivery states.
 */
export const progressReports = pgTable(
  'progress_reports',
  {
    /** Derived from the practice and the EMR's report id: a redelivered event finds the same row. */
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    patientId: uuid('patient_id').notNull(),
    kind: text('kind', { enum: ['progress_report', 'recertification', 'discharge_summary'] }).notNull(),
    reportDate: date('report_date', { mode: 'string' }).notNull(),
    /** The delivering process (`report:<id>`). */
    workflowId: text('workflow_id').notNull(),
    pdfEnc: bytea('pdf_enc').notNull(),
    keyId: text('key_id').notNull(),
    pageCount: integer('page_count').notNull(),
    status: text('status', { enum: ['ready', 'delivered', 'failed'] })
      .notNull()
      .default('ready'),
    /** How it went (or last tried to go) out: the port's channel (fax, direct, email_link …). */
    channel: text('channel'),
    /** Delivery rounds (each round is an activity with its own bounded retries). */
    deliveryRounds: integer('delivery_rounds').notNull().default(0),
    /** The connector's transmission reference once delivered (the proof of sending). */
    transmissionId: text('transmission_id'),
    /** The failure type of the last failed round (a type name, never a message). */
    lastFailure: text('last_failure'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('progress_reports_patient').on(t.practiceId, t.patientId, t.reportDate)],
);

/**
 * Why the last worker of a task queue refused to start (issue #14): the configuration variables it named and the
 * reason, never a value. Written by `ptflow worker` when its configuration stops it, deleted when a worker of the
 * queue starts; the API's /readyz reports it. Names only: no secret, no PHI.
 */
export const workerStartRefusals = pgTable('worker_start_refusals', {
  taskQueue: text('task_queue').primaryKey(),
  /** The variable names, comma-separated, as the worker's one-line error names them. */
  variables: text('variables').notNull(),
  reason: text('reason').notNull(),
  refusedAt: timestamp('refused_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Specialised equipment of a location as a scheduling resource (issue 18): an AlterG treadmill, a Biodex
 * system … A visit that needs one is booked only when a device of its kind is free. Not PHI.
 */
export const equipment = pgTable(
  'equipment',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    locationId: uuid('location_id')
      .notNull()
      .references(() => locations.id),
    /** domain/scheduling/equipment.ts EQUIPMENT_KINDS. */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** Minutes a visit holds the device; null = the kind's effective-dated default. */
    sessionMinutes: integer('session_minutes'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('equipment_practice_kind').on(t.practiceId, t.kind)],
);

/** Weekly maintenance windows of a device (local wall-clock times of its location), dated, with a source. */
export const equipmentMaintenanceRules = pgTable(
  'equipment_maintenance_rules',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    equipmentId: uuid('equipment_id')
      .notNull()
      .references(() => equipment.id, { onDelete: 'cascade' }),
    weekday: integer('weekday').notNull(),
    startTime: text('start_time').notNull(),
    endTime: text('end_time').notNull(),
    effectiveFrom: date('effective_from').notNull(),
    effectiveTo: date('effective_to'),
    source: text('source').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('equipment_maintenance_rules_equipment').on(t.equipmentId)],
);

/**
 * Times a device is taken: by a visit (our appointment id) or by a maintenance window (materialised by the
 * equipment-maintenance schedule). The migration adds an exclusion constraint: two live reservations of one
 * device never overlap, whoever writes them.
 */
export const equipmentReservations = pgTable(
  'equipment_reservations',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    equipmentId: uuid('equipment_id')
      .notNull()
      .references(() => equipment.id),
    purpose: text('purpose', { enum: ['visit', 'maintenance'] }).notNull(),
    appointmentId: uuid('appointment_id'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    releasedAt: timestamp('released_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('equipment_reservations_device_time').on(t.equipmentId, t.startsAt)],
);

/**
 * Rooms of a location as a scheduling resource (issue 18): a private treatment room (capacity 1) or a gym with
 * several tables (capacity = patients treated at once). A location with no active room is not room-constrained.
 * Not PHI.
 */
export const rooms = pgTable(
  'rooms',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    locationId: uuid('location_id')
      .notNull()
      .references(() => locations.id),
    name: text('name').notNull(),
    /** Patients at once: the room's bookable units (room_reservations.unit is 0 … capacity-1). */
    capacity: integer('capacity').notNull().default(1),
    /** A closed room with a door: what domain/scheduling/rooms.ts ROOM_NEEDS asks for evaluations. */
    private: boolean('private').notNull().default(false),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('rooms_practice_location').on(t.practiceId, t.locationId)],
);

/**
 * Times a unit of a room is taken by a visit (our appointment id). The migration adds an exclusion constraint
 * on (room, unit, time): one unit never holds two live reservations at once, so a room never holds more
 * visits at once than its capacity (holds choose units below the capacity).
 */
export const roomReservations = pgTable(
  'room_reservations',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id),
    unit: integer('unit').notNull(),
    appointmentId: uuid('appointment_id'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    releasedAt: timestamp('released_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('room_reservations_room_time').on(t.roomId, t.startsAt)],
);

/**
 * The practice's own baselines of the staff-time-saved estimate (issue 18, the practice's numbers): minutes a person
 * spends per automated step, from a date, with where the figure comes from. Edited by admins
 * (`PUT /v1/practice/time-saved-assumptions`); without a row the defaults of domain/practice-metrics/time-saved.ts
 * apply. Not PHI.
 */
export const timeSavedAssumptions = pgTable(
  'time_saved_assumptions',
  {
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    step: text('step').notNull(),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    minutes: integer('minutes').notNull(),
    source: text('source').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.step, t.effectiveFrom] })],
);

/**
 * Missed visits (issue 18 §1): one row per no-show or late cancellation, keyed by the EMR appointment, written by
 * the missedVisitFollowUp process. Ids, kinds and dates only (no PHI in clear): the episode's count and the
 * 2-in-14-days pattern are computed from these rows.
 */
export const missedVisits = pgTable(
  'missed_visits',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    emrAppointmentId: text('emr_appointment_id').notNull(),
    kind: text('kind', { enum: ['no_show', 'late_cancel'] }).notNull(),
    /** The episode (plan-of-care workflow id) the miss belongs to; null when no plan of care was open. */
    episodeWorkflowId: text('episode_workflow_id'),
    locationId: text('location_id').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    /** The practice-local date of the missed appointment. */
    missedOn: date('missed_on', { mode: 'string' }).notNull(),
    workflowId: text('workflow_id').notNull(),
    /** How it ended: rebooked by the patient's reply, handed to the front desk, or still open. */
    outcome: text('outcome', { enum: ['open', 'rebooked', 'front_desk'] })
      .notNull()
      .default('open'),
    rebookedEmrAppointmentId: text('rebooked_emr_appointment_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('missed_visits_appointment').on(t.practiceId, t.emrAppointmentId),
    index('missed_visits_patient').on(t.practiceId, t.patientId, t.missedOn),
  ],
);

/**
 * The waitlist (issue 18 §2): patients who want an earlier or any slot at a location. Offers for a freed slot
 * go out in the order domain/visits `rankWaitlist` explains; `filled_*` records the slot a patient got, which is
 * what `waitlistFills` counts.
 */
export const waitlistEntries = pgTable(
  'waitlist_entries',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id')
      .notNull()
      .references(() => practices.id),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    locationId: text('location_id').notNull(),
    therapistId: text('therapist_id'),
    acuity: integer('acuity').notNull(),
    minutes: integer('minutes').notNull(),
    authorizationEndsOn: date('authorization_ends_on', { mode: 'string' }),
    status: text('status', { enum: ['waiting', 'filled', 'removed'] })
      .notNull()
      .default('waiting'),
    source: text('source', { enum: ['api', 'cli', 'emr'] }).notNull(),
    filledEmrAppointmentId: text('filled_emr_appointment_id'),
    filledSlotStart: timestamp('filled_slot_start', { withTimezone: true }),
    filledAt: timestamp('filled_at', { withTimezone: true }),
    filledByWorkflowId: text('filled_by_workflow_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('waitlist_waiting').on(t.practiceId, t.locationId, t.status),
    index('waitlist_filled').on(t.practiceId, t.filledAt),
    // A patient waits once per location and therapist (or any therapist): a second add answers the first.
    uniqueIndex('waitlist_one_waiting')
      .on(t.practiceId, t.patientId, t.locationId, sql`coalesce(${t.therapistId}, '')`)
      .where(sql`${t.status} = 'waiting'`),
  ],
);

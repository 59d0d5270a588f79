// Practice setup over REST (issue 17): the caller's own practice — its profile (`/v1/practice`), locations,
// payers with their payer profiles, fee schedules imported from CSV, therapists and referring providers — and
// opening another practice (`POST /v1/practices`, which answers a one-time admin key for the new practice: the
// caller's own key never reaches it). Tenancy is the caller's practice; nothing here takes a practice id.
// Provider, payer and practice data is not PHI; the practice's tax id is stored encrypted and answered masked.
// Completing the profile releases the claims that were held for it (PRACTICE_PROFILE_MISSING_* findings).
import type { Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditChange } from '../audit.js';
import type { Database } from '../../db/connection.js';
import type { Keyring } from '../../db/crypto/keyring.js';
import { createFeeScheduleRepository } from '../../db/repositories/fee-schedules.js';
import { createLocationRepository } from '../../db/repositories/locations.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import {
  CLAIM_PROFILE_FIELDS,
  FeeScheduleImportSchema,
  LocationInputSchema,
  LocationUpdateSchema,
  NpiSchema,
  PayerIdSchema,
  PracticeCreateSchema,
  PracticePayerInputSchema,
  PracticeUpdateSchema,
  ReferrerInputSchema,
  TherapistInputSchema,
} from '../../domain/practice/profile.js';
import { PAYER_PROFILES } from '../../domain/rules/data/payer-profiles.js';
import { createApiKey } from '../auth/api-keys.js';
import { principalOf } from '../auth/plugin.js';
import { practiceService } from '../practice-service.js';
import { HttpProblem, problem } from '../problem.js';

export interface PracticeRouteDeps {
  db: Database;
  /** The data keyring: encrypts the practice tax id. Without it, writing or reading one answers 503. */
  keyring?: Keyring;
  /** Releases claims held for an incomplete profile once it is complete (absent: they wait for a correction). */
  temporal?: Client;
  /** The workers' task queue, where that release runs. */
  taskQueue?: string;
}

const TAG = 'practice';
const ADMIN = ['admin'] as const;
const READERS = ['admin', 'biller'] as const;

const address = z.object({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  state: z.string(),
  postalCode: z.string(),
});
const missingField = z.enum(CLAIM_PROFILE_FIELDS);

export const PracticeViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  legalName: z.string().nullable(),
  npi: z.string(),
  /** Masked: the last four digits only. */
  taxId: z.string().nullable(),
  taxonomy: z.string().nullable(),
  phone: z.string().nullable(),
  timezone: z.string(),
  serviceAddress: address.nullable(),
  payToAddress: address.nullable(),
  /** What claims still need from the profile; empty when they can name the practice. */
  missing: z.array(missingField),
  updatedAt: z.string(),
});

const LocationViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  timezone: z.string(),
  address: address.nullable(),
  phone: z.string().nullable(),
  npi: z.string().nullable(),
  placeOfService: z.string(),
  active: z.boolean(),
});

const PayerViewSchema = z.object({
  payerId: z.string(),
  name: z.string(),
  profileId: z.string(),
  clearinghousePayerId: z.string().nullable(),
  active: z.boolean(),
});

const FeeScheduleViewSchema = z.object({
  id: z.uuid(),
  payerId: z.string(),
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
  endsOn: z.string().nullable(),
  source: z.string(),
  rowCount: z.number().int(),
  importedAt: z.string(),
});

const TherapistViewSchema = z.object({
  npi: z.string(),
  lastName: z.string(),
  firstName: z.string().nullable(),
  discipline: z.enum(['PT', 'PTA']),
  credentials: z.string().nullable(),
  licenseState: z.string(),
  licenseNumber: z.string(),
  licenseExpires: z.string(),
  taxonomy: z.string().nullable(),
  active: z.boolean(),
});

const ReferrerViewSchema = z.object({
  npi: z.string(),
  lastName: z.string(),
  firstName: z.string().nullable(),
  organization: z.string().nullable(),
  phone: z.string().nullable(),
  fax: z.string().nullable(),
  address: address.nullable(),
  source: z.enum(['emr', 'admin']),
  active: z.boolean(),
});

const CreatedPracticeSchema = z.object({
  practice: PracticeViewSchema,
  /** A one-time admin API key for the new practice (shown once; only its hash is kept). */
  adminKey: z.object({ prefix: z.string(), key: z.string() }),
});

const noKeyring = () =>
  new HttpProblem(problem(503, 'No data keyring is configured: a tax id is never stored in clear.'));
const notFound = (what: string) => new HttpProblem(problem(404, `No such ${what}.`));

export const practiceRoutes = (deps: PracticeRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    // The handlers that change the profile go through the practice service (api/practice-service.ts), which the
    // console's setup wizard calls too: one code path for checks, audit events and releasing held claims.
    const service = practiceService(deps);
    const actorOf = (req: FastifyRequest) => ({ principal: principalOf(req), requestId: req.id, ip: req.ip });
    const practices = createPracticeRepository(deps.db, deps.keyring);
    const locations = createLocationRepository(deps.db);
    const fees = createFeeScheduleRepository(deps.db);
    const audit = (
      req: FastifyRequest,
      action: 'C' | 'U',
      resourceType: string,
      id: string,
      fields: string[],
    ) =>
      auditChange(
        deps.db,
        { principal: principalOf(req), requestId: req.id, ip: req.ip },
        { action, resourceType, resourceId: id, fields },
      );

    app.post(
      '/v1/practices',
      {
        config: { roles: ADMIN, idempotent: true },
        schema: {
          operationId: 'createPractice',
          tags: [TAG],
          summary: 'Open another practice (its own tenant); answers a one-time admin API key for it',
          description:
            'Name, NPI (check digit verified) and IANA time zone are required; the rest of the profile can ' +
            "follow with PATCH /v1/practice using the new practice's key. The caller's key does not reach the " +
            'new practice. `ptflow practice create` does the same from the server.',
          body: PracticeCreateSchema,
          response: { 201: CreatedPracticeSchema },
        },
      },
      async (req, reply) => {
        if (req.body.taxId !== undefined && !deps.keyring) throw noKeyring();
        const id = await practices.create(req.body);
        const key = await createApiKey(deps.db, { practiceId: id, role: 'admin', label: 'first admin' });
        await audit(req, 'C', 'practice', id, Object.keys(req.body));
        return reply
          .code(201)
          .send({ practice: await service.profile(id), adminKey: { prefix: key.prefix, key: key.key } });
      },
    );

    app.get(
      '/v1/practice',
      {
        config: { roles: READERS },
        schema: {
          operationId: 'getPractice',
          tags: [TAG],
          summary: "The caller's practice profile and what claims still need from it",
          response: { 200: PracticeViewSchema },
        },
      },
      async (req) => service.profile(principalOf(req).practiceId),
    );

    app.patch(
      '/v1/practice',
      {
        config: { roles: ADMIN },
        schema: {
          operationId: 'updatePractice',
          tags: [TAG],
          summary: 'Change profile fields; completing the profile releases claims held for it',
          body: PracticeUpdateSchema,
          response: { 200: PracticeViewSchema },
        },
      },
      async (req) => service.updateProfile(actorOf(req), req.body),
    );

    app.get(
      '/v1/practice/locations',
      {
        config: { roles: ['admin', 'biller', 'front_desk'] },
        schema: {
          operationId: 'listPracticeLocations',
          tags: [TAG],
          summary: "The practice's locations",
          response: { 200: z.object({ items: z.array(LocationViewSchema) }) },
        },
      },
      async (req) => ({ items: await service.locations(principalOf(req).practiceId) }),
    );

    app.post(
      '/v1/practice/locations',
      {
        config: { roles: ADMIN, idempotent: true },
        schema: {
          operationId: 'addPracticeLocation',
          tags: [TAG],
          summary: 'Add a location (time zone defaults to the practice’s)',
          body: LocationInputSchema,
          response: { 201: LocationViewSchema },
        },
      },
      async (req, reply) => reply.code(201).send(await service.addLocation(actorOf(req), req.body)),
    );

    app.patch(
      '/v1/practice/locations/:id',
      {
        config: { roles: ADMIN },
        schema: {
          operationId: 'updatePracticeLocation',
          tags: [TAG],
          summary: 'Change a location',
          params: z.strictObject({ id: z.uuid() }),
          body: LocationUpdateSchema,
          response: { 200: LocationViewSchema },
        },
      },
      async (req) => {
        const updated = await locations.update(principalOf(req).practiceId, req.params.id, req.body);
        if (!updated) throw notFound('location');
        await audit(req, 'U', 'practice_location', updated.id, Object.keys(req.body));
        return updated;
      },
    );

    app.get(
      '/v1/practice/payers',
      {
        config: { roles: READERS },
        schema: {
          operationId: 'listPracticePayers',
          tags: [TAG],
          summary: 'The payers the practice bills, and the payer profiles one can follow',
          response: {
            200: z.object({
              items: z.array(PayerViewSchema),
              profiles: z.array(z.object({ profileId: z.string(), name: z.string(), kind: z.string() })),
            }),
          },
        },
      },
      async (req) => ({
        items: await service.payers(principalOf(req).practiceId),
        profiles: [...new Map(PAYER_PROFILES.map((p) => [p.payerId, p])).values()].map((p) => ({
          profileId: p.payerId,
          name: p.name,
          kind: p.kind,
        })),
      }),
    );

    app.put(
      '/v1/practice/payers/:payerId',
      {
        config: { roles: ADMIN },
        schema: {
          operationId: 'putPracticePayer',
          tags: [TAG],
          summary: 'Add or change a payer the practice bills (its payer profile must be a known one)',
          params: z.strictObject({ payerId: PayerIdSchema }),
          body: PracticePayerInputSchema,
          response: { 200: PayerViewSchema },
        },
      },
      async (req) => service.putPayer(actorOf(req), req.params.payerId, req.body),
    );

    app.get(
      '/v1/practice/fee-schedules',
      {
        config: { roles: READERS },
        schema: {
          operationId: 'listFeeSchedules',
          tags: [TAG],
          summary: 'Imported fee schedules, effective-dated',
          response: { 200: z.object({ items: z.array(FeeScheduleViewSchema) }) },
        },
      },
      async (req) => ({ items: await service.feeSchedules(principalOf(req).practiceId) }),
    );

    app.get(
      '/v1/practice/fee-schedules/:id',
      {
        config: { roles: READERS },
        schema: {
          operationId: 'getFeeSchedule',
          tags: [TAG],
          summary: 'One fee schedule with its rows',
          params: z.strictObject({ id: z.uuid() }),
          response: {
            200: FeeScheduleViewSchema.extend({
              rows: z.array(
                z.object({
                  code: z.string(),
                  chargeCents: z.number().int(),
                  expectedAllowedCents: z.number().int().nullable(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => {
        const found = await fees.get(principalOf(req).practiceId, req.params.id);
        if (!found) throw notFound('fee schedule');
        return found;
      },
    );

    app.post(
      '/v1/practice/fee-schedules',
      {
        config: { roles: READERS, idempotent: true },
        schema: {
          operationId: 'importFeeSchedule',
          tags: [TAG],
          summary: 'Import a fee schedule from CSV (all rows or none; errors name line and column)',
          description:
            'The CSV header names the columns `code`, `charge` and optionally `expected_allowed` (dollars). ' +
            'Every row is validated; any defect rejects the whole import with 422 and one entry per defect in ' +
            '`errors` (`line`, 1 = the header; `column` by name and `columnNumber`). A schedule ends the day ' +
            "before the same payer's next schedule starts.",
          body: FeeScheduleImportSchema,
          response: { 201: FeeScheduleViewSchema },
        },
      },
      async (req, reply) => reply.code(201).send(await service.importFeeSchedule(actorOf(req), req.body)),
    );

    app.get(
      '/v1/practice/therapists',
      {
        config: { roles: ['admin', 'biller', 'front_desk'] },
        schema: {
          operationId: 'listPracticeTherapists',
          tags: [TAG],
          summary: 'Therapists on staff (PT/PTA) with credentials and licenses',
          response: { 200: z.object({ items: z.array(TherapistViewSchema) }) },
        },
      },
      async (req) => ({ items: await service.therapists(principalOf(req).practiceId) }),
    );

    app.put(
      '/v1/practice/therapists/:npi',
      {
        config: { roles: ADMIN },
        schema: {
          operationId: 'putPracticeTherapist',
          tags: [TAG],
          summary: 'Add or change a therapist (directory entry for claims and a bookable clinician)',
          params: z.strictObject({ npi: NpiSchema }),
          body: TherapistInputSchema,
          response: { 200: TherapistViewSchema },
        },
      },
      async (req) => service.putTherapist(actorOf(req), req.params.npi, req.body),
    );

    app.get(
      '/v1/practice/referrers',
      {
        config: { roles: ['admin', 'biller', 'front_desk', 'therapist'] },
        schema: {
          operationId: 'listReferrers',
          tags: [TAG],
          summary: 'The referring-provider directory (synced from the EMR; admin entries win)',
          response: { 200: z.object({ items: z.array(ReferrerViewSchema) }) },
        },
      },
      async (req) => ({ items: await service.referrers(principalOf(req).practiceId) }),
    );

    app.put(
      '/v1/practice/referrers/:npi',
      {
        config: { roles: ['admin', 'front_desk'] },
        schema: {
          operationId: 'putReferrer',
          tags: [TAG],
          summary: 'Add or correct a referring provider (kept over later EMR syncs)',
          params: z.strictObject({ npi: NpiSchema }),
          body: ReferrerInputSchema,
          response: { 200: ReferrerViewSchema },
        },
      },
      async (req) => service.putReferrer(actorOf(req), req.params.npi, req.body),
    );
  };

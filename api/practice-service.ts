// The practice setup service: what the admin REST routes (/v1/practice…, api/routes/practice.ts) and the console's
// setup wizard (api/routes/console-setup.ts) both call to read and change a practice's profile — the checks beyond
// the zod schemas (a known payer profile, a schedule that ends after it starts, a CSV whose every row is valid),
// the repositories, the audit event of every change, and releasing the claims held for an incomplete profile
// once it is complete. Tenancy: every function works on the caller's own practice (`actor.principal`).
import type { Client } from '@temporalio/client';
import { auditChange, type AuditActor } from './audit.js';
import type { Database } from '../db/connection.js';
import type { Keyring } from '../db/crypto/keyring.js';
import { createFeeScheduleRepository, FeeScheduleConflict } from '../db/repositories/fee-schedules.js';
import { createLocationRepository } from '../db/repositories/locations.js';
import { createPracticePayerRepository } from '../db/repositories/practice-payers.js';
import { createPracticeRepository, type PracticeProfileView } from '../db/repositories/practices.js';
import { createPractitionerRepository } from '../db/repositories/practitioners.js';
import { createReferrerRepository } from '../db/repositories/referring-providers.js';
import { parseFeeScheduleCsv } from '../domain/practice/fee-schedule-csv.js';
import {
  missingProfileFields,
  type ClaimProfileField,
  type FeeScheduleImport,
  type LocationInput,
  type PracticePayerInput,
  type PracticeUpdate,
  type ReferrerInput,
  type TherapistInput,
} from '../domain/practice/profile.js';
import { PAYER_PROFILES } from '../domain/rules/data/payer-profiles.js';
import { HttpProblem, problem } from './problem.js';
import { resumeClaimsHeldForProfile } from './routes/practice-claims.js';

export type { PracticeProfileView };

export interface PracticeServiceDeps {
  db: Database;
  /** The data keyring: encrypts the practice tax id. Without it, writing or reading one answers 503. */
  keyring?: Keyring;
  /** Releases claims held for an incomplete profile once it is complete (absent: they wait for a correction). */
  temporal?: Client;
  /** The workers' task queue, where the release of held claims runs (absent: they wait for a correction). */
  taskQueue?: string;
}

/** Who changes the profile, for the audit event. */
export type Actor = AuditActor;

const noKeyring = () =>
  new HttpProblem(problem(503, 'No data keyring is configured: a tax id is never stored in clear.'));
const notFound = (what: string) => new HttpProblem(problem(404, `No such ${what}.`));
/** A field's validation problem in the shape of the schema ones (names the field, never the value). */
export const fieldProblem = (pointer: string, detail: string, status = 422) =>
  new HttpProblem(problem(status, detail, { errors: [{ in: 'body', pointer, code: 'invalid', detail }] }));

const profileIds = new Set(PAYER_PROFILES.map((p) => p.payerId));

/** The practice service over `deps`. */
export function practiceService(deps: PracticeServiceDeps) {
  const practices = createPracticeRepository(deps.db, deps.keyring);
  const locations = createLocationRepository(deps.db);
  const payers = createPracticePayerRepository(deps.db);
  const fees = createFeeScheduleRepository(deps.db);
  const directory = createPractitionerRepository(deps.db);
  const referrers = createReferrerRepository(deps.db);

  const audit = (a: Actor, action: 'C' | 'U', resourceType: string, id: string, fields: string[]) =>
    auditChange(deps.db, a, { action, resourceType, resourceId: id, fields });

  const service = {
    /** The profile as staff see it (tax id masked) and what claims still need from it. */
    async profile(practiceId: string): Promise<PracticeProfileView> {
      if (!deps.keyring) throw noKeyring();
      const view = await practices.profile(practiceId);
      if (!view) throw notFound('practice');
      return view;
    },

    /** What claims still need from the profile (no keyring needed: a tax id is only known to be on file). */
    async missingProfileFields(practiceId: string): Promise<ClaimProfileField[]> {
      const row = await practices.get(practiceId);
      if (!row) throw notFound('practice');
      return missingProfileFields({
        legalName: row.legalName,
        npi: row.npi,
        hasTaxId: row.taxIdEnc !== null,
        phone: row.phone,
        serviceAddress: row.serviceAddress,
      });
    },

    /** Changes profile fields; completing the profile releases the claims held for it. */
    async updateProfile(a: Actor, body: PracticeUpdate): Promise<PracticeProfileView> {
      const practiceId = a.principal.practiceId;
      if (!deps.keyring) throw noKeyring();
      if (Object.keys(body).length === 0) throw fieldProblem('', 'Name at least one field to change.', 400);
      const { payToAddress, taxonomy, ...rest } = body;
      const changed = await practices.update(practiceId, {
        ...rest,
        ...(payToAddress !== undefined ? { payToAddress } : {}),
        ...(taxonomy !== undefined ? { taxonomy } : {}),
      });
      if (!changed) throw notFound('practice');
      await audit(a, 'U', 'practice', practiceId, Object.keys(body));
      const view = await service.profile(practiceId);
      if (view.missing.length === 0 && deps.temporal && deps.taskQueue) {
        await resumeClaimsHeldForProfile(deps.temporal, deps.taskQueue, practiceId, a.principal.id);
      }
      return view;
    },

    locations: (practiceId: string) => locations.list(practiceId),

    /** Adds a location (its time zone defaults to the practice's). */
    async addLocation(a: Actor, body: LocationInput) {
      const practiceId = a.principal.practiceId;
      const practice = await practices.get(practiceId);
      if (!practice) throw notFound('practice');
      const created = await locations.create(practiceId, {
        ...body,
        timezone: body.timezone ?? practice.timezone,
      });
      await audit(a, 'C', 'practice_location', created.id, Object.keys(body));
      return created;
    },

    payers: (practiceId: string) => payers.list(practiceId),

    /** Adds or changes a payer the practice bills (its payer profile must be a known one). */
    async putPayer(a: Actor, payerId: string, body: PracticePayerInput) {
      if (!profileIds.has(body.profileId)) {
        throw fieldProblem('/profileId', 'Not a known payer profile (GET /v1/practice/payers lists them).');
      }
      const practiceId = a.principal.practiceId;
      const saved = await payers.put(practiceId, payerId, body);
      await audit(a, 'U', 'practice_payer', `${practiceId}:${payerId}`, Object.keys(body));
      return saved;
    },

    feeSchedules: (practiceId: string) => fees.list(practiceId),

    /**
     * Imports a fee schedule from CSV: all rows or none. A defective file answers 422 with one `errors` entry per
     * defect (`line`, `column`, `columnNumber`, pointer `/csv`); a schedule of the same payer starting the same
     * day answers 409 on `/effectiveFrom`.
     */
    async importFeeSchedule(a: Actor, b: FeeScheduleImport) {
      if (b.effectiveTo !== undefined && b.effectiveTo < b.effectiveFrom) {
        throw fieldProblem('/effectiveTo', 'The schedule ends before it starts.');
      }
      const parsed = parseFeeScheduleCsv(b.csv);
      if (!parsed.ok) {
        throw new HttpProblem(
          problem(422, `The fee schedule has ${parsed.errors.length} error(s); nothing was imported.`, {
            errors: parsed.errors.map((e) => ({
              in: 'body',
              pointer: '/csv',
              code: 'csv_row',
              detail: `line ${e.line}, column ${e.column}${e.columnNumber ? ` (${e.columnNumber})` : ''}: ${e.detail}`,
              line: e.line,
              column: e.column,
              ...(e.columnNumber ? { columnNumber: e.columnNumber } : {}),
            })),
          }),
        );
      }
      try {
        const saved = await fees.import(a.principal.practiceId, {
          payerId: b.payerId,
          effectiveFrom: b.effectiveFrom,
          ...(b.effectiveTo ? { effectiveTo: b.effectiveTo } : {}),
          source: b.source ?? 'imported CSV',
          importedBy: a.principal.id,
          rows: parsed.rows,
        });
        await audit(a, 'C', 'fee_schedule', saved.id, ['payerId', 'effectiveFrom', 'csv']);
        return saved;
      } catch (err) {
        if (err instanceof FeeScheduleConflict) {
          throw new HttpProblem(
            problem(409, 'A schedule for this payer already starts on that date.', {
              errors: [{ in: 'body', pointer: '/effectiveFrom', code: 'conflict', detail: 'already taken' }],
            }),
          );
        }
        throw err;
      }
    },

    therapists: (practiceId: string) => directory.listTherapists(practiceId),

    /** Adds or changes a therapist (directory entry for claims and a bookable clinician). */
    async putTherapist(a: Actor, npi: string, body: TherapistInput) {
      const practiceId = a.principal.practiceId;
      const saved = await directory.upsertTherapist(practiceId, npi, body);
      await audit(a, 'U', 'practice_therapist', `${practiceId}:${npi}`, Object.keys(body));
      return saved;
    },

    referrers: (practiceId: string) => referrers.list(practiceId),

    /** Adds or corrects a referring provider (kept over later EMR syncs). */
    async putReferrer(a: Actor, npi: string, body: ReferrerInput) {
      const practiceId = a.principal.practiceId;
      const saved = await referrers.put(practiceId, npi, body);
      await audit(a, 'U', 'referring_provider', `${practiceId}:${npi}`, Object.keys(body));
      return saved;
    },
  };
  return service;
}

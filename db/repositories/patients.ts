// Our patient mirror: one row per patient, demographics encrypted as one JSON field bound to its
// row and practice (AAD), a keyed match hash of last name + date of birth for lookups without decrypting.
// Upsert is idempotent on our patient id, so a retried activity or a repeated webhook changes nothing twice.
import { eq, sql } from 'drizzle-orm';
import { recordPhiRead } from '../audit/phi-reads.js';
import type { Database } from '../connection.js';
import { patientMatchHash } from '../crypto/blind-index.js';
import { fieldContext } from '../crypto/encrypted-tables.js';
import { decryptFieldText, encryptField } from '../crypto/field-encryption.js';
import { patients } from '../schema.js';
import type { PatientDemographics } from '../../domain/onboarding/intake.js';
import type { RepositoryKeys } from './keys.js';
import { idsByHash, ownedRow } from './owned-rows.js';

export interface PatientRecord {
  patientId: string;
  practiceId: string;
  demographics: PatientDemographics;
  /** The EMR's id of the patient, once registered there (encrypted with the demographics). */
  emrPatientId?: string;
  preferredChannel: 'sms' | 'email';
  language: 'en' | 'es';
  timezone: string;
}

interface StoredDemographics {
  demographics: PatientDemographics;
  emrPatientId?: string;
}

const ctx = (practiceId: string, patientId: string) =>
  fieldContext('patients', 'demographics_enc', { tenant: practiceId, rowId: patientId });

export function createPatientRepository(db: Database, keys: RepositoryKeys) {
  return {
    /** Insert or update by our id. A row of another practice with the same id is never touched. */
    async upsert(p: PatientRecord): Promise<{ created: boolean }> {
      const stored: StoredDemographics = {
        demographics: p.demographics,
        ...(p.emrPatientId ? { emrPatientId: p.emrPatientId } : {}),
      };
      const enc = encryptField(JSON.stringify(stored), ctx(p.practiceId, p.patientId), keys.keyring);
      const values = {
        demographicsEnc: enc.data,
        keyId: enc.keyId,
        matchHash: patientMatchHash(keys.blindIndexKey, p.demographics.family, p.demographics.birthDate),
        preferredChannel: p.preferredChannel,
        language: p.language,
        timezone: p.timezone,
      };
      const rows = await db
        .insert(patients)
        .values({ id: p.patientId, practiceId: p.practiceId, ...values })
        .onConflictDoUpdate({
          target: patients.id,
          set: { ...values, version: sql`${patients.version} + 1`, updatedAt: new Date() },
          setWhere: eq(patients.practiceId, p.practiceId),
        })
        // xmax = 0 only on a freshly inserted row: tells "created" from "updated" in one round trip.
        .returning({ inserted: sql<boolean>`(xmax = 0)` });
      const [row] = rows;
      if (!row) throw new Error('patient id belongs to another practice');
      return { created: row.inserted };
    },

    async get(practiceId: string, patientId: string): Promise<PatientRecord | undefined> {
      const row = await ownedRow(db, patients, practiceId, patientId);
      if (!row) return undefined;
      const stored = JSON.parse(
        decryptFieldText(row.demographicsEnc, ctx(practiceId, patientId), keys.keyring),
      ) as StoredDemographics;
      recordPhiRead({ table: 'patients', rowId: patientId, patientRef: patientId, fields: ['demographics'] });
      return {
        patientId,
        practiceId,
        demographics: stored.demographics,
        ...(stored.emrPatientId ? { emrPatientId: stored.emrPatientId } : {}),
        preferredChannel: row.preferredChannel,
        language: row.language,
        timezone: row.timezone,
      };
    },

    /** Candidate patient ids with this last name and date of birth (a match still needs a person's eye). */
    async findByMatch(practiceId: string, family: string, birthDate: string): Promise<string[]> {
      const hash = patientMatchHash(keys.blindIndexKey, family, birthDate);
      return idsByHash(db, patients, practiceId, patients.matchHash, hash);
    },
  };
}

export type PatientRepository = ReturnType<typeof createPatientRepository>;

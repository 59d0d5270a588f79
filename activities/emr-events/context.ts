// What every event-router activity shares: the configured connectors (a missing one is a non-retryable
// ConnectorNotConfigured the workflow turns into an admin task), the practice-scoped EMR call, our repositories,
// and the practice's zone.
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { emrErrorToFailure } from '../../connectors/emr/failure.js';
import type { Emr } from '../../connectors/emr/types.js';
import type { Database } from '../../db/connection.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import type { RepositoryKeys } from '../../db/repositories/keys.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import type { Acuity, BodyRegion } from '../../domain/scheduling/types.js';

/**
 * What the router needs to know about a practice beyond its profile in the database (configured per deployment):
 * the intake side. The claim's parties come from the practice profile (db practices), not from here.
 */
export interface PracticeProfile {
  /** Secure links an EMR-originated onboarding sends (the forms service authenticates the patient). */
  intakeFormLink: string;
  insuranceUpdateLink: string;
  /**
   * The evaluation the optimizer books for a patient the EMR registered: the event says nothing about the
   * complaint, so the practice decides (e.g. subacute, general) and the therapist refines it at evaluation.
   */
  defaultEvaluation: { acuity: Acuity; bodyRegion: BodyRegion };
}

export interface EventRoutingDeps {
  db: Database;
  temporal?: Client;
  emr?: Emr;
  keys?: RepositoryKeys;
  practiceProfile?: (practiceId: string) => Promise<PracticeProfile | undefined>;
  /** Claim mailbox poll interval handed to claims started from events (as POST /v1/claims does). */
  claimPollMinutes?: number;
}

const notConfigured = (what: string) =>
  ApplicationFailure.nonRetryable(`No ${what} is configured for event routing.`, 'ConnectorNotConfigured');

/** The shared helpers of the router's activities over one set of deps. */
export function routingContext(deps: EventRoutingDeps) {
  /** The configured dependency, or a non-retryable ConnectorNotConfigured failure naming it. */
  const configured = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw notConfigured(what);
    return value;
  };
  return {
    configured,
    temporal: () => configured(deps.temporal, 'Temporal client'),
    /**
     * Calls the practice's EMR. Undefined when the configured EMR connection belongs to another practice: that
     * practice's ids mean nothing here (and would name its patients), so the event is treated as one about a
     * patient the EMR does not know.
     */
    async emrCall<T>(practiceId: string, call: (emr: Emr) => Promise<T>): Promise<T | undefined> {
      const emr = configured(deps.emr, 'EMR connector');
      if (emr.practiceId !== undefined && emr.practiceId !== practiceId) return undefined;
      try {
        return await call(emr);
      } catch (err) {
        throw emrErrorToFailure(err);
      }
    },
    repositories() {
      const keys = configured(deps.keys, 'data keyring');
      return {
        patients: createPatientRepository(deps.db, keys),
        coverages: createCoverageRepository(deps.db, keys),
      };
    },
    /** The practice's time zone, or undefined for a practice we do not know. */
    async practiceZone(practiceId: string): Promise<string | undefined> {
      return (await createPracticeRepository(deps.db).get(practiceId))?.timezone;
    },
  };
}

export type RoutingContext = ReturnType<typeof routingContext>;

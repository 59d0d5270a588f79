// createActivities(deps) returns every activity the worker registers. Workflows import only the *type*.
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { PayerConnector } from '../connectors/payer/types.js';
import type { Database } from '../db/connection.js';
import type { Keyring } from '../db/crypto/keyring.js';
import { createAuthorizationActivities, type AuthorizationPayerPort } from './prior-authorization/index.js';
import { createEquipmentActivities } from './equipment/index.js';
import { createOnboardingActivities, type OnboardingConnectorDeps } from './onboarding/index.js';
import { createSeriesActivities } from './series/index.js';
import { createClaimActivities, type PatientStatementPort } from './claim/index.js';
import { createPlanOfCareActivities, type PhysicianPort } from './plan-of-care/index.js';
import { createProgressReportActivities, type ProgressReportDeps } from './progress-reports/index.js';
import { createPocSignatureActivities, type PhysicianDirectory } from './poc-signature/index.js';
import { referringProviderDirectory } from './poc-signature/directory.js';
import type { PhysicianDelivery } from '../connectors/physician-delivery/types.js';
import { createTaskActivities } from './tasks/index.js';
import { createScheduleActivities, type StaffDigestDeps } from './schedules/index.js';
import { createEventRouterActivities, type EventRoutingDeps } from './emr-events/index.js';
import { createVisitActivities } from './visits/index.js';
import { auditPhiReads } from './phi-read-audit.js';
import { withRecordIntegrity } from './integrity.js';
import { withDatabaseOutages } from './database-outage.js';

export interface ActivityDeps {
  db: Database;
  /** The data keyring of the PHI columns (task outcomes); defaults to the onboarding connectors' keys. */
  dataKeyring?: Keyring;
  /** Client for activities that read other processes' state (queries). */
  temporal?: Client;
  /** Prior-authorization requests and status (the payer's 278 or portal, behind the payer connector). */
  payer?: AuthorizationPayerPort;
  /** Claims, acknowledgements and remittances (clearinghouse or sandbox payer). */
  payerConnector?: PayerConnector;
  /** Patient statements (messaging connector + the patient's contact preference). */
  statements?: PatientStatementPort;
  /** Documents to the referring practitioner (EMR / fax / secure messaging connector). */
  physician?: PhysicianPort;
  /** POC signatures: the fax/Direct/e-mail delivery port and where each referring office takes documents. */
  physicianDelivery?: PhysicianDelivery;
  physicianDirectory?: PhysicianDirectory;
  /** Onboarding: EMR, messaging and the data keys of the patient mirror (payer: `payerConnector`). */
  onboarding?: OnboardingConnectorDeps;
  /** Scheduled jobs: staff digest recipients per practice and the link it carries (messaging: `onboarding`). */
  schedules?: Pick<StaffDigestDeps, 'recipients' | 'link'>;
  /** The EMR event router: practice billing/intake profile and the claim poll interval (EMR and keys: `onboarding`). */
  eventRouting?: Pick<EventRoutingDeps, 'practiceProfile' | 'claimPollMinutes'>;
  /**
   * Progress reports to the referring physician (issue 17 point 3): the PhysicianDelivery port and the
   * physician's addresses (EMR, keys: `onboarding`; the practice header comes from the practice profile).
   */
  progressReports?: Pick<ProgressReportDeps, 'delivery' | 'recipient' | 'now'>;
}

/**
 * A worker started without some connector fails the activities that need it, non-retryably and with a type
 * the workflow can show, instead of guessing or retrying forever.
 */
const PAYER_CONNECTOR = "payer connector (the worker's CLEARINGHOUSE_* settings)";

function notConfigured<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: () => () =>
      Promise.reject(ApplicationFailure.nonRetryable(`No ${what} is configured.`, 'ConnectorNotConfigured')),
  });
}

export function createActivities(deps: ActivityDeps) {
  // Every PHI row an activity decrypts is audited on the hash chain when it ends (phi-read-audit.ts); an encrypted
  // row that fails its integrity check raises an alert and one security task, without retries (integrity.ts).
  // A database that is down or full is one small retryable failure (database-outage.ts).
  return withDatabaseOutages(
    withRecordIntegrity(auditPhiReads(deps.db, createAllActivities(deps)), {
      db: deps.db,
      ...(deps.temporal ? { temporal: deps.temporal } : {}),
    }),
  );
}

function createAllActivities(deps: ActivityDeps) {
  return {
    ...createTaskActivities({
      db: deps.db,
      ...(deps.dataKeyring || deps.onboarding
        ? { dataKeyring: deps.dataKeyring ?? deps.onboarding!.keys.keyring }
        : {}),
    }),
    ...createScheduleActivities({
      db: deps.db,
      ...(deps.temporal ? { temporal: deps.temporal } : {}),
      ...(deps.onboarding ? { messaging: deps.onboarding.messaging, emr: deps.onboarding.emr } : {}),
      recipients: deps.schedules?.recipients ?? {},
      ...(deps.schedules?.link ? { link: deps.schedules.link } : {}),
    }),
    ...createEventRouterActivities({
      db: deps.db,
      ...(deps.temporal ? { temporal: deps.temporal } : {}),
      ...(deps.onboarding ? { emr: deps.onboarding.emr, keys: deps.onboarding.keys } : {}),
      ...deps.eventRouting,
    }),
    ...createAuthorizationActivities({
      payer: deps.payer ?? notConfigured<AuthorizationPayerPort>(PAYER_CONNECTOR),
    }),
    ...createClaimActivities({
      db: deps.db,
      ...(deps.temporal ? { temporal: deps.temporal } : {}),
      payer: deps.payerConnector ?? notConfigured<PayerConnector>(PAYER_CONNECTOR),
      ...(deps.statements ? { statements: deps.statements } : {}),
      ...(deps.onboarding ? { emr: deps.onboarding.emr } : {}),
      // The practice's tax id on the 837P (its profile) is encrypted under the data keyring.
      ...(deps.dataKeyring || deps.onboarding
        ? { dataKeyring: deps.dataKeyring ?? deps.onboarding!.keys.keyring }
        : {}),
    }),
    ...createPlanOfCareActivities({ physician: deps.physician }),
    ...createProgressReportActivities({
      db: deps.db,
      ...(deps.temporal ? { temporal: deps.temporal } : {}),
      ...(deps.onboarding ? { emr: deps.onboarding.emr, keys: deps.onboarding.keys } : {}),
      ...(deps.dataKeyring ? { keyring: deps.dataKeyring } : {}),
      // The same delivery port and referring-provider directory as the POC signatures unless given for reports.
      ...(deps.physicianDelivery ? { delivery: deps.physicianDelivery } : {}),
      recipient: async ({ practiceId, npi }) =>
        npi
          ? (deps.physicianDirectory ?? referringProviderDirectory(deps.db)).recipient(practiceId, npi)
          : undefined,
      ...deps.progressReports,
    }),
    ...createPocSignatureActivities({
      db: deps.db,
      ...(deps.temporal ? { temporal: deps.temporal } : {}),
      ...(deps.physicianDelivery ? { delivery: deps.physicianDelivery } : {}),
      // Where each referring office takes documents: the practice's referring-provider directory by default.
      directory: deps.physicianDirectory ?? referringProviderDirectory(deps.db),
    }),
    ...createEquipmentActivities({ db: deps.db }),
    ...createSeriesActivities({
      db: deps.db,
      ...(deps.temporal ? { temporal: deps.temporal } : {}),
      ...(deps.onboarding ? { emr: deps.onboarding.emr, keys: deps.onboarding.keys } : {}),
    }),
    // Missed-visit follow-up and waitlist fill (issue 18 §1/§2): EMR, messaging and keys of the onboarding connectors.
    ...createVisitActivities({
      db: deps.db,
      ...(deps.temporal ? { temporal: deps.temporal } : {}),
      ...(deps.onboarding
        ? {
            emr: deps.onboarding.emr,
            messaging: deps.onboarding.messaging,
            keys: deps.onboarding.keys,
            practiceContact: deps.onboarding.practiceContact,
          }
        : {}),
    }),
    ...createOnboardingActivities(
      deps.onboarding && {
        ...deps.onboarding,
        db: deps.db,
        payer: deps.payerConnector ?? notConfigured<PayerConnector>(PAYER_CONNECTOR),
      },
    ),
  };
}

export type Activities = ReturnType<typeof createActivities>;

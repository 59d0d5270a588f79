// What the onboarding activities need. Connectors come in as ports, so the worker wires the real adapters or
// the sandboxes and tests wire the sandboxes on the real database.
import type { Emr } from '../../connectors/emr/types.js';
import type { Messaging } from '../../connectors/messaging/types.js';
import type { PracticeContact } from '../../connectors/messaging/templates/index.js';
import type { PayerConnector } from '../../connectors/payer/types.js';
import type { Database } from '../../db/connection.js';
import type { RepositoryKeys } from '../../db/repositories/keys.js';
import type { SlotSource } from '../../domain/scheduling/index.js';

export interface OnboardingActivityDeps {
  db: Database;
  emr: Emr;
  payer: PayerConnector;
  messaging: Messaging;
  /** Data keyring + blind-index key for the patient and coverage mirror. */
  keys: RepositoryKeys;
  /** Practice name and phone for message templates. */
  practiceContact: (practiceId: string) => Promise<PracticeContact>;
  /** Free-slot search; defaults to the EMR's (joined with our therapists for the discipline). */
  slots?: SlotSource;
  now?: () => Date;
}

/** The connectors part the worker configures (the database and payer come from the shared deps). */
export type OnboardingConnectorDeps = Omit<OnboardingActivityDeps, 'db' | 'payer'>;

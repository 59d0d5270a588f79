// What the claim activities are built from, shared by their modules.
import type { Client } from '@temporalio/client';
import type { Emr } from '../../connectors/emr/types.js';
import { payerErrorToFailure } from '../../connectors/payer/failure.js';
import type { PayerConnector } from '../../connectors/payer/types.js';
import type { Database } from '../../db/connection.js';
import type { Keyring } from '../../db/crypto/keyring.js';
import type { PatientStatementPort } from './types.js';

export interface ClaimActivityDeps {
  db: Database;
  payer: PayerConnector;
  /** Reads the plan-of-care process's state (a query) for the scrubber. */
  temporal?: Client;
  /** Absent when no messaging is configured: the workflow then hands the statement to a biller. */
  statements?: PatientStatementPort;
  /** The EMR: a rendering NPI the directory lacks is looked up among its Practitioners and synced. */
  emr?: Pick<Emr, 'findPractitioner'>;
  /** The data keyring: decrypts the practice's tax id for the 837P (needed once a profile is complete). */
  dataKeyring?: Keyring;
}

/** A payer connector error as the activity failure the workflow sees (retryable or not by its kind). */
export function rethrowAsPayerFailure(err: unknown): never {
  throw payerErrorToFailure(err);
}

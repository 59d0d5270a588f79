// createActivities(deps) returns every activity the worker registers. Workflows import only the *type*.
import { ApplicationFailure } from '@temporalio/activity';
import type { Database } from '../db/connection.js';
import { createAuthorizationActivities, type AuthorizationPayerPort } from './authorizations.js';
import { createPlanOfCareActivities, type PhysicianPort } from './plan-of-care.js';
import { createTaskActivities } from './tasks.js';

export interface ActivityDeps {
  db: Database;
  /** Payer connector (clearinghouse or sandbox payer). */
  payer?: AuthorizationPayerPort;
  /** Documents to the referring practitioner (EMR / fax / secure messaging connector). */
  physician?: PhysicianPort;
}

/** A worker started without a payer connector fails payer activities clearly instead of guessing. */
const payerNotConfigured: AuthorizationPayerPort = {
  submit: () =>
    Promise.reject(
      ApplicationFailure.nonRetryable('No payer connector is configured.', 'PayerNotConfigured'),
    ),
  status: () =>
    Promise.reject(
      ApplicationFailure.nonRetryable('No payer connector is configured.', 'PayerNotConfigured'),
    ),
};

export function createActivities(deps: ActivityDeps) {
  return {
    ...createTaskActivities(deps),
    ...createAuthorizationActivities({ payer: deps.payer ?? payerNotConfigured }),
    ...createPlanOfCareActivities({ physician: deps.physician }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

// The authorization activities' payer port over the real payer connector: every submission and status query is
// a 278 through the configured clearinghouse (the sandbox payer under `ptflow dev` and in tests). Member and
// patient details are read from our encrypted mirror at call time (the current truth after a coverage
// update); the trace number comes from the activity's idempotency key, so a retried submission is the same
// request at the payer and a status query asks about it.
import { ApplicationFailure } from '@temporalio/common';
import { payerErrorToFailure } from '../../connectors/payer/failure.js';
import type {
  AuthorizationDecision,
  AuthorizationRequest,
  PayerConnector,
} from '../../connectors/payer/types.js';
import type { Gender } from '../../connectors/payer/x12/index.js';
import type { Database } from '../../db/connection.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import type { RepositoryKeys } from '../../db/repositories/keys.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import {
  authorizationTraceNumber,
  toAuthorizationRequest,
  toPayerDecision,
  type AuthorizationParties,
} from './mapping.js';
import type { AuthorizationPayerPort, AuthorizationSubmission } from './index.js';

export interface PayerAuthorizationDeps {
  db: Database;
  keys: RepositoryKeys;
  payer: PayerConnector;
  /**
   * Codes requested when the submission names none (onboarding asks before the evaluation has planned any):
   * 97110 therapeutic exercise is on nearly every PT plan of care. A practice configures its own.
   */
  defaultProcedureCodes?: readonly string[];
}

const GENDER: Record<string, Gender> = { male: 'M', female: 'F' };
export const DEFAULT_AUTH_PROCEDURE_CODES: readonly string[] = ['97110'];

export function createPayerAuthorizationPort(deps: PayerAuthorizationDeps): AuthorizationPayerPort {
  const patients = createPatientRepository(deps.db, deps.keys);
  const coverages = createCoverageRepository(deps.db, deps.keys);
  const practices = createPracticeRepository(deps.db);

  async function parties(sub: AuthorizationSubmission): Promise<AuthorizationParties> {
    const [patient, coverage, practice] = await Promise.all([
      patients.get(sub.practiceId, sub.patientId),
      coverages.get(sub.practiceId, sub.coverageId),
      practices.get(sub.practiceId),
    ]);
    if (!patient || !coverage || !practice) {
      throw ApplicationFailure.create({
        type: 'AuthorizationDataMissing',
        message: 'The authorization request cannot be sent: patient, coverage or practice not on file.',
        nonRetryable: true,
        details: [{ reasonCode: 'record_missing' }],
      });
    }
    if (coverage.patientId !== sub.patientId || coverage.payerId !== sub.payerId) {
      // The coverage now belongs to another payer (insurance update): this authorization's payer is gone.
      throw ApplicationFailure.create({
        type: 'AuthorizationCoverageChanged',
        message: "The coverage no longer matches the authorization's payer.",
        nonRetryable: true,
        details: [{ reasonCode: 'coverage_moved' }],
      });
    }
    const d = patient.demographics;
    return {
      member: {
        memberId: coverage.memberId,
        lastName: d.family,
        ...(d.given[0] !== undefined ? { firstName: d.given[0] } : {}),
        dateOfBirth: d.birthDate,
        gender: GENDER[d.sex] ?? 'U',
      },
      requester: { name: practice.name, npi: practice.npi },
    };
  }

  async function call(
    sub: AuthorizationSubmission,
    idempotencyKey: string,
    send: (req: AuthorizationRequest) => Promise<AuthorizationDecision>,
  ) {
    const req = toAuthorizationRequest(
      sub,
      await parties(sub),
      authorizationTraceNumber(idempotencyKey),
      deps.defaultProcedureCodes ?? DEFAULT_AUTH_PROCEDURE_CODES,
    );
    let decision: AuthorizationDecision;
    try {
      decision = await send(req);
    } catch (err) {
      throw payerErrorToFailure(err);
    }
    return toPayerDecision(decision);
  }

  return {
    submit: (sub, key) => call(sub, key, (req) => deps.payer.submitAuthorization(req)),
    status: (sub, key) => call(sub, key, (req) => deps.payer.queryAuthorization(req)),
  };
}

// The authorization activities' payer port over the real payer connector: every submission and status query is
// a 278 through the configured clearinghouse (the sandbox payer under `ptflow dev` and in tests). Member and
// patient details are read from our encrypted mirror at call time (the current truth after a coverage
// update); the trace number comes from the activity's idempotency key, so a retried submission is the same
// request at the payer and a status query asks about it.
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
  attentionFailure,
  authorizationTraceNumber,
  dataMissing,
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
export const DEFAULT_AUTHORIZATION_PROCEDURE_CODES: readonly string[] = ['97110'];

export function createPayerAuthorizationPort(deps: PayerAuthorizationDeps): AuthorizationPayerPort {
  const patients = createPatientRepository(deps.db, deps.keys);
  const coverages = createCoverageRepository(deps.db, deps.keys);
  const practices = createPracticeRepository(deps.db);

  async function parties(submission: AuthorizationSubmission): Promise<AuthorizationParties> {
    const [patient, coverage, practice] = await Promise.all([
      patients.get(submission.practiceId, submission.patientId),
      coverages.get(submission.practiceId, submission.coverageId),
      practices.get(submission.practiceId),
    ]);
    if (!patient || !coverage || !practice) {
      throw dataMissing('patient, coverage or practice not on file', 'record_missing');
    }
    if (coverage.patientId !== submission.patientId || coverage.payerId !== submission.payerId) {
      // The coverage now belongs to another payer (insurance update): this authorization's payer is gone.
      throw attentionFailure(
        'AuthorizationCoverageChanged',
        "The coverage no longer matches the authorization's payer.",
        { reasonCode: 'coverage_moved' },
      );
    }
    const demographics = patient.demographics;
    return {
      member: {
        memberId: coverage.memberId,
        lastName: demographics.family,
        ...(demographics.given[0] !== undefined ? { firstName: demographics.given[0] } : {}),
        dateOfBirth: demographics.birthDate,
        gender: GENDER[demographics.sex] ?? 'U',
      },
      requester: { name: practice.name, npi: practice.npi },
    };
  }

  async function ask(
    submission: AuthorizationSubmission,
    idempotencyKey: string,
    send: (req: AuthorizationRequest) => Promise<AuthorizationDecision>,
  ) {
    const req = toAuthorizationRequest(
      submission,
      await parties(submission),
      authorizationTraceNumber(idempotencyKey),
      deps.defaultProcedureCodes ?? DEFAULT_AUTHORIZATION_PROCEDURE_CODES,
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
    submit: (submission, key) => ask(submission, key, (req) => deps.payer.submitAuthorization(req)),
    status: (submission, key) => ask(submission, key, (req) => deps.payer.queryAuthorization(req)),
  };
}

// verifyEligibility: a 270 for one coverage through the payer connector, answered by a 271. Member and
// patient details are read from our encrypted mirror (the current truth after a coverage update); the trace
// number comes from the workflow step, so a retry asks the same question. Every answer is recorded: the
// normalized summary in clear, the 271 encrypted. Transport failures are retried by Temporal (bounded by the
// workflow's policy); when they run out the workflow raises a "verify by phone" task.
import { ApplicationFailure } from '@temporalio/activity';
import { payerErrorToFailure } from '../../connectors/payer/failure.js';
import type { Gender } from '../../connectors/payer/x12/index.js';
import { createCoverageRepository, type CoverageStatus } from '../../db/repositories/coverages.js';
import { createEligibilityCheckRepository } from '../../db/repositories/eligibility-checks.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import {
  classifyEligibility,
  type EligibilityOutcome,
  type EligibilitySummary,
} from '../../domain/onboarding/eligibility.js';
import type { OnboardingActivityDeps } from './deps.js';

export interface VerifyEligibilityInput {
  practiceId: string;
  patientId: string;
  coverageId: string;
  /** Chosen by the workflow (uuid4): the eligibility_checks row id, so a retry records once. */
  checkId: string;
  traceNumber: string;
  serviceDate: string;
}

export interface EligibilityVerdict {
  outcome: EligibilityOutcome;
  summary: EligibilitySummary;
}

const GENDER: Record<string, Gender> = { male: 'M', female: 'F' };
/** The coverage's status on file after the payer's answer. */
const STATUS: Record<EligibilityOutcome, CoverageStatus> = {
  active: 'active',
  inactive: 'inactive',
  not_found: 'not_found',
  unreachable: 'needs_phone_verification',
};

export function createEligibilityActivities(deps: OnboardingActivityDeps) {
  const patients = createPatientRepository(deps.db, deps.keys);
  const coverages = createCoverageRepository(deps.db, deps.keys);
  const checks = createEligibilityCheckRepository(deps.db, deps.keys);
  const practices = createPracticeRepository(deps.db);
  const now = deps.now ?? (() => new Date());

  return {
    async verifyEligibility(input: VerifyEligibilityInput): Promise<EligibilityVerdict> {
      const [patient, coverage, practice] = await Promise.all([
        patients.get(input.practiceId, input.patientId),
        coverages.get(input.practiceId, input.coverageId),
        practices.get(input.practiceId),
      ]);
      if (!patient || !coverage || !practice) {
        throw ApplicationFailure.nonRetryable(
          'patient, coverage or practice not on file',
          'OnboardingDataMissing',
        );
      }
      const { demographics } = patient;
      let result;
      try {
        result = await deps.payer.checkEligibility({
          payerId: coverage.payerId,
          member: {
            memberId: coverage.memberId,
            lastName: demographics.family,
            firstName: demographics.given[0],
            dateOfBirth: demographics.birthDate,
            gender: GENDER[demographics.sex] ?? 'U',
          },
          provider: { name: practice.name, npi: practice.npi },
          serviceDate: input.serviceDate,
          traceNumber: input.traceNumber,
        });
      } catch (err) {
        throw payerErrorToFailure(err);
      }
      const outcome = classifyEligibility(result);
      const summary: EligibilitySummary = {
        outcome,
        rejectionReasons: [...result.rejectionReasons],
        ...(result.copayCents !== undefined ? { copayCents: result.copayCents } : {}),
        ...(result.coinsuranceBasisPoints !== undefined
          ? { coinsuranceBasisPoints: result.coinsuranceBasisPoints }
          : {}),
        ...(result.deductibleCents !== undefined ? { deductibleCents: result.deductibleCents } : {}),
        ...(result.deductibleRemainingCents !== undefined
          ? { deductibleRemainingCents: result.deductibleRemainingCents }
          : {}),
        ...(result.visitLimit !== undefined ? { visitLimit: result.visitLimit } : {}),
        ...(result.authorizationRequired !== undefined
          ? { authorizationRequired: result.authorizationRequired }
          : {}),
      };
      await checks.record({
        checkId: input.checkId,
        coverageId: input.coverageId,
        checkedAt: now(),
        summary,
        raw271: JSON.stringify(result.document),
      });
      await coverages.setStatus(input.practiceId, input.coverageId, STATUS[outcome]);
      return { outcome, summary };
    },

    /** After a phone verification or when the payer stays unreachable. */
    async setCoverageStatus(practiceId: string, coverageId: string, status: CoverageStatus): Promise<void> {
      await coverages.setStatus(practiceId, coverageId, status);
    },
  };
}

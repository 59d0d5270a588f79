// registerPatient / saveCoverage: our mirror first (messages and coverages reference it), then the EMR. Both
// sides are upserts keyed by our ids, so a retried activity or a repeated start changes nothing twice.
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import type { CoverageIntake, PatientDemographics } from '../../domain/onboarding/intake.js';
import type { OnboardingActivityDeps } from './deps.js';
import { callEmr } from './emr-call.js';

export interface RegisterPatientInput {
  practiceId: string;
  patientId: string;
  demographics: PatientDemographics;
  preferredChannel: 'sms' | 'email';
  timezone: string;
  messagingConsent: boolean;
}

export interface SaveCoverageInput {
  practiceId: string;
  patientId: string;
  emrPatientId: string;
  coverage: CoverageIntake;
}

export function createRegistrationActivities(deps: OnboardingActivityDeps) {
  const patients = createPatientRepository(deps.db, deps.keys);
  const coverages = createCoverageRepository(deps.db, deps.keys);

  return {
    async registerPatient(input: RegisterPatientInput): Promise<{ emrPatientId: string; created: boolean }> {
      const record = {
        patientId: input.patientId,
        practiceId: input.practiceId,
        demographics: input.demographics,
        preferredChannel: input.preferredChannel,
        language: input.demographics.preferredLanguage,
        timezone: input.timezone,
      };
      const known = await patients.get(input.practiceId, input.patientId);
      await patients.upsert({
        ...record,
        ...(known?.emrPatientId ? { emrPatientId: known.emrPatientId } : {}),
      });
      const emr = await callEmr(() =>
        deps.emr.upsertPatient({ patientId: input.patientId, demographics: input.demographics }),
      );
      await patients.upsert({ ...record, emrPatientId: emr.emrId });
      if (input.messagingConsent) {
        const address =
          input.preferredChannel === 'sms' ? input.demographics.phone : input.demographics.email;
        await deps.messaging.recordConsent({
          practiceId: input.practiceId,
          patientId: input.patientId,
          channel: input.preferredChannel,
          status: 'granted',
          source: 'intake',
          ...(address ? { address } : {}),
        });
      }
      return { emrPatientId: emr.emrId, created: emr.created };
    },

    async saveCoverage(input: SaveCoverageInput): Promise<void> {
      const { coverage } = input;
      await coverages.upsert({
        coverageId: coverage.coverageId,
        practiceId: input.practiceId,
        patientId: input.patientId,
        payerId: coverage.payerId,
        priority: coverage.priority,
        memberId: coverage.memberId,
      });
      await callEmr(() =>
        deps.emr.upsertCoverage({
          coverageId: coverage.coverageId,
          emrPatientId: input.emrPatientId,
          payerId: coverage.payerId,
          memberId: coverage.memberId,
          ...(coverage.groupNumber ? { groupNumber: coverage.groupNumber } : {}),
          order: coverage.priority,
          relationship: 'self',
          status: 'active',
        }),
      );
    },
  };
}

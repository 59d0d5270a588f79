// Coding and scrubbing a claim attempt. They run here rather than in the workflow although they are pure: rule
// data (fees, NCCI, thresholds) changes with deployments, and a replayed workflow must not re-code with newer
// rules.
import { ApplicationFailure } from '@temporalio/activity';
import { emrErrorToFailure } from '../../connectors/emr/failure.js';
import { createPractitionerRepository } from '../../db/repositories/practitioners.js';
import { prepareAttempt } from '../../domain/claims/prepare.js';
import { VisitSchema } from '../../domain/model/visit.js';
import { payerProfileOn } from '../../domain/rules/payers.js';
import type { PlanOfCareStatus } from '../../workflows/plan-of-care/messages.js';
import { mirrorHeldClaim } from './claim-rows.js';
import type { ClaimActivityDeps } from './deps.js';
import type { ClaimAttempt, ClaimCase, EpisodeContext, PreparedClaim } from './types.js';

type RenderingProviderName = { renderingProviderName?: { lastName: string; firstName?: string } };

export function createPrepareActivities(deps: Pick<ClaimActivityDeps, 'db' | 'temporal' | 'emr'>) {
  const directory = createPractitionerRepository(deps.db);
  /** 2310B: the rendering provider's name, when it is not the billing provider (from the practitioner directory). */
  const renderingProviderName = async (
    practiceId: string,
    npi: string,
    billingNpi: string,
  ): Promise<RenderingProviderName> => {
    if (npi === billingNpi) return {};
    let entry = await directory.findActive(practiceId, npi);
    if (!entry && deps.emr?.findPractitioner) {
      // Not in the directory yet: the EMR's Practitioner resource is its source (synced, then read back, so
      // an admin's row and an inactive one keep their say).
      const found = await deps.emr.findPractitioner(npi).catch((err: unknown) => {
        throw emrErrorToFailure(err);
      });
      if (found) {
        await directory.syncFromEmr(practiceId, [found]);
        entry = await directory.findActive(practiceId, npi);
      }
    }
    if (!entry) return {};
    return {
      renderingProviderName: {
        lastName: entry.lastName,
        ...(entry.firstName ? { firstName: entry.firstName } : {}),
      },
    };
  };

  return {
    /** The episode's certification and progress-report facts, read from its plan-of-care process. */
    async planOfCareContext(planOfCareWorkflowId: string): Promise<EpisodeContext> {
      if (!deps.temporal) {
        throw ApplicationFailure.nonRetryable(
          'No Temporal client is configured for activities.',
          'ConnectorNotConfigured',
        );
      }
      // By name: activities do not depend on workflow modules, only on their types.
      const status = await deps.temporal.workflow
        .getHandle(planOfCareWorkflowId)
        .query<PlanOfCareStatus>('status');
      return status.claimContext;
    },

    /** Codes and scrubs one attempt of the claim; a claim the scrubber holds is mirrored as held. */
    async prepareClaim(
      claimCase: ClaimCase,
      attempt: ClaimAttempt,
      asOf: string,
      episode?: EpisodeContext,
    ): Promise<PreparedClaim> {
      const parsed = VisitSchema.safeParse(claimCase.visit);
      if (!parsed.success)
        throw ApplicationFailure.nonRetryable('The visit does not match the schema.', 'InvalidVisit');
      const visit = parsed.data;
      const profile = payerProfileOn(visit.payerId, visit.dos);
      if (!profile)
        throw ApplicationFailure.nonRetryable('No payer profile for the date of service.', 'UnknownPayer');
      const { parties } = claimCase;
      const { claim, findings, submittable, chargeCents } = prepareAttempt({
        claimId: claimCase.claimId,
        patientControlNumber: claimCase.patientControlNumber,
        visit,
        profile,
        billingProvider: { npi: parties.billingProvider.npi, taxId: parties.billingProvider.taxId },
        ...(parties.referringProvider ? { referringNpi: parties.referringProvider.npi } : {}),
        ...(claimCase.priorAuthNumber ? { priorAuthNumber: claimCase.priorAuthNumber } : {}),
        ...(claimCase.kxAccruedAllowedCents !== undefined
          ? { kxAccruedAllowedCents: claimCase.kxAccruedAllowedCents }
          : {}),
        attempt,
        asOf,
        ...(episode ? { episode } : {}),
        // 2010BA: the scrubber holds a claim whose subscriber has no address (SUBSCRIBER_ADDRESS_MISSING).
        subscriber: parties.subscriber.address ? { address: parties.subscriber.address } : {},
        // 2310B: the name comes from the practitioner directory (RENDERING_PROVIDER_UNKNOWN without one).
        ...(await renderingProviderName(
          claimCase.practiceId,
          visit.renderingNpi,
          parties.billingProvider.npi,
        )),
        ...(claimCase.authorizationNotRequired ? { authorizationNotRequired: true } : {}),
      });
      if (!submittable) await mirrorHeldClaim(deps.db, claimCase, { claim, chargeCents });
      return { claim, findings, submittable, chargeCents };
    },
  };
}

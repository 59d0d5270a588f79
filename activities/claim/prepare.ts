// Coding and scrubbing a claim attempt. They run here rather than in the workflow although they are pure: rule
// data (fees, NCCI, thresholds) changes with deployments, and a replayed workflow must not re-code with newer
// rules.
import { ApplicationFailure } from '@temporalio/activity';
import { emrErrorToFailure } from '../../connectors/emr/failure.js';
import { createPractitionerRepository } from '../../db/repositories/practitioners.js';
import { createFeeScheduleRepository } from '../../db/repositories/fee-schedules.js';
import { createPracticePayerRepository } from '../../db/repositories/practice-payers.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import { prepareAttempt } from '../../domain/claims/prepare.js';
import { finding, type Finding } from '../../domain/model/finding.js';
import { VisitSchema } from '../../domain/model/visit.js';
import { profileFindingCode, type ClaimProfileField } from '../../domain/practice/profile.js';
import { FEE_SCHEDULES } from '../../domain/rules/data/fee-schedules.js';
import { payerProfileOn } from '../../domain/rules/payers.js';
import type { PlanOfCareStatus } from '../../workflows/plan-of-care/messages.js';
import { mirrorHeldClaim } from './claim-rows.js';
import type { ClaimActivityDeps } from './deps.js';
import type { ClaimAttempt, ClaimCase, EpisodeContext, PracticeParties, PreparedClaim } from './types.js';

type RenderingProviderName = { renderingProviderName?: { lastName: string; firstName?: string } };

/** What the profile lacks, as findings that hold the claim and name each missing field. */
function profileFindings(missing: readonly ClaimProfileField[]): Finding[] {
  return missing.map((field) =>
    finding(
      profileFindingCode(field),
      'error',
      `practice.${field}`,
      `The practice profile has no ${field}; the claim cannot name its billing provider without it.`,
      `An admin completes the practice profile (PATCH /v1/practice or ptflow practice update --${field.replace(/([A-Z])/g, '-$1').toLowerCase()}); the claim resumes by itself.`,
    ),
  );
}

/**
 * The practice's own 837P parties from its profile: billing provider (2010AA: legal name, NPI, tax id, taxonomy,
 * service address), pay-to address (2010AB) and submitter name and phone (1000A). With an incomplete profile: the
 * billing provider a request named (claims started through POST /v1/claims with parties, before issue 17), or
 * the missing profile fields.
 */
async function practiceParties(
  deps: Pick<ClaimActivityDeps, 'db' | 'dataKeyring'>,
  claimCase: ClaimCase,
): Promise<{ parties: PracticeParties } | { missing: ClaimProfileField[] }> {
  const found = await createPracticeRepository(deps.db, deps.dataKeyring).claimIdentity(claimCase.practiceId);
  if (found && 'identity' in found) {
    const p = found.identity;
    return {
      parties: {
        billingProvider: {
          name: p.legalName,
          npi: p.npi,
          taxId: p.taxId,
          ...(p.taxonomy ? { taxonomy: p.taxonomy } : {}),
          address: p.serviceAddress,
          ...(p.payToAddress ? { payToAddress: p.payToAddress } : {}),
        },
        submitter: { name: p.legalName, phone: p.phone },
      },
    };
  }
  const named = claimCase.parties.billingProvider;
  if (named) return { parties: { billingProvider: named } };
  return { missing: found?.missing ?? ['legalName', 'npi', 'taxId', 'serviceAddress', 'phone'] };
}

export function createPrepareActivities(
  deps: Pick<ClaimActivityDeps, 'db' | 'temporal' | 'emr' | 'dataKeyring'>,
) {
  const directory = createPractitionerRepository(deps.db);
  const fees = createFeeScheduleRepository(deps.db);
  const payers = createPracticePayerRepository(deps.db);
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
      // The payer profile the practice set for this payer (PUT /v1/practice/payers/{payerId}), else the one
      // of the payer id itself.
      const practicePayer = await payers.get(claimCase.practiceId, visit.payerId);
      const profile = payerProfileOn(practicePayer?.profileId ?? visit.payerId, visit.dos);
      if (!profile)
        throw ApplicationFailure.nonRetryable('No payer profile for the date of service.', 'UnknownPayer');
      const { parties } = claimCase;
      const own = await practiceParties(deps, claimCase);
      // Placeholder identifiers only while the profile is incomplete: such a claim is held, never submitted.
      const billingNpi = 'parties' in own ? own.parties.billingProvider.npi : '';
      // The practice's imported fee schedules (CSV) before the built-in tables.
      const importedFees = await fees.feeRows(claimCase.practiceId);
      const prepared = prepareAttempt({
        claimId: claimCase.claimId,
        patientControlNumber: claimCase.patientControlNumber,
        visit,
        profile,
        billingProvider: {
          npi: billingNpi,
          ...('parties' in own ? { taxId: own.parties.billingProvider.taxId } : {}),
        },
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
        ...(await renderingProviderName(claimCase.practiceId, visit.renderingNpi, billingNpi)),
        ...(claimCase.authorizationNotRequired ? { authorizationNotRequired: true } : {}),
        ...(importedFees.length > 0 ? { rules: { fees: [...importedFees, ...FEE_SCHEDULES] } } : {}),
      });
      const { claim, chargeCents } = prepared;
      // An incomplete profile holds the claim naming exactly what is missing (no NPI finding for the blank).
      const findings =
        'missing' in own
          ? [
              ...profileFindings(own.missing),
              ...prepared.findings.filter((f) => f.field !== 'billingProvider.npi'),
            ]
          : prepared.findings;
      const submittable = !findings.some((f) => f.severity === 'error');
      if (!submittable) await mirrorHeldClaim(deps.db, claimCase, { claim, chargeCents });
      return {
        claim,
        findings,
        submittable,
        chargeCents,
        ...('parties' in own ? { practiceParties: own.parties } : {}),
      };
    },
  };
}

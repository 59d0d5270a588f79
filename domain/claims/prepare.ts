// Coding + scrubbing of one claim attempt, pure: the claim activity runs it (rule data changes with deployments,
// so never inside the workflow), and tests run the very same function to prove that
// each correction clears the finding it is named for.
import { buildClaim, type ClaimHeader } from '../billing/build-claim.js';
import { codeVisit, type RuleSet } from '../billing/code-visit.js';
import type { PocCertificationInput } from '../care/poc.js';
import type { ProgressReportInput } from '../care/progress.js';
import { claimTotalCents, type Claim } from '../model/claim.js';
import type { Finding } from '../model/finding.js';
import type { PayerProfile } from '../model/payer-profile.js';
import type { Visit } from '../model/visit.js';
import { scrubClaim } from '../scrubber/index.js';

export interface PrepareAttempt {
  frequency: '1' | '7';
  originalClaimNumber?: string;
  /** Modifiers a denial fix adds, per procedure code. */
  addModifiers?: Record<string, string[]>;
  priorAuthNumber?: string;
}

export interface PrepareInput {
  claimId: string;
  patientControlNumber: string;
  visit: Visit;
  profile: PayerProfile;
  billingProvider: { npi: string; taxId?: string };
  referringNpi?: string;
  priorAuthNumber?: string;
  kxAccruedAllowedCents?: number;
  attempt: PrepareAttempt;
  asOf: string;
  episode?: { poc: PocCertificationInput; progress: ProgressReportInput };
  /** 2010BA: the subscriber's address (the scrubber holds a claim without one: SUBSCRIBER_ADDRESS_MISSING). */
  subscriber?: ClaimHeader['subscriber'];
  /** 2310B: the rendering provider's name from the practitioner directory (RENDERING_PROVIDER_UNKNOWN without). */
  renderingProviderName?: ClaimHeader['renderingProviderName'];
  /** The payer answered that no authorization is required: the scrubber does not hold for an auth number. */
  authorizationNotRequired?: boolean;
  /** Rule tables in place of the deployed ones (tests: the rule data a deployment would bring). */
  rules?: Partial<RuleSet>;
}

export interface PreparedAttempt {
  claim: Claim;
  findings: Finding[];
  submittable: boolean;
  chargeCents: number;
}

export function prepareAttempt(i: PrepareInput): PreparedAttempt {
  const { visit, profile, attempt, episode } = i;
  const coded = codeVisit(visit, {
    profile,
    ...(i.rules ? { rules: i.rules } : {}),
    ...(i.kxAccruedAllowedCents !== undefined
      ? { kx: { accruedAllowedCents: i.kxAccruedAllowedCents } }
      : {}),
  });
  const priorAuthNumber = attempt.priorAuthNumber ?? i.priorAuthNumber;
  const claim = buildClaim(visit, coded, {
    id: i.claimId,
    patientControlNumber: i.patientControlNumber,
    billingProvider: i.billingProvider,
    ...(i.referringNpi ? { referringProvider: { npi: i.referringNpi } } : {}),
    ...(priorAuthNumber ? { priorAuthNumber } : {}),
    frequency: attempt.frequency,
    ...(attempt.originalClaimNumber ? { originalClaimNumber: attempt.originalClaimNumber } : {}),
    ...(i.subscriber ? { subscriber: i.subscriber } : {}),
    ...(i.renderingProviderName ? { renderingProviderName: i.renderingProviderName } : {}),
  });
  for (const line of claim.lines) {
    const extra = attempt.addModifiers?.[line.code] ?? [];
    for (const m of extra)
      if (!line.modifiers.includes(m) && line.modifiers.length < 4) line.modifiers.push(m);
  }
  const scrub = scrubClaim({
    claim,
    profile,
    asOf: i.asOf,
    visit,
    kxRequired: coded.kx?.applyKx ?? false,
    ...(i.rules ? { rules: i.rules } : {}),
    ...(episode ? { poc: episode.poc, progress: episode.progress } : {}),
    ...(claim.priorAuthNumber
      ? {
          authorizations: [
            { number: claim.priorAuthNumber, status: 'approved', startDate: visit.dos, endDate: visit.dos },
          ],
        }
      : i.authorizationNotRequired
        ? { authorizations: [{ status: 'not_required', startDate: visit.dos, endDate: visit.dos }] }
        : {}),
  });
  // Without an episode (a visit billed outside a plan-of-care process) the POC and progress-history findings
  // cannot be decided here; with one, they are real and hold the claim like everything else.
  const findings = [...coded.findings, ...scrub.findings].filter(
    (f) => episode !== undefined || !['POC_MISSING', 'PROGRESS_HISTORY_MISSING'].includes(f.code),
  );
  return {
    claim,
    findings,
    submittable: !findings.some((f) => f.severity === 'error'),
    chargeCents: claimTotalCents(claim),
  };
}

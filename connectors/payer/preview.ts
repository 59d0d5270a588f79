// A claim dry run: code and scrub a visit with domain/ and serialize the 837P that would be sent, without
// sending anything. Pure (no I/O, placeholder parties instead of a patient), so the API's preview route and
// `ptflow claim preview` share it.
import { codeVisit } from '../../domain/billing/code-visit.js';
import { prepareAttempt } from '../../domain/claims/prepare.js';
import type { Finding } from '../../domain/model/finding.js';
import { VisitSchema, type VisitInput } from '../../domain/model/visit.js';
import { payerIdsOn, payerProfileOn } from '../../domain/rules/payers.js';
import { InMemoryControlNumbers, transactionControlNumber } from './control-numbers.js';
import { toClaim837, toClaimBatch } from './mapping.js';
import { sandboxPayerDirectory } from './sandbox/plans.js';
import { X12BuildError, generate837P } from './x12/index.js';

/**
 * The episode a claim belongs to, as the claim process reads it from the plan of care: certification, treatment
 * days and progress reports. With it the preview holds (or releases) the claim exactly as the workflow would.
 */
export interface PreviewEpisode {
  planOfCare: {
    firstTreatmentDate: string;
    pocEndDate?: string;
    signedDate?: string;
    verbalOrderDate?: string;
    referralSignedAndDated?: boolean;
    transmittedToReferrerDate?: string;
    delayJustification?: boolean;
  };
  /** Dates of finalized notes with charges (this visit's date is added by the rule itself). */
  treatmentDays: string[];
  /** Dates of complete progress reports. */
  progressReports: string[];
}

export interface ClaimPreviewInput {
  visit: VisitInput;
  /** Year-to-date allowed therapy amount at this payer (the KX threshold decision). */
  kx?: { accruedAllowedCents: number };
  patientControlNumber?: string;
  priorAuthNumber?: string;
  referringNpi?: string;
  episode?: PreviewEpisode;
  /** The date the claim would go out (timely filing, certification windows); the date of service by default. */
  asOf?: string;
}

export interface ClaimPreview {
  payer: { payerId: string; name: string };
  method: string;
  totalTimedMinutes: number;
  lines: {
    lineNumber: number;
    code: string;
    modifiers: string[];
    units: number;
    chargeCents: number;
    furnishedBy: string;
    audit: string[];
  }[];
  findings: Finding[];
  submittable: boolean;
  /** The 837P, or why it could not be built (field names only). */
  x12?: string;
  x12Error?: string;
}

/** The input is not a codable visit; `issues` name field paths, never values. */
export class ClaimPreviewInputError extends Error {
  constructor(
    readonly issues: string[],
    /** For an unknown payer id: the ids with a profile on the date of service. */
    readonly validPayerIds?: string[],
  ) {
    super(`not a valid visit: ${issues.join('; ')}`);
    this.name = 'ClaimPreviewInputError';
  }
}

export async function previewClaim(input: ClaimPreviewInput): Promise<ClaimPreview> {
  const parsed = VisitSchema.safeParse(input.visit);
  if (!parsed.success) {
    throw new ClaimPreviewInputError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const visit = parsed.data;
  const profile = payerProfileOn(visit.payerId, visit.dos);
  if (!profile)
    throw new ClaimPreviewInputError(
      [`payerId: no payer profile on ${visit.dos}; valid payer ids: ${payerIdsOn(visit.dos).join(', ')}`],
      payerIdsOn(visit.dos),
    );
  const coded = codeVisit(visit, { profile, ...(input.kx ? { kx: input.kx } : {}) });
  // The same coding and scrubbing as the claim process (domain/claims/prepare.ts), episode included.
  const ep = input.episode;
  const { claim, findings, submittable } = prepareAttempt({
    claimId: `preview-${visit.id}`,
    patientControlNumber: input.patientControlNumber ?? `PREVIEW${visit.id}`.slice(0, 38),
    visit,
    profile,
    billingProvider: { npi: visit.renderingNpi },
    ...(input.referringNpi ? { referringNpi: input.referringNpi } : {}),
    ...(input.priorAuthNumber ? { priorAuthNumber: input.priorAuthNumber } : {}),
    ...(input.kx ? { kxAccruedAllowedCents: input.kx.accruedAllowedCents } : {}),
    attempt: { frequency: '1' },
    asOf: input.asOf ?? visit.dos,
    ...(ep
      ? {
          episode: {
            poc: ep.planOfCare,
            progress: {
              treatmentDays: ep.treatmentDays,
              progressReports: ep.progressReports,
              recertifications: [],
            },
          },
        }
      : {}),
  });

  const preview: ClaimPreview = {
    payer: { payerId: profile.payerId, name: profile.name },
    method: coded.method,
    totalTimedMinutes: coded.totalTimedMinutes,
    lines: claim.lines.map((l, i) => ({
      lineNumber: l.lineNumber,
      code: l.code,
      modifiers: [...l.modifiers],
      units: l.units,
      chargeCents: l.chargeCents,
      furnishedBy: coded.lines[i]?.furnishedBy ?? 'PT',
      audit: [...l.audit],
    })),
    findings,
    submittable,
  };

  // Placeholder parties: the preview shows the structure, not a patient.
  const payer = sandboxPayerDirectory().find((p) => p.payerId === visit.payerId) ?? {
    payerId: visit.payerId,
    x12PayerId:
      visit.payerId
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, '')
        .slice(0, 15) || 'PAYER',
    name: profile.name.toUpperCase(),
  };
  const numbers = await new InMemoryControlNumbers().next('PREVIEW');
  try {
    preview.x12 = generate837P(
      toClaimBatch(
        [
          toClaim837(
            claim,
            {
              billingProvider: {
                name: 'PREVIEW PRACTICE',
                npi: visit.renderingNpi,
                taxId: '000000000',
                address: { line1: '1 PREVIEW ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
              },
              subscriber: { memberId: 'PREVIEWMEMBER', lastName: 'PREVIEW', firstName: 'PATIENT' },
            },
            payer,
            profile,
          ),
        ],
        {
          reference: 'PREVIEW',
          createdDate: visit.dos,
          createdTime: '12:00',
          submitter: { name: 'PTFLOW PREVIEW', id: 'PREVIEW', contactName: 'BILLING', phone: '5555550100' },
          receiver: { name: payer.name, id: payer.x12PayerId },
        },
      ),
      {
        sender: { qualifier: 'ZZ', id: 'PREVIEW' },
        receiver: { qualifier: 'ZZ', id: payer.x12PayerId },
        date: visit.dos,
        time: '12:00',
        interchangeControlNumber: numbers.interchange,
        groupControlNumber: numbers.group,
        transactionControlNumber: transactionControlNumber(),
        usage: 'T',
        lineBreaks: true,
      },
    );
  } catch (err) {
    if (!(err instanceof X12BuildError)) throw err;
    preview.x12Error = err.message;
  }
  return preview;
}

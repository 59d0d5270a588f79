// A claim dry run: code and scrub a visit with domain/ and serialize the 837P that would be sent, without
// sending anything. Pure (no I/O, placeholder parties instead of a patient), so the API's preview route and
// `ptflow claim preview` share it — and one request format: `ClaimPreviewRequestSchema` is the body of
// `POST /v1/claims/preview` and the file `ptflow claim preview <file>` reads (examples/http/previewClaim.json).
import { z } from 'zod';
import { VisitDiagnosesSchema, VisitInterventionSchema } from '../../domain/claims/correction-schema.js';
import { codeVisit } from '../../domain/billing/code-visit.js';
import { prepareAttempt } from '../../domain/claims/prepare.js';
import type { Finding } from '../../domain/model/finding.js';
import { VisitSchema, type VisitInput } from '../../domain/model/visit.js';
import { payerIdsOn, payerProfileOn } from '../../domain/rules/payers.js';
import { InMemoryControlNumbers, transactionControlNumber } from './control-numbers.js';
import { toClaim837, toClaimBatch } from './mapping.js';
import { sandboxPayerDirectory } from './sandbox/plans.js';
import { X12BuildError, generate837P } from './x12/index.js';

const npi = z.string().regex(/^\d{10}$/);

/** A signed visit as the API takes it (`POST /v1/claims` and the preview): strict, so an unknown key is named. */
export const ClaimVisitSchema = z.strictObject({
  id: z.uuid(),
  payerId: z.string().regex(/^[a-z0-9-]{2,64}$/),
  dos: z.iso.date(),
  placeOfService: z
    .string()
    .regex(/^\d{2}$/)
    .optional(),
  renderingNpi: npi,
  interventions: z.array(VisitInterventionSchema).min(1).max(30),
  diagnoses: VisitDiagnosesSchema,
  totalTreatmentMinutes: z.number().int().min(0).max(600).optional(),
});

/** The body of `POST /v1/claims/preview` and the file of `ptflow claim preview`. */
export const ClaimPreviewRequestSchema = z.strictObject({
  visit: ClaimVisitSchema,
  kxAccruedAllowedCents: z.number().int().min(0).max(10_000_000).optional(),
  priorAuthNumber: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,50}$/)
    .optional(),
  referringNpi: npi.optional(),
  /** The episode as the claim process reads it from the plan of care. */
  episode: z
    .strictObject({
      planOfCare: z.strictObject({
        firstTreatmentDate: z.iso.date(),
        pocEndDate: z.iso.date().optional(),
        signedDate: z.iso.date().optional(),
        verbalOrderDate: z.iso.date().optional(),
        referralSignedAndDated: z.boolean().optional(),
        transmittedToReferrerDate: z.iso.date().optional(),
        delayJustification: z.boolean().optional(),
      }),
      treatmentDays: z.array(z.iso.date()).max(400),
      progressReports: z.array(z.iso.date()).max(100),
    })
    .optional(),
  /** The intended submission date (default: the date of service). */
  asOf: z.iso.date().optional(),
});
export type ClaimPreviewRequest = z.infer<typeof ClaimPreviewRequestSchema>;

/** The preview input of a request; the practice is the caller's (no patient: a placeholder stands in). */
export function previewInputOf(request: ClaimPreviewRequest, practiceId: string): ClaimPreviewInput {
  return {
    visit: { ...request.visit, practiceId, patientId: 'preview' },
    ...(request.kxAccruedAllowedCents !== undefined
      ? { kx: { accruedAllowedCents: request.kxAccruedAllowedCents } }
      : {}),
    ...(request.priorAuthNumber ? { priorAuthNumber: request.priorAuthNumber } : {}),
    ...(request.referringNpi ? { referringNpi: request.referringNpi } : {}),
    ...(request.episode ? { episode: stripUndefined(request.episode) } : {}),
    ...(request.asOf ? { asOf: request.asOf } : {}),
  };
}

/** zod's optional keys as `exactOptionalPropertyTypes` wants them: absent, never `undefined`. */
function stripUndefined(episode: NonNullable<ClaimPreviewRequest['episode']>): PreviewEpisode {
  const planOfCare = Object.fromEntries(
    Object.entries(episode.planOfCare).filter(([, v]) => v !== undefined),
  ) as PreviewEpisode['planOfCare'];
  return { planOfCare, treatmentDays: episode.treatmentDays, progressReports: episode.progressReports };
}

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
              subscriber: {
                memberId: 'PREVIEWMEMBER',
                lastName: 'PREVIEW',
                firstName: 'PATIENT',
                address: { line1: '1 PREVIEW ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
              },
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

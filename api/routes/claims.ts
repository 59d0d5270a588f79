// Claims over REST (DESIGN §3): start the claim process for a signed visit (one per visit — the workflow id comes
// from the visit id, so a repeated request can never file twice), its status, and corrections that release a
// held claim.
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { practices } from '../../db/schema.js';
import { ClaimCorrectionSchema } from '../../domain/claims/correction-schema.js';

import { claimCorrectedSignal, claimStatusQuery, claimSubmission } from '../../workflows/claim.js';
import { buildClaimInput } from '../../workflows/claim-input.js';
import { PayerId } from '../../workflows/search-attributes.js';
import { ClaimPreviewInputError, previewClaim } from '../../connectors/payer/preview.js';
import { principalOf } from '../auth/plugin.js';
import { ownedProcess, queryOwned, signalOwned, type ProcessRouteDeps, startProcess } from '../processes.js';
import { HttpProblem, problem } from '../problem.js';
import { claimPreviewViews, claimStatusViews } from '../response-shaping/views.js';

const id = z.strictObject({ id: z.uuid() });
const name = z.string().min(1).max(60);
const address = z.strictObject({
  line1: z.string().min(1).max(55),
  line2: z.string().max(55).optional(),
  city: z.string().min(1).max(30),
  state: z.string().regex(/^[A-Z]{2}$/),
  postalCode: z.string().regex(/^\d{5}(\d{4})?$/),
});
const npi = z.string().regex(/^\d{10}$/);
const visit = z.strictObject({
  id: z.uuid(),
  payerId: z.string().regex(/^[a-z0-9-]{2,64}$/),
  dos: z.iso.date(),
  placeOfService: z
    .string()
    .regex(/^\d{2}$/)
    .optional(),
  renderingNpi: npi,
  interventions: z
    .array(
      z.strictObject({
        code: z.string().regex(/^[0-9A-Z]{5}$/),
        minutes: z.number().int().min(0).max(480),
        furnishedBy: z.enum(['PT', 'PTA', 'PT_AND_PTA']),
        sequence: z.number().int().min(0).max(50).optional(),
      }),
    )
    .min(1)
    .max(30),
  diagnoses: z
    .array(z.string().regex(/^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/))
    .min(1)
    .max(12),
  totalTreatmentMinutes: z.number().int().min(0).max(600).optional(),
});

export const claimRoutes = (deps: ProcessRouteDeps & { pollEveryMinutes?: number }): FastifyPluginAsyncZod =>
  async function routes(app) {
    app.post(
      '/v1/claims',
      {
        config: { roles: ['admin', 'biller', 'integration'], idempotent: true },
        schema: {
          tags: ['claims'],
          summary: 'Start the claim process for a signed visit (one claim per visit)',
          body: z.strictObject({
            patientId: z.uuid(),
            visit,
            /** The episode's plan-of-care process: its certification and progress reports can hold the claim. */
            planOfCareId: z.uuid().optional(),
            priorAuthNumber: z
              .string()
              .regex(/^[A-Za-z0-9-]{1,50}$/)
              .optional(),
            kxAccruedAllowedCents: z.number().int().min(0).max(10_000_000).optional(),
            parties: z.strictObject({
              billingProvider: z.strictObject({ name, npi, taxId: z.string().regex(/^\d{9}$/), address }),
              subscriber: z.strictObject({
                memberId: z.string().regex(/^[A-Za-z0-9-]{2,80}$/),
                lastName: name,
                firstName: name.optional(),
                dateOfBirth: z.iso.date().optional(),
                gender: z.enum(['F', 'M', 'U']).optional(),
              }),
              referringProvider: z.strictObject({ name, firstName: name.optional(), npi }).optional(),
            }),
          }),
          response: {
            202: z.object({
              id: z.uuid(),
              status: z.literal('started'),
              links: z.object({ self: z.string() }),
            }),
          },
        },
      },
      async (req, reply) => {
        const principal = principalOf(req);
        const [practice] = await deps.db
          .select()
          .from(practices)
          .where(eq(practices.id, principal.practiceId));
        if (!practice) throw new HttpProblem(problem(404, 'No such practice.'));
        const claimId = req.body.visit.id;
        // Only an episode of this practice may inform the claim (404 otherwise, like any foreign id).
        const pocWorkflowId = req.body.planOfCareId
          ? (await ownedProcess(deps, req, 'poc', req.body.planOfCareId)).workflowId
          : undefined;
        return reply.code(202).send(
          await startProcess(deps, req, {
            kind: 'claim',
            processKind: 'claimSubmission',
            id: claimId,
            workflow: claimSubmission,
            // A visit is billed once: even after its process closed, the same id is never started again.
            rejectDuplicate: true,
            // Built like the claim a "note signed" EMR event starts (workflows/claim-input.ts): same id, same CLM01.
            args: [
              buildClaimInput({
                practiceId: principal.practiceId,
                patientId: req.body.patientId,
                timezone: practice.timezone,
                visit: req.body.visit,
                parties: req.body.parties,
                ...(pocWorkflowId ? { planOfCareWorkflowId: pocWorkflowId } : {}),
                ...(req.body.priorAuthNumber ? { priorAuthNumber: req.body.priorAuthNumber } : {}),
                ...(req.body.kxAccruedAllowedCents !== undefined
                  ? { kxAccruedAllowedCents: req.body.kxAccruedAllowedCents }
                  : {}),
                ...(deps.pollEveryMinutes !== undefined ? { pollEveryMinutes: deps.pollEveryMinutes } : {}),
              }),
            ],
            patientId: req.body.patientId,
            searchAttributes: [{ key: PayerId, value: req.body.visit.payerId }],
            resourceType: 'claim',
            path: '/v1/claims',
          }),
        );
      },
    );

    app.post(
      '/v1/claims/preview',
      {
        config: { roles: ['admin', 'biller'] },
        schema: {
          tags: ['claims'],
          summary: 'Dry run: code and scrub a visit and show the 837P, without submitting anything',
          body: z.strictObject({
            visit,
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
          }),
          response: { 200: claimPreviewViews },
        },
      },
      async (req) => {
        const principal = principalOf(req);
        try {
          return await previewClaim({
            // The preview needs no patient: a placeholder stands in, and nothing is stored or sent.
            visit: { ...req.body.visit, practiceId: principal.practiceId, patientId: 'preview' },
            ...(req.body.kxAccruedAllowedCents !== undefined
              ? { kx: { accruedAllowedCents: req.body.kxAccruedAllowedCents } }
              : {}),
            ...(req.body.priorAuthNumber ? { priorAuthNumber: req.body.priorAuthNumber } : {}),
            ...(req.body.referringNpi ? { referringNpi: req.body.referringNpi } : {}),
            ...(req.body.episode ? { episode: req.body.episode } : {}),
            ...(req.body.asOf ? { asOf: req.body.asOf } : {}),
          });
        } catch (err) {
          if (err instanceof ClaimPreviewInputError) {
            throw new HttpProblem(
              problem(422, 'The visit cannot be coded.', {
                errors: err.issues.map((i) => ({ pointer: i.split(':')[0] })),
                // Not the caller's value: the payer ids this deployment has profiles for on that date.
                ...(err.validPayerIds ? { validPayerIds: err.validPayerIds } : {}),
              }),
            );
          }
          throw err;
        }
      },
    );

    app.get(
      '/v1/claims/:id',
      {
        config: { roles: ['admin', 'biller'] },
        schema: {
          tags: ['claims'],
          summary: 'Status of a claim',
          params: id,
          response: { 200: claimStatusViews },
        },
      },
      async (req) => {
        return queryOwned(
          deps,
          req,
          { kind: 'claim', id: req.params.id, resourceType: 'claim' },
          claimStatusQuery,
        );
      },
    );

    app.post(
      '/v1/claims/:id/corrections',
      {
        config: { roles: ['admin', 'biller'], idempotent: true },
        schema: {
          tags: ['claims'],
          summary: 'Correct a held claim; the process codes, scrubs and submits it again',
          params: id,
          body: ClaimCorrectionSchema,
          response: { 202: z.object({ id: z.uuid(), status: z.literal('accepted') }) },
        },
      },
      async (req, reply) => {
        const principal = principalOf(req);
        return reply
          .code(202)
          .send(
            await signalOwned(
              deps,
              req,
              { kind: 'claim', id: req.params.id, resourceType: 'claim' },
              claimCorrectedSignal,
              { ...req.body, correctedBy: principal.id },
            ),
          );
      },
    );
  };

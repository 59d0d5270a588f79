// Claims over REST: start the claim process for a signed visit (one per visit and practice — the
// claim id is a hash of both, so a repeated request can never file twice and another practice's visit with the
// same id is another claim), its status (by claim id, or by visit id as before), and corrections that release a
// held claim.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ClaimCorrectionSchema } from '../../domain/claims/correction-schema.js';

import {
  CLAIM_WORKFLOW_TYPE,
  claimCorrectedSignal,
  claimStatusQuery,
  type ClaimSubmissionWorkflow,
} from '../../workflows/claim/messages.js';
import { buildClaimInput } from '../../domain/claims/claim-input.js';
import { PayerId } from '../../workflows/shared/search-attributes.js';
import {
  ClaimPreviewInputError,
  ClaimPreviewRequestSchema,
  ClaimVisitSchema,
  previewClaim,
  previewInputOf,
} from '../../connectors/payer/preview.js';
import { claimIdForStart } from '../../activities/shared/claim-ids.js';
import { principalOf } from '../auth/plugin.js';
import { ownedProcess, type ProcessRouteDeps } from '../processes.js';
import { HttpProblem, problem } from '../problem.js';
import { claimPreviewViews, claimStatusViews } from '../response-shaping/views.js';
import {
  type ProcessResource,
  callerPractice,
  signalRoute,
  startRoute,
  workflowType,
  statusRoute,
} from './process-routes.js';

const claims: ProcessResource = {
  kind: 'claim',
  resourceType: 'claim',
  tag: 'claims',
  path: '/v1/claims',
  processKind: 'claimSubmission',
};
const name = z.string().min(1).max(60);
const address = z.strictObject({
  line1: z.string().min(1).max(55),
  line2: z.string().max(55).optional(),
  city: z.string().min(1).max(30),
  state: z.string().regex(/^[A-Z]{2}$/),
  postalCode: z.string().regex(/^\d{5}(\d{4})?$/),
});
const npi = z.string().regex(/^\d{10}$/);
const visit = ClaimVisitSchema;

export const claimRoutes = (deps: ProcessRouteDeps & { pollEveryMinutes?: number }): FastifyPluginAsyncZod =>
  async function routes(app) {
    startRoute(app, deps, claims, {
      roles: ['admin', 'biller', 'integration'],
      operationId: 'startClaim',
      summary: 'Start the claim process for a signed visit (one claim per visit)',
      description:
        'The claim id in the answer is derived from your practice and the visit id: the same visit posted again ' +
        '(or signed in the EMR) reaches the same claim, and another practice using the same visit id has its own. ' +
        "409 (`reason: AlreadyProcessed`) once the visit's claim has closed.",
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
          /**
           * Deprecated: the billing provider, pay-to and submitter come from the practice profile (GET /v1/practice).
           * One named here is used only while the profile is incomplete; without either, the claim is held
           * naming the missing profile fields (PRACTICE_PROFILE_MISSING_*) and resumes once they are supplied.
           */
          billingProvider: z
            .strictObject({ name, npi, taxId: z.string().regex(/^\d{9}$/), address })
            .optional(),
          subscriber: z.strictObject({
            memberId: z.string().regex(/^[A-Za-z0-9-]{2,80}$/),
            lastName: name,
            firstName: name.optional(),
            dateOfBirth: z.iso.date().optional(),
            gender: z.enum(['F', 'M', 'U']).optional(),
            /** 2010BA N3/N4; a claim without it is held (finding SUBSCRIBER_ADDRESS_MISSING). */
            address: address.optional(),
          }),
          referringProvider: z.strictObject({ name, firstName: name.optional(), npi }).optional(),
        }),
      }),
      workflow: workflowType<ClaimSubmissionWorkflow>(CLAIM_WORKFLOW_TYPE),
      start: async (body, req) => {
        const principal = principalOf(req);
        const practice = await callerPractice(deps, req);
        // One claim per visit and practice; a claim this practice started under the bare visit id (before ids
        // were scoped) is the one reused.
        const claimId = await claimIdForStart(deps.temporal, principal.practiceId, body.visit.id);
        // Only an episode of this practice may inform the claim (404 otherwise, like any foreign id).
        const pocWorkflowId = body.planOfCareId
          ? (await ownedProcess(deps, req, 'poc', body.planOfCareId)).workflowId
          : undefined;
        return {
          id: claimId,
          // A visit is billed once: even after its process closed, the same id is never started again.
          rejectDuplicate: true,
          // Built like the claim a "note signed" EMR event starts (workflows/claim/claim-input.ts): same id, same CLM01.
          input: buildClaimInput({
            claimId,
            practiceId: principal.practiceId,
            patientId: body.patientId,
            timezone: practice.timezone,
            visit: body.visit,
            parties: body.parties,
            ...(pocWorkflowId ? { planOfCareWorkflowId: pocWorkflowId } : {}),
            ...(body.priorAuthNumber ? { priorAuthNumber: body.priorAuthNumber } : {}),
            ...(body.kxAccruedAllowedCents !== undefined
              ? { kxAccruedAllowedCents: body.kxAccruedAllowedCents }
              : {}),
            ...(deps.pollEveryMinutes !== undefined ? { pollEveryMinutes: deps.pollEveryMinutes } : {}),
          }),
          patientId: body.patientId,
          searchAttributes: [{ key: PayerId, value: body.visit.payerId }],
        };
      },
    });

    app.post(
      '/v1/claims/preview',
      {
        config: { roles: ['admin', 'biller'] },
        schema: {
          tags: ['claims'],
          operationId: 'previewClaim',
          summary: 'Dry run: code and scrub a visit and show the 837P, without submitting anything',
          // The same format `ptflow claim preview <file>` reads.
          body: ClaimPreviewRequestSchema,
          response: { 200: claimPreviewViews },
        },
      },
      async (req) => {
        const principal = principalOf(req);
        try {
          // The preview needs no patient: a placeholder stands in, and nothing is stored or sent.
          return await previewClaim(previewInputOf(req.body, principal.practiceId));
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

    statusRoute(app, deps, claims, {
      roles: ['admin', 'biller'],
      operationId: 'getClaim',
      summary: 'Status of a claim',
      description:
        'By the claim id of the 202, or by the visit id (claims started before ids were scoped by practice ' +
        "carry the visit id itself). Another practice's claim is a 404 like an unknown id.",
      response: claimStatusViews,
      query: claimStatusQuery,
    });

    signalRoute(app, deps, claims, {
      action: 'corrections',
      roles: ['admin', 'biller'],
      operationId: 'correctClaim',
      summary: 'Correct a held claim; the process codes, scrubs and submits it again',
      body: ClaimCorrectionSchema,
      signal: claimCorrectedSignal,
      payload: (body, req) => ({ ...body, correctedBy: principalOf(req).id }),
    });
  };

// Prior authorizations over REST: start, status, payer decision, record a visit (409 with the
// reason when the authorization does not allow it — "visit 7 of 6"), staff corrections, and staff resolving an
// authorization that waits for them (a request the payer could not take: resubmit, not required, cancel).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isIcd10CmFormat } from '../../domain/codes/icd10.js';

import {
  adjustAuthorizationUpdate,
  payerDecisionSignal,
  priorAuthorizationStatusQuery,
  recordVisitUpdate,
  resolveAuthorizationUpdate,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import { PayerId } from '../../workflows/shared/search-attributes.js';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../auth/plugin.js';
import { type ProcessRouteDeps, newProcessId, signalOwned } from '../processes.js';
import { HttpProblem, problem } from '../problem.js';
import { authorizationStatusViews, visitRecordedViews } from '../response-shaping/views.js';
import {
  type ProcessResource,
  callerPractice,
  signalRoute,
  startRoute,
  workflowType,
  statusRoute,
  updateRoute,
} from './process-routes.js';

const isoDate = z.iso.date();
const diagnosisCodes = z
  .array(z.string().max(8).refine(isIcd10CmFormat, 'expected an ICD-10-CM code'))
  .min(1)
  .max(12);
const procedureCodes = z
  .array(z.string().regex(/^[0-9A-Z]{5}$/, 'expected a CPT/HCPCS code'))
  .min(1)
  .max(10);
const authorizations: ProcessResource = {
  kind: 'auth',
  resourceType: 'authorization',
  tag: 'authorizations',
  path: '/v1/authorizations',
  processKind: 'priorAuthorization',
};

/** The body of POST /v1/authorizations/:id/decision (also what the console's decision form is validated by). */
export const authorizationDecisionBody = z.strictObject({
  outcome: z.enum(['approved', 'partially_approved', 'denied', 'pended']),
  authNumber: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,50}$/)
    .optional(),
  visitsAuthorized: z.number().int().min(0).max(500).optional(),
  unitsAuthorized: z.number().int().min(0).max(5000).optional(),
  startDate: isoDate.optional(),
  endDate: isoDate.optional(),
});

/**
 * Records the payer's decision for one of the caller's authorizations (tenancy, the signal, the audit entry): the
 * code path of POST /v1/authorizations/:id/decision, also behind the console's decision form.
 */
export function submitAuthorizationDecision(
  deps: ProcessRouteDeps,
  req: FastifyRequest,
  authorizationId: string,
  decision: z.infer<typeof authorizationDecisionBody>,
): Promise<{ id: string; status: 'accepted' }> {
  return signalOwned(
    deps,
    req,
    { kind: authorizations.kind, id: authorizationId, resourceType: authorizations.resourceType },
    payerDecisionSignal,
    decision,
  );
}

export const authorizationRoutes = (deps: ProcessRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    startRoute(app, deps, authorizations, {
      roles: ['admin', 'front_desk'],
      operationId: 'startAuthorization',
      summary: 'Start the prior-authorization process for a coverage episode',
      body: z.strictObject({
        patientId: z.uuid(),
        coverageId: z.uuid(),
        payerId: z.string().regex(/^[a-z0-9-]{2,64}$/),
        requestedVisits: z.number().int().min(1).max(200),
        startDate: isoDate,
        endDate: isoDate.optional(),
        urgency: z.enum(['standard', 'urgent']).default('standard'),
        planOfCareContinues: z.boolean().default(true),
        // What the 278 asks for: without a diagnosis no request can be sent to the payer (the process raises
        // a front-desk task and waits for /resolution); procedure codes default to the worker's ones.
        diagnosisCodes: diagnosisCodes.optional(),
        procedureCodes: procedureCodes.optional(),
      }),
      workflow: workflowType<PriorAuthorizationWorkflow>(PRIOR_AUTHORIZATION_WORKFLOW_TYPE),
      start: async (body, req) => {
        const principal = principalOf(req);
        const practice = await callerPractice(deps, req);
        const authorizationId = newProcessId(req);
        return {
          id: authorizationId,
          input: { ...body, authorizationId, practiceId: principal.practiceId, timezone: practice.timezone },
          patientId: body.patientId,
          searchAttributes: [{ key: PayerId, value: body.payerId }],
        };
      },
    });

    statusRoute(app, deps, authorizations, {
      roles: ['admin', 'front_desk', 'biller', 'therapist'],
      operationId: 'getAuthorization',
      summary: 'Status of an authorization',
      response: authorizationStatusViews,
      query: priorAuthorizationStatusQuery,
    });

    signalRoute(app, deps, authorizations, {
      action: 'decision',
      roles: ['admin', 'front_desk', 'integration'],
      operationId: 'recordAuthorizationDecision',
      summary: "Record the payer's decision (portal, phone or webhook)",
      body: authorizationDecisionBody,
      signal: payerDecisionSignal,
    });

    updateRoute(app, deps, authorizations, {
      action: 'visits',
      roles: ['admin', 'front_desk', 'therapist', 'integration'],
      operationId: 'recordAuthorizationVisit',
      summary: 'Count a completed visit against the authorization (409 with the reason when not allowed)',
      body: z.strictObject({
        visitId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
        dos: isoDate,
        units: z.number().int().min(0).max(48),
      }),
      response: visitRecordedViews,
      update: recordVisitUpdate,
    });

    updateRoute(app, deps, authorizations, {
      action: 'adjust',
      roles: ['admin', 'front_desk'],
      operationId: 'adjustAuthorization',
      summary: 'Staff correction of visits, units or the end date (audited)',
      body: z.strictObject({
        visitsAuthorized: z.number().int().min(0).max(500).optional(),
        unitsAuthorized: z.number().int().min(0).max(5000).optional(),
        endDate: isoDate.optional(),
        reasonCode: z.enum(['payer_correction', 'data_entry_error', 'retro_authorization']),
      }),
      response: authorizationStatusViews,
      update: adjustAuthorizationUpdate,
      payload: (body, req) => ({ ...body, adjustedBy: principalOf(req).id }),
    });

    updateRoute(app, deps, authorizations, {
      action: 'resolution',
      roles: ['admin', 'front_desk', 'biller'],
      operationId: 'resolveAuthorization',
      summary:
        'Resolve an authorization waiting for staff (needs_attention): resubmit with corrected codes, not required, or cancel',
      description:
        '409 when the authorization is not waiting for staff (or has finished); 422 when the resolution cannot fix it (a resubmission without any diagnosis).',
      body: z.discriminatedUnion('action', [
        z.strictObject({
          action: z.literal('resubmit'),
          diagnosisCodes: diagnosisCodes.optional(),
          procedureCodes: procedureCodes.optional(),
        }),
        z.strictObject({ action: z.literal('not_required') }),
        z.strictObject({ action: z.literal('cancel') }),
      ]),
      response: authorizationStatusViews,
      update: resolveAuthorizationUpdate,
      payload: (body, req) => ({ ...body, resolvedBy: principalOf(req).id }),
      mapError: (err) => {
        // The process is waiting, but this resolution cannot fix it: the request content is the problem.
        if (err instanceof HttpProblem && err.problem.reason === 'InvalidResolution') {
          throw new HttpProblem(problem(422, err.problem.detail, { reason: 'InvalidResolution' }));
        }
        throw err;
      },
    });
  };

// Prior authorizations over REST (DESIGN §3): start, status, payer decision, record a visit (409 with the
// reason when the authorization does not allow it — "visit 7 of 6"), staff corrections, and staff resolving an
// authorization that waits for them (a request the payer could not take: resubmit, not required, cancel).
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { practices } from '../../db/schema.js';
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
import { principalOf } from '../auth/plugin.js';
import {
  type ProcessRouteDeps,
  audited,
  newProcessId,
  ownedProcess,
  queryOwned,
  signalOwned,
  updateOr409,
  updateOwned,
  startProcess,
} from '../processes.js';
import { HttpProblem, problem } from '../problem.js';
import { authorizationStatusViews, visitRecordedViews } from '../response-shaping/views.js';

const isoDate = z.iso.date();
const diagnosisCodes = z
  .array(z.string().max(8).refine(isIcd10CmFormat, 'expected an ICD-10-CM code'))
  .min(1)
  .max(12);
const procedureCodes = z
  .array(z.string().regex(/^[0-9A-Z]{5}$/, 'expected a CPT/HCPCS code'))
  .min(1)
  .max(10);
const id = z.strictObject({ id: z.uuid() });

const started = z.object({
  id: z.uuid(),
  status: z.literal('started'),
  links: z.object({ self: z.string() }),
});

export const authorizationRoutes = (deps: ProcessRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    app.post(
      '/v1/authorizations',
      {
        config: { roles: ['admin', 'front_desk'], idempotent: true },
        schema: {
          tags: ['authorizations'],
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
          response: { 202: started },
        },
      },
      async (req, reply) => {
        const principal = principalOf(req);
        const [practice] = await deps.db
          .select()
          .from(practices)
          .where(eq(practices.id, principal.practiceId));
        if (!practice) throw new HttpProblem(problem(404, 'No such practice.'));
        const authorizationId = newProcessId(req);
        return reply.code(202).send(
          await startProcess<PriorAuthorizationWorkflow>(deps, req, {
            kind: 'auth',
            processKind: 'priorAuthorization',
            id: authorizationId,
            workflow: PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
            args: [
              { ...req.body, authorizationId, practiceId: principal.practiceId, timezone: practice.timezone },
            ],
            patientId: req.body.patientId,
            searchAttributes: [{ key: PayerId, value: req.body.payerId }],
            resourceType: 'authorization',
            path: '/v1/authorizations',
          }),
        );
      },
    );

    app.get(
      '/v1/authorizations/:id',
      {
        config: { roles: ['admin', 'front_desk', 'biller', 'therapist'] },
        schema: {
          tags: ['authorizations'],
          operationId: 'getAuthorization',
          summary: 'Status of an authorization',
          params: id,
          response: { 200: authorizationStatusViews },
        },
      },
      async (req) => {
        return queryOwned(
          deps,
          req,
          { kind: 'auth', id: req.params.id, resourceType: 'authorization' },
          priorAuthorizationStatusQuery,
        );
      },
    );

    app.post(
      '/v1/authorizations/:id/decision',
      {
        config: { roles: ['admin', 'front_desk', 'integration'], idempotent: true },
        schema: {
          tags: ['authorizations'],
          operationId: 'recordAuthorizationDecision',
          summary: "Record the payer's decision (portal, phone or webhook)",
          params: id,
          body: z.strictObject({
            outcome: z.enum(['approved', 'partially_approved', 'denied', 'pended']),
            authNumber: z
              .string()
              .regex(/^[A-Za-z0-9-]{1,50}$/)
              .optional(),
            visitsAuthorized: z.number().int().min(0).max(500).optional(),
            unitsAuthorized: z.number().int().min(0).max(5000).optional(),
            startDate: isoDate.optional(),
            endDate: isoDate.optional(),
          }),
          response: { 202: z.object({ id: z.uuid(), status: z.literal('accepted') }) },
        },
      },
      async (req, reply) => {
        return reply
          .code(202)
          .send(
            await signalOwned(
              deps,
              req,
              { kind: 'auth', id: req.params.id, resourceType: 'authorization' },
              payerDecisionSignal,
              req.body,
            ),
          );
      },
    );

    app.post(
      '/v1/authorizations/:id/visits',
      {
        config: { roles: ['admin', 'front_desk', 'therapist', 'integration'], idempotent: true },
        schema: {
          tags: ['authorizations'],
          operationId: 'recordAuthorizationVisit',
          summary: 'Count a completed visit against the authorization (409 with the reason when not allowed)',
          params: id,
          body: z.strictObject({
            visitId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
            dos: isoDate,
            units: z.number().int().min(0).max(48),
          }),
          response: { 200: visitRecordedViews },
        },
      },
      async (req) => {
        return updateOwned(
          deps,
          req,
          { kind: 'auth', id: req.params.id, resourceType: 'authorization' },
          recordVisitUpdate,
          req.body,
        );
      },
    );

    app.post(
      '/v1/authorizations/:id/adjust',
      {
        config: { roles: ['admin', 'front_desk'], idempotent: true },
        schema: {
          tags: ['authorizations'],
          operationId: 'adjustAuthorization',
          summary: 'Staff correction of visits, units or the end date (audited)',
          params: id,
          body: z.strictObject({
            visitsAuthorized: z.number().int().min(0).max(500).optional(),
            unitsAuthorized: z.number().int().min(0).max(5000).optional(),
            endDate: isoDate.optional(),
            reasonCode: z.enum(['payer_correction', 'data_entry_error', 'retro_authorization']),
          }),
          response: { 200: authorizationStatusViews },
        },
      },
      async (req) => {
        const principal = principalOf(req);
        const handle = await ownedProcess(deps, req, 'auth', req.params.id);
        const result = await updateOr409(() =>
          handle.executeUpdate(adjustAuthorizationUpdate, {
            args: [{ ...req.body, adjustedBy: principal.id }],
          }),
        );
        await audited(deps, req, {
          action: 'U',
          resourceType: 'authorization',
          resourceId: req.params.id,
          workflowId: handle.workflowId,
        });
        return result;
      },
    );
    app.post(
      '/v1/authorizations/:id/resolution',
      {
        config: { roles: ['admin', 'front_desk', 'biller'], idempotent: true },
        schema: {
          tags: ['authorizations'],
          operationId: 'resolveAuthorization',
          summary:
            'Resolve an authorization waiting for staff (needs_attention): resubmit with corrected codes, not required, or cancel',
          description:
            '409 when the authorization is not waiting for staff (or has finished); 422 when the resolution cannot fix it (a resubmission without any diagnosis).',
          params: id,
          body: z.discriminatedUnion('action', [
            z.strictObject({
              action: z.literal('resubmit'),
              diagnosisCodes: diagnosisCodes.optional(),
              procedureCodes: procedureCodes.optional(),
            }),
            z.strictObject({ action: z.literal('not_required') }),
            z.strictObject({ action: z.literal('cancel') }),
          ]),
          response: { 200: authorizationStatusViews },
        },
      },
      async (req) => {
        const principal = principalOf(req);
        const handle = await ownedProcess(deps, req, 'auth', req.params.id);
        const result = await updateOr409(() =>
          handle.executeUpdate(resolveAuthorizationUpdate, {
            args: [{ ...req.body, resolvedBy: principal.id }],
          }),
        ).catch((err: unknown) => {
          // The process is waiting, but this resolution cannot fix it: the request content is the problem.
          if (err instanceof HttpProblem && err.problem.reason === 'InvalidResolution') {
            throw new HttpProblem(problem(422, err.problem.detail, { reason: 'InvalidResolution' }));
          }
          throw err;
        });
        await audited(deps, req, {
          action: 'U',
          resourceType: 'authorization',
          resourceId: req.params.id,
          workflowId: handle.workflowId,
        });
        return result;
      },
    );
  };

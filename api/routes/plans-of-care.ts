// Plans of care over REST (DESIGN §3): start an episode, its status, completed visits, outcome measures,
// physician certification and discharge. Clinical routes belong to therapists (minimum necessary, security §1).
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { practices } from '../../db/schema.js';
import { outcomeInstruments } from '../../domain/outcomes/instruments.js';
import {
  dischargePlanOfCareSignal,
  PLAN_OF_CARE_WORKFLOW_TYPE,
  planOfCareStatusQuery,
  recordCertificationUpdate,
  recordOutcomeUpdate,
  visitCompletedSignal,
  type PlanOfCareWorkflow,
} from '../../workflows/plan-of-care/messages.js';

import { principalOf } from '../auth/plugin.js';
import {
  type ProcessRouteDeps,
  newProcessId,
  ownedProcess,
  queryOwned,
  signalOwned,
  updateOwned,
  startProcess,
} from '../processes.js';
import { HttpProblem, problem } from '../problem.js';
import { outcomeResultViews, planOfCareStatusViews } from '../response-shaping/views.js';

const id = z.strictObject({ id: z.uuid() });
const isoDate = z.iso.date();
const clinical = ['admin', 'therapist'] as const;
const accepted = z.object({ id: z.uuid(), status: z.literal('accepted') });

export const planOfCareRoutes = (deps: ProcessRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    app.post(
      '/v1/plans-of-care',
      {
        config: { roles: clinical, idempotent: true },
        schema: {
          tags: ['plans-of-care'],
          operationId: 'startPlanOfCare',
          summary: 'Start the plan-of-care process of an episode (from the signed evaluation to discharge)',
          body: z.strictObject({
            patientId: z.uuid(),
            referringPractitionerId: z.uuid(),
            firstTreatmentDate: isoDate,
            pocEndDate: isoDate.optional(),
            referralSignedAndDated: z.boolean().default(false),
            /** The authorization process of the episode, to signal extensions and discharge. */
            authorizationId: z.uuid().optional(),
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
        const episodeId = newProcessId(req);
        const { authorizationId, ...rest } = req.body;
        // The episode signals its authorization (extensions, discharge): only one of this practice (404 otherwise).
        const authorizationWorkflowId = authorizationId
          ? (await ownedProcess(deps, req, 'auth', authorizationId)).workflowId
          : undefined;
        return reply.code(202).send(
          await startProcess<PlanOfCareWorkflow>(deps, req, {
            kind: 'poc',
            processKind: 'planOfCare',
            id: episodeId,
            workflow: PLAN_OF_CARE_WORKFLOW_TYPE,
            args: [
              {
                ...rest,
                episodeId,
                practiceId: principal.practiceId,
                timezone: practice.timezone,
                ...(authorizationWorkflowId ? { authorizationWorkflowId } : {}),
              },
            ],
            patientId: req.body.patientId,
            resourceType: 'plan_of_care',
            path: '/v1/plans-of-care',
          }),
        );
      },
    );

    app.get(
      '/v1/plans-of-care/:id',
      {
        config: { roles: clinical },
        schema: {
          tags: ['plans-of-care'],
          operationId: 'getPlanOfCare',
          summary: 'Status of an episode',
          params: id,
          response: { 200: planOfCareStatusViews },
        },
      },
      async (req) => {
        return queryOwned(
          deps,
          req,
          { kind: 'poc', id: req.params.id, resourceType: 'plan_of_care' },
          planOfCareStatusQuery,
        );
      },
    );

    app.post(
      '/v1/plans-of-care/:id/visits',
      {
        config: { roles: [...clinical, 'integration'], idempotent: true },
        schema: {
          tags: ['plans-of-care'],
          operationId: 'recordPlanOfCareVisit',
          summary: 'A treatment visit was completed (counts treatment days for progress reports)',
          params: id,
          body: z.strictObject({ visitId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/), dos: isoDate }),
          response: { 202: accepted },
        },
      },
      async (req, reply) => {
        return reply
          .code(202)
          .send(
            await signalOwned(
              deps,
              req,
              { kind: 'poc', id: req.params.id, resourceType: 'plan_of_care' },
              visitCompletedSignal,
              req.body,
            ),
          );
      },
    );

    app.post(
      '/v1/plans-of-care/:id/outcomes',
      {
        config: { roles: clinical, idempotent: true },
        schema: {
          tags: ['plans-of-care'],
          operationId: 'recordPlanOfCareOutcomes',
          summary: 'Record an outcome measure; answers the change against baseline and the MCID',
          params: id,
          body: z.strictObject({
            instrument: z.enum(outcomeInstruments),
            score: z.number().min(-1000).max(1000),
            date: isoDate,
          }),
          response: { 200: outcomeResultViews },
        },
      },
      async (req) => {
        return updateOwned(
          deps,
          req,
          { kind: 'poc', id: req.params.id, resourceType: 'plan_of_care' },
          recordOutcomeUpdate,
          req.body,
        );
      },
    );

    app.post(
      '/v1/plans-of-care/:id/certification',
      {
        config: { roles: [...clinical, 'front_desk'], idempotent: true },
        schema: {
          tags: ['plans-of-care'],
          operationId: 'recordPlanOfCareCertification',
          summary:
            "Record the physician's certification (signature, verbal order, transmission proof, recertification)",
          params: id,
          body: z.discriminatedUnion('kind', [
            z.strictObject({
              kind: z.literal('signature'),
              signedDate: isoDate,
              delayJustification: z.boolean().optional(),
            }),
            z.strictObject({ kind: z.literal('verbal_order'), orderDate: isoDate }),
            z.strictObject({
              kind: z.literal('transmission'),
              transmittedDate: isoDate,
              proofRef: z.string().regex(/^[A-Za-z0-9:._-]{1,100}$/),
            }),
            z.strictObject({
              kind: z.literal('recertification'),
              signedDate: isoDate,
              certifiedFrom: isoDate,
              certifiedThrough: isoDate,
            }),
          ]),
          response: { 200: planOfCareStatusViews },
        },
      },
      async (req) => {
        return updateOwned(
          deps,
          req,
          { kind: 'poc', id: req.params.id, resourceType: 'plan_of_care' },
          recordCertificationUpdate,
          req.body,
        );
      },
    );

    app.post(
      '/v1/plans-of-care/:id/discharge',
      {
        config: { roles: clinical, idempotent: true },
        schema: {
          tags: ['plans-of-care'],
          operationId: 'dischargePlanOfCare',
          summary: 'Discharge: summaries to the physician, the authorization closed',
          params: id,
          body: z.strictObject({ reason: z.enum(['goals_met', 'patient_request', 'plateau', 'other']) }),
          response: { 202: accepted },
        },
      },
      async (req, reply) => {
        return reply
          .code(202)
          .send(
            await signalOwned(
              deps,
              req,
              { kind: 'poc', id: req.params.id, resourceType: 'plan_of_care' },
              dischargePlanOfCareSignal,
              req.body,
            ),
          );
      },
    );
  };

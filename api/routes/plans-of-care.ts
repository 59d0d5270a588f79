// Plans of care over REST: start an episode, its status, completed visits, outcome measures,
// physician certification and discharge. Clinical routes belong to therapists (minimum necessary).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
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
import { type ProcessRouteDeps, newProcessId, ownedProcess } from '../processes.js';
import { outcomeResultViews, planOfCareStatusViews } from '../response-shaping/views.js';
import {
  type ProcessResource,
  callerPractice,
  signalRoute,
  startRoute,
  workflowType,
  statusRoute,
  updateRoute,
} from './process-routes.js';
import { careSeriesRoutes } from './care-series.js';
import { pocSignatureRoutes } from './poc-signatures.js';

const plansOfCare: ProcessResource = {
  kind: 'poc',
  resourceType: 'plan_of_care',
  tag: 'plans-of-care',
  path: '/v1/plans-of-care',
  processKind: 'planOfCare',
};
const isoDate = z.iso.date();
const clinical = ['admin', 'therapist'] as const;

export const planOfCareRoutes = (deps: ProcessRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    startRoute(app, deps, plansOfCare, {
      roles: clinical,
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
      workflow: workflowType<PlanOfCareWorkflow>(PLAN_OF_CARE_WORKFLOW_TYPE),
      start: async (body, req) => {
        const principal = principalOf(req);
        const practice = await callerPractice(deps, req);
        const episodeId = newProcessId(req);
        const { authorizationId, ...rest } = body;
        // The episode signals its authorization (extensions, discharge): only one of this practice (404 otherwise).
        const authorizationWorkflowId = authorizationId
          ? (await ownedProcess(deps, req, 'auth', authorizationId)).workflowId
          : undefined;
        return {
          id: episodeId,
          input: {
            ...rest,
            episodeId,
            practiceId: principal.practiceId,
            timezone: practice.timezone,
            ...(authorizationWorkflowId ? { authorizationWorkflowId } : {}),
          },
          patientId: body.patientId,
        };
      },
    });

    statusRoute(app, deps, plansOfCare, {
      roles: clinical,
      operationId: 'getPlanOfCare',
      summary: 'Status of an episode',
      response: planOfCareStatusViews,
      query: planOfCareStatusQuery,
    });

    signalRoute(app, deps, plansOfCare, {
      action: 'visits',
      roles: [...clinical, 'integration'],
      operationId: 'recordPlanOfCareVisit',
      summary: 'A treatment visit was completed (counts treatment days for progress reports)',
      body: z.strictObject({ visitId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/), dos: isoDate }),
      signal: visitCompletedSignal,
    });

    updateRoute(app, deps, plansOfCare, {
      action: 'outcomes',
      roles: clinical,
      operationId: 'recordPlanOfCareOutcomes',
      summary: 'Record an outcome measure; answers the change against baseline and the MCID',
      body: z.strictObject({
        instrument: z.enum(outcomeInstruments),
        score: z.number().min(-1000).max(1000),
        date: isoDate,
      }),
      response: outcomeResultViews,
      update: recordOutcomeUpdate,
    });

    updateRoute(app, deps, plansOfCare, {
      action: 'certification',
      roles: [...clinical, 'front_desk'],
      operationId: 'recordPlanOfCareCertification',
      summary:
        "Record the physician's certification (signature, verbal order, transmission proof, recertification)",
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
      response: planOfCareStatusViews,
      update: recordCertificationUpdate,
    });

    signalRoute(app, deps, plansOfCare, {
      action: 'discharge',
      roles: clinical,
      operationId: 'dischargePlanOfCare',
      summary: 'Discharge: summaries to the physician, the authorization closed',
      body: z.strictObject({ reason: z.enum(['goals_met', 'patient_request', 'plateau', 'other']) }),
      signal: dischargePlanOfCareSignal,
    });

    pocSignatureRoutes(app, deps);
    careSeriesRoutes(app, deps);
  };

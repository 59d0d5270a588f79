// Patient onboarding over REST: start, status, intake forms completed, coverage updated, cancel.
// The intake carries PHI: it travels only inside encrypted Temporal payloads; status answers carry none.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

import { OnboardingRequestSchema } from '../../domain/onboarding/intake.js';
import {
  cancelOnboardingSignal,
  coverageUpdatedSignal,
  intakeFormsCompletedSignal,
  ONBOARDING_WORKFLOW_TYPE,
  onboardingStatusQuery,
  type PatientOnboardingWorkflow,
} from '../../workflows/onboarding/messages.js';

import { principalOf } from '../auth/plugin.js';
import { onboardingStatusViews } from '../response-shaping/views.js';
import type { FastifyRequest } from 'fastify';
import { type ProcessRouteDeps, newProcessId, signalOwned } from '../processes.js';
import {
  type ProcessResource,
  signalRoute,
  startRoute,
  statusRoute,
  workflowType,
} from './process-routes.js';

const onboardings: ProcessResource = {
  kind: 'onboarding',
  resourceType: 'onboarding',
  tag: 'onboardings',
  path: '/v1/onboardings',
  processKind: 'onboarding',
};
const desk = ['admin', 'front_desk'] as const;

/** The body of POST /v1/onboardings/:id/coverage (and the fields of the console's update-insurance form). */
export const coverageUpdateBody = z.strictObject({
  coverageId: z.uuid(),
  payerId: z.string().regex(/^[a-z0-9-]{2,64}$/),
  memberId: z.string().regex(/^[A-Za-z0-9-]{2,80}$/),
  groupNumber: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,50}$/)
    .optional(),
});

/**
 * Records updated insurance for one of the caller's onboardings (tenancy, the signal, the audit entry): the code
 * path of POST /v1/onboardings/:id/coverage, also behind the console's update-insurance form. The onboarding
 * verifies eligibility again and closes its update_insurance task itself.
 */
export function submitOnboardingCoverage(
  deps: ProcessRouteDeps,
  req: FastifyRequest,
  onboardingId: string,
  update: z.infer<typeof coverageUpdateBody>,
): Promise<{ id: string; status: 'accepted' }> {
  return signalOwned(
    deps,
    req,
    { kind: onboardings.kind, id: onboardingId, resourceType: onboardings.resourceType },
    coverageUpdatedSignal,
    update,
  );
}

export const onboardingRoutes = (deps: ProcessRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    startRoute(app, deps, onboardings, {
      roles: [...desk, 'integration'],
      operationId: 'startOnboarding',
      summary: 'Start onboarding a patient (intake, eligibility, forms, evaluation booking)',
      body: OnboardingRequestSchema,
      workflow: workflowType<PatientOnboardingWorkflow>(ONBOARDING_WORKFLOW_TYPE),
      start: async (body, req) => {
        const onboardingId = newProcessId(req);
        return {
          id: onboardingId,
          input: { ...body, onboardingId, practiceId: principalOf(req).practiceId },
          patientId: body.patientId,
        };
      },
    });

    statusRoute(app, deps, onboardings, {
      roles: [...desk],
      operationId: 'getOnboarding',
      summary: 'Status of an onboarding (no patient details)',
      response: onboardingStatusViews,
      query: onboardingStatusQuery,
    });

    signalRoute(app, deps, onboardings, {
      action: 'intake-forms',
      roles: [...desk, 'integration'],
      operationId: 'submitOnboardingIntakeForms',
      summary: 'The patient completed the intake forms (answers are written back to the EMR)',
      body: z.strictObject({
        responseId: z.uuid(),
        questionnaire: z.url().max(200),
        authored: z.iso.datetime({ offset: true }),
        items: z
          .array(
            z.strictObject({
              linkId: z.string().min(1).max(64),
              text: z.string().max(200).optional(),
              answers: z.array(z.union([z.string().max(500), z.number(), z.boolean()])).max(20),
            }),
          )
          .max(200),
      }),
      signal: intakeFormsCompletedSignal,
    });

    signalRoute(app, deps, onboardings, {
      action: 'coverage',
      roles: [...desk],
      operationId: 'submitOnboardingCoverage',
      summary: 'Updated insurance for a coverage; eligibility is verified again',
      body: coverageUpdateBody,
      signal: coverageUpdatedSignal,
    });

    signalRoute(app, deps, onboardings, {
      action: 'cancel',
      roles: [...desk],
      operationId: 'cancelOnboarding',
      summary: 'Cancel onboarding (the booked slot is released, reminders stop, tasks close)',
      body: z.strictObject({
        reason: z.enum(['patient_request', 'duplicate', 'staff_decision', 'no_show']),
      }),
      signal: cancelOnboardingSignal,
    });
  };

// Patient onboarding over REST (DESIGN §3): start, status, intake forms completed, coverage updated, cancel.
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
import { type ProcessRouteDeps, newProcessId, queryOwned, signalOwned, startProcess } from '../processes.js';

const id = z.strictObject({ id: z.uuid() });
const accepted = z.object({ id: z.uuid(), status: z.literal('accepted') });
const desk = ['admin', 'front_desk'] as const;

export const onboardingRoutes = (deps: ProcessRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    app.post(
      '/v1/onboardings',
      {
        config: { roles: [...desk, 'integration'], idempotent: true },
        schema: {
          tags: ['onboardings'],
          operationId: 'startOnboarding',
          summary: 'Start onboarding a patient (intake, eligibility, forms, evaluation booking)',
          body: OnboardingRequestSchema,
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
        const onboardingId = newProcessId(req);
        return reply.code(202).send(
          await startProcess<PatientOnboardingWorkflow>(deps, req, {
            kind: 'onboarding',
            processKind: 'onboarding',
            id: onboardingId,
            workflow: ONBOARDING_WORKFLOW_TYPE,
            args: [{ ...req.body, onboardingId, practiceId: principal.practiceId }],
            patientId: req.body.patientId,
            resourceType: 'onboarding',
            path: '/v1/onboardings',
          }),
        );
      },
    );

    app.get(
      '/v1/onboardings/:id',
      {
        config: { roles: [...desk] },
        schema: {
          tags: ['onboardings'],
          operationId: 'getOnboarding',
          summary: 'Status of an onboarding (no patient details)',
          params: id,
          response: { 200: onboardingStatusViews },
        },
      },
      async (req) => {
        return queryOwned(
          deps,
          req,
          { kind: 'onboarding', id: req.params.id, resourceType: 'onboarding' },
          onboardingStatusQuery,
        );
      },
    );

    app.post(
      '/v1/onboardings/:id/intake-forms',
      {
        config: { roles: [...desk, 'integration'], idempotent: true },
        schema: {
          tags: ['onboardings'],
          operationId: 'submitOnboardingIntakeForms',
          summary: 'The patient completed the intake forms (answers are written back to the EMR)',
          params: id,
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
              { kind: 'onboarding', id: req.params.id, resourceType: 'onboarding' },
              intakeFormsCompletedSignal,
              req.body,
            ),
          );
      },
    );

    app.post(
      '/v1/onboardings/:id/coverage',
      {
        config: { roles: [...desk], idempotent: true },
        schema: {
          tags: ['onboardings'],
          operationId: 'submitOnboardingCoverage',
          summary: 'Updated insurance for a coverage; eligibility is verified again',
          params: id,
          body: z.strictObject({
            coverageId: z.uuid(),
            payerId: z.string().regex(/^[a-z0-9-]{2,64}$/),
            memberId: z.string().regex(/^[A-Za-z0-9-]{2,80}$/),
            groupNumber: z
              .string()
              .regex(/^[A-Za-z0-9-]{1,50}$/)
              .optional(),
          }),
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
              { kind: 'onboarding', id: req.params.id, resourceType: 'onboarding' },
              coverageUpdatedSignal,
              req.body,
            ),
          );
      },
    );

    app.post(
      '/v1/onboardings/:id/cancel',
      {
        config: { roles: [...desk], idempotent: true },
        schema: {
          tags: ['onboardings'],
          operationId: 'cancelOnboarding',
          summary: 'Cancel onboarding (the booked slot is released, reminders stop, tasks close)',
          params: id,
          body: z.strictObject({
            reason: z.enum(['patient_request', 'duplicate', 'staff_decision', 'no_show']),
          }),
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
              { kind: 'onboarding', id: req.params.id, resourceType: 'onboarding' },
              cancelOnboardingSignal,
              req.body,
            ),
          );
      },
    );
  };

// Booking a plan of care's series of visits (issue 18 part 3): `POST /v1/plans-of-care/{id}/series`. The front
// desk books the series at the desk after the evaluation, with the patient in front of them: the answer has to
// come back in the same request, with the visits booked and the reasons in words they can repeat ("Dana sees
// you Tuesdays and Thursdays at 8 am; the authorization covers 10 visits, the last two need an extension").
// So the route starts a short bookCareSeries process (the EMR and the solver are reached only through
// Temporal, never from the API) and waits for its result. `preview: true` plans and explains without booking.
// The same Idempotency-Key answers the same series (the process id comes from the idempotency record).
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { workflowId } from '../../domain/ids.js';
import { IsoDateSchema } from '../../domain/model/common.js';
import { ACUITIES } from '../../domain/scheduling/types.js';
import { EQUIPMENT_KINDS } from '../../domain/scheduling/equipment.js';
import {
  BOOK_CARE_SERIES_WORKFLOW_TYPE,
  type BookCareSeriesResult,
  type BookCareSeriesWorkflow,
} from '../../workflows/series/messages.js';
import { PatientId } from '../../workflows/shared/search-attributes.js';
import { newProcessId, ownedProcess, startProcess, type ProcessRouteDeps } from '../processes.js';
import { fieldProblem, HttpProblem, problem } from '../problem.js';
import { callerPractice } from './process-routes.js';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM');

export const SeriesBodySchema = z.strictObject({
  acuity: z.enum(ACUITIES),
  visitsPerWeek: z.number().int().min(1).max(5),
  weeks: z.number().int().min(1).max(26),
  /** First day the series may start (clinic calendar). */
  startDate: IsoDateSchema,
  /** The patient's weekly windows (clinic time); empty = any time the clinic is open. */
  availability: z
    .array(
      z
        .strictObject({ weekday: z.number().int().min(0).max(6), start: clock, end: clock })
        .refine((w) => w.start < w.end, { message: 'window start must be before its end', path: ['end'] }),
    )
    .max(21)
    .default([]),
  /** Usually the evaluating therapist (continuity of care). */
  preferredTherapistId: z.uuid().optional(),
  preferredLocationId: z.uuid().optional(),
  /** Every visit needs a device of this kind. */
  equipmentKind: z.enum(EQUIPMENT_KINDS).optional(),
  /** The authorization process of the episode: its remaining visits and end date cap the series. */
  authorizationId: z.uuid().optional(),
  /** Plan and explain, book nothing. */
  preview: z.boolean().default(false),
});

const visit = z.object({
  appointmentId: z.string().optional(),
  emrAppointmentId: z.string().optional(),
  start: z.string(),
  therapistId: z.string(),
  locationId: z.string(),
  equipmentId: z.string().optional(),
  /** The room the visit holds a unit of (absent: the location has no rooms). */
  roomId: z.string().optional(),
});

export const SeriesResultSchema = z.object({
  seriesId: z.string(),
  outcome: z.enum(['booked', 'partially_booked', 'nothing_booked', 'preview']),
  requested: z.number().int(),
  visitMinutes: z.number().int(),
  authorization: z
    .object({
      visitsRemaining: z.number().int().optional(),
      endDate: z.string().optional(),
      status: z.string(),
    })
    .optional(),
  visits: z.array(visit),
  taken: z.number().int(),
  explanation: z.array(z.string()),
});

/** Who may preview and book a series (the route's roles; the console page admits the same). */
export const SERIES_ROLES = ['admin', 'front_desk'] as const;

/** Failures of the process the caller can act on (their type names are ours, their messages carry no PHI). */
const CALLER_FAILURES = new Set(['InvalidSeriesRequest', 'PatientNotInEmr']);

/** POST /v1/plans-of-care/{id}/series (registered by the plan-of-care routes). */
export function careSeriesRoutes(app: Parameters<FastifyPluginAsyncZod>[0], deps: ProcessRouteDeps): void {
  app.post(
    '/v1/plans-of-care/:id/series',
    {
      config: { roles: SERIES_ROLES, idempotent: true },
      schema: {
        tags: ['plans-of-care'],
        operationId: 'bookPlanOfCareSeries',
        summary:
          "Book the plan of care's series of visits jointly (or preview it), explained for the front desk",
        description:
          'Plans every visit of the series at once (the solver): one therapist throughout when possible, inside ' +
          "the patient's weekly windows, a device free at every visit when the plan needs one, never more visits " +
          'than the authorization has left nor after its end date, at least a day apart, and longer visits where the ' +
          "patient's recent visits ran long. Answers the visits booked and `explanation`, in plain words. " +
          'Send an Idempotency-Key: a retry answers the same series.',
        params: z.strictObject({ id: z.uuid() }),
        body: SeriesBodySchema,
        response: { 200: SeriesResultSchema },
      },
    },
    async (req) => runCareSeries(deps, req, req.params.id, req.body),
  );
}

/** The series body after validation (defaults applied). */
export type SeriesBody = z.output<typeof SeriesBodySchema>;

/**
 * Plans (preview) or books a plan of care's series for the caller: the one code path of
 * `POST /v1/plans-of-care/{id}/series` and the console's "Book the series" page. Tenancy first (another practice's
 * plan of care or authorization is a 404), then the short bookCareSeries process, whose result it answers; a
 * request the process refuses is a 422 problem with its reason. The caller checks the role.
 */
export async function runCareSeries(
  deps: ProcessRouteDeps,
  req: FastifyRequest,
  planOfCareId: string,
  input: SeriesBody,
): Promise<BookCareSeriesResult> {
  const poc = await ownedProcess(deps, req, 'poc', planOfCareId);
  const patientId = (await poc.describe()).typedSearchAttributes.get(PatientId);
  if (!patientId) throw new HttpProblem(problem(409, 'The plan of care names no patient yet.'));
  const { authorizationId, preview, ...request } = input;
  const authorization = authorizationId ? await ownedProcess(deps, req, 'auth', authorizationId) : undefined;
  if (authorization) {
    const authPatient = (await authorization.describe()).typedSearchAttributes.get(PatientId);
    if (authPatient !== patientId)
      throw new HttpProblem(
        fieldProblem('The authorization is not for the patient of this plan of care.', {
          in: 'body',
          pointer: '/authorizationId',
          code: 'invalid_value',
          detail: 'Another patient’s authorization.',
        }),
      );
  }
  const practice = await callerPractice(deps, req);
  const id = newProcessId(req);
  await startProcess<BookCareSeriesWorkflow>(deps, req, {
    kind: 'series',
    processKind: 'bookCareSeries',
    id,
    workflow: BOOK_CARE_SERIES_WORKFLOW_TYPE,
    args: [
      {
        seriesId: id,
        practiceId: practice.id,
        patientId,
        planOfCareWorkflowId: poc.workflowId,
        ...(authorization ? { authorizationWorkflowId: authorization.workflowId } : {}),
        request: { ...request, timeZone: practice.timezone },
        preview,
      },
    ],
    patientId,
    resourceType: 'care_series',
    path: '/v1/plans-of-care/series',
  });
  try {
    return await deps.temporal.workflow
      .getHandle<BookCareSeriesWorkflow>(workflowId('series', id))
      .result()
      .then((r: BookCareSeriesResult) => r);
  } catch (err) {
    // The process failed on an activity's ApplicationFailure (WorkflowFailedError → ActivityFailure → it).
    if (err instanceof WorkflowFailedError) {
      for (let cause: unknown = err.cause; cause instanceof Error; cause = cause.cause) {
        if (cause instanceof ApplicationFailure && cause.type && CALLER_FAILURES.has(cause.type))
          throw new HttpProblem(problem(422, cause.message, { reason: cause.type }));
      }
    }
    throw err;
  }
}

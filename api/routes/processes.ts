// `GET /v1/processes`: the practice's processes through Temporal visibility, filtered by the allow-listed
// search attributes only (kind, status, patient, needs-attention), newest first, with a signed cursor that
// wraps Temporal's page token and is bound to the practice (a cursor never pages another practice's list).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  NeedsAttention,
  NextDeadline,
  PatientId,
  ProcessKind,
  ProcessStatus,
} from '../../workflows/shared/search-attributes.js';
import { principalOf } from '../auth/plugin.js';
import { invalidCursor } from '../pagination.js';
import { HttpProblem } from '../problem.js';
import { processPageViews } from '../response-shaping/views.js';

// Every ProcessKind search-attribute value a workflow sets (workflows/*.ts upsert it at start); emrEvent is
// the short per-event router (workflows/emr-events/workflow.ts).
const kinds = [
  'onboarding',
  'priorAuthorization',
  'claimSubmission',
  'planOfCare',
  'humanTask',
  'emrEvent',
  // Issue 18: one per missed visit, one per freed slot (workflows/visits/).
  'missedVisit',
  'waitlistFill',
] as const;

function sealToken(key: Buffer, practiceId: string, token: Uint8Array): string {
  const body = Buffer.from(token).toString('base64url');
  const mac = createHmac('sha256', key).update(`${practiceId}.${body}`).digest('base64url');
  return `${body}.${mac}`;
}

function openToken(key: Buffer, practiceId: string, cursor: string): Uint8Array {
  const [body, mac] = cursor.split('.');
  const expected = body ? createHmac('sha256', key).update(`${practiceId}.${body}`).digest() : undefined;
  const given = Buffer.from(mac ?? '', 'base64url');
  if (!body || !expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpProblem(invalidCursor());
  }
  return new Uint8Array(Buffer.from(body, 'base64url'));
}

export const processRoutes = (deps: { temporal: Client; cursorKey: Buffer }): FastifyPluginAsyncZod =>
  async function routes(app) {
    app.get(
      '/v1/processes',
      {
        config: { roles: ['admin', 'front_desk', 'biller', 'therapist'] },
        schema: {
          tags: ['processes'],
          operationId: 'listProcesses',
          summary: 'List processes of your practice (Temporal visibility), newest first',
          querystring: z.strictObject({
            kind: z.enum(kinds).optional(),
            status: z
              .string()
              .regex(/^[a-z_]{2,40}$/)
              .optional(),
            patientId: z.uuid().optional(),
            needsAttention: z.enum(['true', 'false']).optional(),
            limit: z.coerce.number().int().min(1).max(100).default(10),
            cursor: z.string().max(2048).optional(),
          }),
          response: { 200: processPageViews },
        },
      },
      async (req) => {
        const principal = principalOf(req);
        const filters = req.query;
        // Every value is validated above to a closed alphabet, so interpolating it cannot change the query.
        const clauses = [`PracticeId = '${principal.practiceId}'`];
        if (filters.kind) clauses.push(`ProcessKind = '${filters.kind}'`);
        if (filters.status) clauses.push(`ProcessStatus = '${filters.status}'`);
        if (filters.patientId) clauses.push(`PatientId = '${filters.patientId}'`);
        if (filters.needsAttention) clauses.push(`NeedsAttention = ${filters.needsAttention}`);
        const page = await deps.temporal.workflowService.listWorkflowExecutions({
          namespace: deps.temporal.options.namespace,
          // Visibility returns newest first by default; the dev server's SQLite store rejects ORDER BY.
          query: clauses.join(' AND '),
          pageSize: filters.limit,
          ...(filters.cursor
            ? { nextPageToken: openToken(deps.cursorKey, principal.practiceId, filters.cursor) }
            : {}),
        });
        const data = (page.executions ?? []).map((e) => {
          const sa = decodeTypedSearchAttributes(e.searchAttributes?.indexedFields);
          const deadline = sa.get(NextDeadline);
          const started = e.startTime?.seconds;
          return {
            id: e.execution?.workflowId ?? '',
            kind: sa.get(ProcessKind) ?? null,
            status: sa.get(ProcessStatus) ?? null,
            patientId: sa.get(PatientId) ?? null,
            needsAttention: sa.get(NeedsAttention) ?? false,
            nextDeadline: deadline ? deadline.toISOString() : null,
            running: e.status === 1,
            startedAt: started != null ? new Date(Number(started) * 1000).toISOString() : null,
          };
        });
        const token = page.nextPageToken;
        const more = token != null && token.length > 0;
        return {
          data,
          has_more: more,
          next_cursor: more ? sealToken(deps.cursorKey, principal.practiceId, token) : null,
        };
      },
    );
  };

// The charge export for billing systems over REST (recon): `GET /v1/billing/charges?date=&format=csv|837p`
// answers one date of service's charges of the caller's practice as the documented CSV (docs/billing-export.md)
// or as an 837P batch. Billing data (codes, amounts; the 837P also the subscriber) is the biller's (security.md
// §1): an admin needs an active break-glass grant, like every billing-content route. Every export is audited
// (who, which date and format, how many claims, which patients by opaque id; never a value).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appendAuditBatch } from '../../db/audit/append.js';
import type { Database } from '../../db/connection.js';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { isIsoDate } from '../../domain/core/dates.js';
import { auditDenied } from '../audit.js';
import { principalOf } from '../auth/plugin.js';
import {
  BillingExportNotConfigured,
  BillingExportUnbuildable,
  exportCharges,
  type BillingExportDeps,
} from '../billing-export.js';
import { activeGrants, BREAK_GLASS_PURPOSE } from '../break-glass/grants.js';
import { HttpProblem, problem } from '../problem.js';

export const billingRoutes = (
  deps: { db: Database; now: () => Date } & BillingExportDeps,
): FastifyPluginAsyncZod =>
  async function routes(app) {
    app.get(
      '/v1/billing/charges',
      {
        config: { roles: ['admin', 'biller'] },
        schema: {
          operationId: 'exportCharges',
          tags: ['billing'],
          summary:
            'Charges of one date of service for a billing system: documented CSV (one row per claim line) or an 837P batch',
          querystring: z.strictObject({
            date: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}$/)
              .refine(isIsoDate, { message: 'expected a calendar date YYYY-MM-DD' })
              .describe('Date of service (YYYY-MM-DD)'),
            format: z.enum(['csv', '837p']).default('csv'),
          }),
          response: {
            200: z
              .string()
              .describe(
                'text/csv (columns in docs/billing-export.md) or application/edi-x12 (an 837P 005010X222A1 batch; empty when no claim qualifies)',
              ),
          },
        },
      },
      async (req, reply) => {
        const principal = principalOf(req);
        const now = deps.now();
        // Codes, amounts and (837P) the subscriber: an admin reads them only under break-glass (SEC-AC-3).
        const grant =
          principal.role === 'admin' ? (await activeGrants(deps.db, principal, now))[0] : undefined;
        if (principal.role === 'admin' && !grant) {
          await auditDenied(deps.db, {
            principal,
            route: '/v1/billing/charges',
            status: 403,
            requestId: req.id,
            ip: req.ip,
          });
          throw new HttpProblem(
            problem(403, 'Your role needs an active break-glass grant for this route.', {
              reason: 'BreakGlassRequired',
            }),
          );
        }
        let result;
        try {
          result = await exportCharges(deps.db, deps, {
            practiceId: principal.practiceId,
            date: req.query.date,
            format: req.query.format,
            now,
          });
        } catch (err) {
          if (err instanceof BillingExportNotConfigured) {
            throw new HttpProblem(problem(503, err.message, { reason: 'BillingExportNotConfigured' }));
          }
          if (err instanceof BillingExportUnbuildable) {
            throw new HttpProblem(problem(422, err.message, { reason: 'BillingExportUnbuildable' }));
          }
          throw err;
        }
        try {
          // One entry for the export, and one per patient whose claims it carried (opaque ids, no values).
          const entry = {
            actorId: principal.id,
            actorType: principal.type,
            actorRole: principal.role,
            sourceIp: req.ip,
            action: 'R' as const,
            resourceType: 'billing_export',
            resourceId: `${req.query.date}|${req.query.format}|claims:${result.claims}`,
            ...(grant ? { purposeOfUse: BREAK_GLASS_PURPOSE } : {}),
            outcome: 'success' as const,
            requestId: req.id,
            fieldsDisclosed:
              req.query.format === 'csv'
                ? ['claim_lines', 'patient_ref']
                : ['claim_lines', 'subscriber', 'billing_provider'],
          };
          await appendAuditBatch(deps.db, [
            entry,
            ...result.patientIds.map((patientRef) => ({ ...entry, patientRef })),
          ]);
        } catch (err) {
          if (isDatabaseUnavailable(err)) throw err;
          throw new HttpProblem(problem(503, 'The audit log is unavailable; try again.'));
        }
        const { claims, lines, skipped } = result;
        return reply
          .type(result.contentType)
          .header('cache-control', 'no-store')
          .header('ptflow-export-claims', String(claims))
          .header('ptflow-export-lines', String(lines))
          .header(
            'ptflow-export-skipped',
            `uncoded=${skipped.uncoded}, not-billable=${skipped.notBillable}, unbuildable=${skipped.unbuildable}`,
          )
          .header(
            'content-disposition',
            `attachment; filename="charges-${req.query.date}.${req.query.format === 'csv' ? 'csv' : 'x12'}"`,
          )
          .send(result.body);
      },
    );
  };

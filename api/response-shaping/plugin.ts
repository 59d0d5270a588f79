// Wires role views into Fastify: every route whose response schema is a view set (see role-views.ts) gets a
// preSerialization step that encodes the payload through the caller's role view, so the bytes sent carry only
// that role's fields. A route that lets in a role without a view fails at start-up, not at request time.
//
// Break-glass (emergency access): a caller holding an active grant (checked against the injectable clock on every
// request, so a grant lapses by itself) is served the full view, and each such response is audited with purpose
// ETREAT before it is sent — if the audit cannot be written, nothing is sent (audit fails closed). A role marked
// break-glass-only on a route is refused (403, audited) before the handler runs, so it cannot even write.
import type {
  FastifyReply,
  FastifyRequest,
  preSerializationAsyncHookHandler,
  preValidationAsyncHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
import { appendAuditGrouped } from '../../db/audit/append.js';
import type { Database } from '../../db/connection.js';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { auditDenied } from '../audit.js';
import type { Role } from '../auth/principal.js';
import { activeGrants, BREAK_GLASS_PURPOSE, type ActiveGrant } from '../break-glass/grants.js';
import { HttpProblem, problem } from '../problem.js';
import { canBreakGlass, hasViewFor, shapeFor, viewsOf, type RoleViews } from './role-views.js';

export interface ShapedResponse {
  method: string;
  url: string;
  status: number;
  roles: readonly Role[];
  views: RoleViews;
}

export interface ResponseShapingOptions {
  /** Where break-glass grants live; without it no grant is ever active (break-glass-only roles get 403). */
  db?: Database;
  /** The clock grants expire against (tests pass a fake one). */
  now?: () => Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every (route, status) answered through role views: the key-set snapshot test walks it. */
    responseViews: ShapedResponse[];
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const responseShapingPlugin = fp<ResponseShapingOptions>(
  async (app, options) => {
    const shaped: ShapedResponse[] = [];
    app.decorate('responseViews', shaped);
    const now = options.now ?? (() => new Date());

    // One grant lookup per request, shared by the pre-handler gate and the serializer.
    const grants = new WeakMap<FastifyRequest, Promise<ActiveGrant | undefined>>();
    const grantOf = (req: FastifyRequest): Promise<ActiveGrant | undefined> => {
      const principal = req.principal;
      if (!options.db || !principal || !canBreakGlass(principal.role)) return Promise.resolve(undefined);
      let found = grants.get(req);
      if (!found) {
        const db = options.db;
        found = activeGrants(db, principal, now()).then((open) => open[0]);
        grants.set(req, found);
      }
      return found;
    };

    app.addHook('onRoute', (route) => {
      const response = (route.schema as { response?: Record<string, unknown> } | undefined)?.response;
      if (!response) return;
      const byStatus = new Map<number, RoleViews>();
      for (const [status, schema] of Object.entries(response)) {
        const views = viewsOf(schema);
        if (views) byStatus.set(Number(status), views);
      }
      if (byStatus.size === 0) return;
      const roles = route.config?.roles ?? [];
      const gated = new Set<Role>();
      for (const [status, views] of byStatus) {
        const missing = roles.find((role) => !hasViewFor(views, role));
        if (missing) {
          throw new Error(`${String(route.method)} ${route.url}: ${views.name} has no view for ${missing}`);
        }
        for (const role of views.breakGlassOnly) gated.add(role);
        for (const method of [route.method].flat()) {
          if (method !== 'HEAD') shaped.push({ method, url: route.url, status, roles, views });
        }
      }

      if (gated.size > 0) {
        // Before validation, idempotency and the handler: a gated role without a grant changes nothing.
        const gate: preValidationAsyncHookHandler = async (req: FastifyRequest) => {
          const principal = req.principal;
          if (!principal || !gated.has(principal.role)) return;
          if (await grantOf(req)) return;
          if (options.db) {
            await auditDenied(options.db, {
              principal,
              route: route.url,
              status: 403,
              requestId: req.id,
              ip: req.ip,
            }).catch((err: unknown) => {
              // The database down or full: the central handler's 503 with Retry-After.
              if (isDatabaseUnavailable(err)) throw err;
              throw new HttpProblem(problem(503, 'The audit log is unavailable; try again.'));
            });
          }
          throw new HttpProblem(
            problem(403, 'Your role needs an active break-glass grant for this route.', {
              reason: 'BreakGlassRequired',
            }),
          );
        };
        route.preValidation = [gate, ...[route.preValidation ?? []].flat()] as typeof route.preValidation;
      }

      const shape: preSerializationAsyncHookHandler = async (
        req: FastifyRequest,
        reply: FastifyReply,
        payload: unknown,
      ) => {
        const views = byStatus.get(reply.statusCode);
        if (!views) return payload;
        const principal = req.principal;
        // Unreachable on authenticated routes; if it ever happens, nothing is sent rather than everything.
        if (!principal) throw new HttpProblem(problem(403, 'Your role may not use this route.'));
        const grant = await grantOf(req);
        const narrowed = shapeFor(views, principal.role, payload, { breakGlass: grant !== undefined });
        if (grant && options.db) {
          // Field names only (never values); patientRef only when the response names one by its opaque id.
          const fields = Object.keys(narrowed as object).filter((k) =>
            /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(k),
          );
          const patientId = (narrowed as { patientId?: unknown }).patientId;
          try {
            await appendAuditGrouped(options.db, {
              actorId: principal.id,
              actorType: principal.type,
              actorRole: principal.role,
              sourceIp: req.ip,
              action: 'R',
              resourceType: 'break_glass_disclosure',
              // The grant and the route pattern (never the raw URL), in the audit log's opaque-id alphabet.
              resourceId: `${grant.id}|${route.url.replace(/[^A-Za-z0-9:._|-]/g, '.')}`,
              purposeOfUse: BREAK_GLASS_PURPOSE,
              outcome: 'success',
              requestId: req.id,
              fieldsDisclosed: fields,
              ...(typeof patientId === 'string' && UUID.test(patientId) ? { patientRef: patientId } : {}),
            });
          } catch (err) {
            if (isDatabaseUnavailable(err)) throw err;
            throw new HttpProblem(problem(503, 'The audit log is unavailable; try again.'));
          }
        }
        // Already validated and narrowed: the route's compiled serializer (the union of all views) is skipped.
        reply.serializer((p) => JSON.stringify(p));
        return narrowed;
      };
      route.preSerialization = [route.preSerialization ?? []].flat().concat(shape);
    });
  },
  { name: 'ptflow-response-shaping' },
);

// Wires role views into Fastify: every route whose response schema is a view set (see role-views.ts) gets a
// preSerialization step that encodes the payload through the caller's role view, so the bytes sent carry only
// that role's fields. A route that lets in a role without a view fails at start-up, not at request time.
import type { FastifyReply, FastifyRequest, preSerializationAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../auth/principal.js';
import { HttpProblem, problem } from '../problem.js';
import { shapeFor, viewsOf, type RoleViews } from './role-views.js';

export interface ShapedResponse {
  method: string;
  url: string;
  status: number;
  roles: readonly Role[];
  views: RoleViews;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every (route, status) answered through role views: the key-set snapshot test walks it. */
    responseViews: ShapedResponse[];
  }
}

export const responseShapingPlugin = fp(
  async (app) => {
    const shaped: ShapedResponse[] = [];
    app.decorate('responseViews', shaped);
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
      for (const [status, views] of byStatus) {
        const missing = roles.find((role) => !views.byRole[role]);
        if (missing) {
          throw new Error(`${String(route.method)} ${route.url}: ${views.name} has no view for ${missing}`);
        }
        for (const method of [route.method].flat()) {
          if (method !== 'HEAD') shaped.push({ method, url: route.url, status, roles, views });
        }
      }
      const shape: preSerializationAsyncHookHandler = async (
        req: FastifyRequest,
        reply: FastifyReply,
        payload: unknown,
      ) => {
        const views = byStatus.get(reply.statusCode);
        if (!views) return payload;
        const role = req.principal?.role;
        // Unreachable on authenticated routes; if it ever happens, nothing is sent rather than everything.
        if (!role) throw new HttpProblem(problem(403, 'Your role may not use this route.'));
        const narrowed = shapeFor(views, role, payload);
        // Already validated and narrowed: the route's compiled serializer (the union of all views) is skipped.
        reply.serializer((p) => JSON.stringify(p));
        return narrowed;
      };
      route.preSerialization = [route.preSerialization ?? []].flat().concat(shape);
    });
  },
  { name: 'ptflow-response-shaping' },
);

// Who is calling. Every request except health/metrics/docs resolves to exactly one principal (no shared or
// anonymous callers), which carries its practice (tenancy) and role (RBAC).
export const roles = ['admin', 'front_desk', 'therapist', 'biller', 'integration'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  /** `apikey:<prefix>` or `user:<sub>`: written on every audit event, never a name. */
  id: string;
  type: 'api_key' | 'user';
  role: Role;
  practiceId: string;
  /** Authentication methods (OIDC `amr`), for routes that demand MFA. */
  amr: string[];
  /** When the user signed in (OIDC `auth_time`, seconds since the epoch); API keys have none. */
  authTime?: number;
  /** The staff session that authenticated the request (signed-in people in a browser); absent otherwise. */
  sessionId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route. Absent means the route is closed to everyone (deny by default). */
    roles?: readonly Role[];
    /** Health, readiness, metrics and docs only. */
    public?: boolean;
    /**
     * A server-rendered HTML page (sign-in, console): kept out of the OpenAPI document, and a browser that
     * navigates to it without a live session is redirected to the sign-in page instead of answered 401.
     */
    page?: boolean;
    /**
     * Skip the CSRF check of cookie-authenticated requests. Only for routes that change nothing and check the
     * request's Origin themselves (the codec server's decode). Never for a route that writes.
     */
    csrfExempt?: boolean;
  }
}

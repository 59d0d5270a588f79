// Break-glass (45 CFR 164.312(a)(2)(ii) emergency access): an admin or therapist states why they need
// more than their role's minimum-necessary view, and gets the full views of their practice for a fixed window
// (domain/break-glass.ts). Opening a grant is audited with purpose ETREAT and queues a notification to the
// privacy officer; grants lapse by themselves and can be ended early. The reason is never echoed, logged or
// audited: it may name a patient, so it is stored only encrypted under the data keyring (like every PHI column).
// Opening a grant needs a person with a recent second factor (OIDC `amr` + `auth_time`, policy in
// domain/break-glass.ts): an API key gets 403 (InteractiveSignInRequired), a sign-in without a fresh second
// factor 401 with an RFC 9470 step-up challenge (MfaRequired).
// Without a keyring no grant can be opened: POST answers 503 and writes nothing (rather than storing the reason
// in clear or the app refusing to boot for callers that never open grants); the composition root
// (cli/services.ts) always passes the data keyring, so a running server always has emergency access.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/connection.js';
import type { Keyring } from '../../db/crypto/keyring.js';
import { breakGlassPolicies, breakGlassPolicyAt, checkSecondFactor } from '../../domain/break-glass.js';
import { principalOf } from '../auth/plugin.js';
import { activeGrants, endGrant, openGrant, type ActiveGrant } from '../break-glass/grants.js';
import { fieldProblem, HttpProblem, problem } from '../problem.js';
import { breakGlassRoles } from '../response-shaping/role-views.js';

export interface BreakGlassRouteDeps {
  db: Database;
  /** The clock grants are dated and expire against. */
  now: () => Date;
  /** The data keyring that encrypts the reason; without it grants cannot be opened (503). */
  keyring: Keyring | undefined;
}

/** Why POST /v1/break-glass is unavailable on a server composed without a data keyring. */
export const BREAK_GLASS_DISABLED =
  'Break-glass is not available on this server: no data keyring is configured to encrypt the reason.';

// The schema's bounds are the widest any policy allows; the policy in force is checked in the handler.
const minReason = Math.min(...breakGlassPolicies.map((p) => p.reasonMinChars));
const maxReason = Math.max(...breakGlassPolicies.map((p) => p.reasonMaxChars));

const grantView = z.object({
  id: z.uuid(),
  scope: z.literal('practice'),
  grantedAt: z.string(),
  expiresAt: z.string(),
});
const toView = (g: ActiveGrant) => ({
  id: g.id,
  scope: 'practice' as const,
  grantedAt: g.grantedAt.toISOString(),
  expiresAt: g.expiresAt.toISOString(),
});

/** C0 controls other than tab, line feed and carriage return, and DEL. */
function hasControlCharacter(text: string): boolean {
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

export const breakGlassRoutes = (deps: BreakGlassRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    const config = { roles: breakGlassRoles };
    const keyring = deps.keyring;
    if (!keyring) app.log.warn({ reason: 'no_data_keyring' }, 'break-glass grants cannot be opened');

    app.post(
      '/v1/break-glass',
      {
        config,
        schema: {
          tags: ['break-glass'],
          operationId: 'openBreakGlassGrant',
          summary: 'Open a time-boxed break-glass grant (full views of your practice; audited, reported)',
          description:
            "Needs a person signed in through OIDC with a recent second factor: the token's `amr` names a " +
            "second factor (e.g. `mfa`, `otp`, `hwk`) and its `auth_time` lies within the policy's window " +
            '(15 minutes). An API key cannot carry one and is refused with 403 (`reason: ' +
            'InteractiveSignInRequired`); a sign-in without a fresh second factor gets 401 (`reason: MfaRequired`) ' +
            'with `WWW-Authenticate: Bearer error="insufficient_user_authentication", max_age=…` (RFC 9470): sign ' +
            'in again with the second factor and retry.',
          body: z.strictObject({
            // Free text for the privacy officer; control characters (NUL cannot even be stored) are refused.
            reason: z
              .string()
              .trim()
              .min(minReason)
              .max(maxReason)
              .refine((text) => !hasControlCharacter(text), 'control characters are not allowed'),
            scope: z.literal('practice').default('practice'),
          }),
          response: { 201: grantView },
        },
      },
      async (req, reply) => {
        const principal = principalOf(req);
        if (!keyring) throw new HttpProblem(problem(503, BREAK_GLASS_DISABLED));
        const now = deps.now();
        const policy = breakGlassPolicyAt(now);
        const factor = checkSecondFactor(principal, now, policy);
        if (!factor.ok && factor.reason === 'InteractiveSignInRequired') {
          throw new HttpProblem(
            problem(
              403,
              'Break-glass needs a person signed in with a second factor; an API key cannot open a grant.',
              { reason: factor.reason },
            ),
          );
        }
        if (!factor.ok) {
          // RFC 9470 step-up: the client signs the user in again with a second factor, then retries.
          reply.header(
            'www-authenticate',
            `Bearer error="insufficient_user_authentication", error_description="A recent second factor is required", max_age=${(policy.secondFactor?.maxAgeMinutes ?? 0) * 60}`,
          );
          throw new HttpProblem(
            problem(
              401,
              `Break-glass needs a second factor from a sign-in within the last ${policy.secondFactor?.maxAgeMinutes ?? 0} minutes; sign in again with it and retry.`,
              { reason: factor.reason },
            ),
          );
        }
        const { reason } = req.body;
        if (reason.length < policy.reasonMinChars || reason.length > policy.reasonMaxChars) {
          throw new HttpProblem(
            fieldProblem('The request is not valid. body /reason: too short or too long.', {
              in: 'body',
              pointer: '/reason',
              code: reason.length < policy.reasonMinChars ? 'too_small' : 'too_big',
              minimum: policy.reasonMinChars,
              maximum: policy.reasonMaxChars,
              detail: `Must have ${policy.reasonMinChars} to ${policy.reasonMaxChars} characters.`,
            }),
          );
        }
        const result = await openGrant(deps.db, keyring, principal, {
          reason,
          requestId: req.id,
          sourceIp: req.ip,
          now,
        });
        if (!result.ok) {
          reply.header('retry-after', String(result.retryAfterSeconds));
          throw new HttpProblem(
            problem(429, 'Too many break-glass grants; retry later or contact the privacy officer.'),
          );
        }
        return reply.code(201).send(toView(result.grant));
      },
    );

    app.get(
      '/v1/break-glass',
      {
        config,
        schema: {
          tags: ['break-glass'],
          operationId: 'listBreakGlassGrants',
          summary: 'Your active break-glass grants, newest first',
          response: { 200: z.object({ data: z.array(grantView) }) },
        },
      },
      async (req) => ({ data: (await activeGrants(deps.db, principalOf(req), deps.now())).map(toView) }),
    );

    app.delete(
      '/v1/break-glass/:id',
      {
        config,
        schema: {
          tags: ['break-glass'],
          operationId: 'endBreakGlassGrant',
          summary: 'End one of your break-glass grants early',
          params: z.strictObject({ id: z.uuid() }),
          response: { 204: z.null().describe('Ended') },
        },
      },
      async (req, reply) => {
        const ended = await endGrant(deps.db, principalOf(req), req.params.id, {
          requestId: req.id,
          sourceIp: req.ip,
          now: deps.now(),
        });
        // Another principal's grant, an expired or already-ended one: not found, nothing disclosed.
        if (!ended) throw new HttpProblem(problem(404, 'No such active grant.'));
        return reply.code(204).send(null);
      },
    );
  };

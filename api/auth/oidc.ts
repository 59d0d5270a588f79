// OIDC access tokens: signature against the issuer's JWKS, issuer, audience, exp/nbf, and an
// algorithm allow-list of asymmetric algorithms only (no `none`, no HS* — a public key must never be usable as
// an HMAC secret). ptflow reads two claims: `practice_id` (tenancy) and `role`; and `amr` and `auth_time` for the
// routes that demand a recent second factor (break-glass).
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { roles, type Principal, type Role } from './principal.js';

export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384'];

export interface OidcSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
}

/**
 * How ptflow reads a person from the IdP's claims (access tokens here, ID tokens at staff sign-in): `role` one of
 * ptflow's roles, `practice_id` the practice (tenancy), `amr` the authentication methods, `auth_time` when the
 * person authenticated. Undefined when role or practice is missing or unknown.
 */
export function claimsPrincipal(
  payload: Record<string, unknown>,
): Pick<Principal, 'role' | 'practiceId' | 'amr' | 'authTime'> | undefined {
  const role = payload.role;
  const practiceId = payload.practice_id;
  if (typeof role !== 'string' || !(roles as readonly string[]).includes(role)) return undefined;
  if (typeof practiceId !== 'string' || practiceId.length === 0) return undefined;
  const amr = Array.isArray(payload.amr) ? payload.amr.filter((m): m is string => typeof m === 'string') : [];
  const authTime =
    typeof payload.auth_time === 'number' && Number.isFinite(payload.auth_time)
      ? payload.auth_time
      : undefined;
  return { role: role as Role, practiceId, amr, ...(authTime !== undefined ? { authTime } : {}) };
}

export type OidcVerifier = (token: string) => Promise<Principal | undefined>;

export function createOidcVerifier(settings: OidcSettings, keys?: JWTVerifyGetKey): OidcVerifier {
  const jwks =
    keys ??
    createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: 30,
        requiredClaims: ['sub', 'exp'],
      });
      const mapped = claimsPrincipal(payload);
      if (!mapped) return undefined;
      return { id: `user:${payload.sub}`, type: 'user', ...mapped };
    } catch {
      // Any verification failure is the same 401 to the caller; the reason is not disclosed.
      return undefined;
    }
  };
}

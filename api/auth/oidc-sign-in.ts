// Staff sign-in against the practice's identity provider: OpenID Connect authorization code flow with PKCE
// (S256), `state` and `nonce`, through `openid-client` (discovery, token request, ID-token validation). The
// IdP user becomes a ptflow person in one of two ways, checked in this order:
//   1. a `staff_members` row with the same issuer and subject (`oidc_issuer`, `oidc_subject`) gives practice,
//      role and name — a disabled row refuses the sign-in;
//   2. otherwise the ID token's claims, read exactly as bearer access tokens are (api/auth/oidc.ts):
//      `practice_id`, `role` (admin, front_desk, therapist or biller), `amr`, `auth_time`, `name`.
// Anyone else is an unknown user: refused and audited.
import * as client from 'openid-client';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { practices, staffMembers } from '../../db/schema.js';
import { claimsPrincipal } from './oidc.js';
import type { NewSession, StaffRole } from './session.js';
import { staffRoles } from './session.js';

export interface StaffOidcSettings {
  /** Issuer URL of the IdP (its discovery document is `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** Confidential client (client_secret_basic); without it ptflow is a public client relying on PKCE. */
  clientSecret?: string;
  /** This API's callback, registered at the IdP: `https://<host>/auth/oidc/callback`. */
  redirectUri: string;
  /** Scopes asked for (default `openid profile`). */
  scope?: string;
  /** Allow an http:// issuer (tests and local IdPs only; production config refuses it). */
  allowHttp?: boolean;
}

/** Why a sign-in failed, as written on the audit event (`failure:<reason>`). */
export type SignInFailure =
  | 'bad_state'
  | 'invalid_grant'
  | 'idp_error'
  | 'unknown_user'
  | 'staff_disabled'
  | 'dev_sign_in_disabled'
  | 'oidc_not_configured'
  | 'bad_csrf';

export class SignInError extends Error {
  constructor(readonly reason: SignInFailure) {
    super(`sign-in failed: ${reason}`);
    this.name = 'SignInError';
  }
}

/** The browser-side state of one sign-in (kept in a signed, HttpOnly cookie for ten minutes). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

export interface StaffOidc {
  readonly settings: StaffOidcSettings;
  /** Where to send the browser, and what to remember until it comes back. */
  start(returnTo: string): Promise<{ url: string; pending: PendingSignIn }>;
  /** Exchanges the code (checking state, PKCE and nonce) and maps the IdP user to a new session's fields. */
  finish(callbackUrl: URL, pending: PendingSignIn): Promise<NewSession>;
}

/** An OIDC sign-in client; the IdP's metadata is discovered on first use (and again after a failed attempt). */
export function createStaffOidc(db: Database, settings: StaffOidcSettings): StaffOidc {
  let configuration: Promise<client.Configuration> | undefined;
  const config = () => {
    configuration ??= client
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        settings.clientSecret ? { client_secret: settings.clientSecret } : {},
        settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
        settings.allowHttp ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
      )
      .catch((err: unknown) => {
        configuration = undefined;
        throw err;
      });
    return configuration;
  };

  return {
    settings,
    async start(returnTo) {
      let cfg: client.Configuration;
      try {
        cfg = await config();
      } catch {
        throw new SignInError('idp_error');
      }
      const pending: PendingSignIn = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        returnTo,
      };
      const url = client.buildAuthorizationUrl(cfg, {
        redirect_uri: settings.redirectUri,
        scope: settings.scope ?? 'openid profile',
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url: url.href, pending };
    },
    async finish(callbackUrl, pending) {
      if (callbackUrl.searchParams.get('state') !== pending.state) throw new SignInError('bad_state');
      if (callbackUrl.searchParams.has('error')) throw new SignInError('idp_error');
      let claims: client.IDToken | undefined;
      try {
        const cfg = await config();
        const tokens = await client.authorizationCodeGrant(cfg, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (err) {
        // The IdP refusing the code (wrong PKCE verifier, reused or expired code) is `invalid_grant`.
        if (err instanceof client.ResponseBodyError && err.error === 'invalid_grant') {
          throw new SignInError('invalid_grant');
        }
        throw new SignInError('idp_error');
      }
      if (!claims) throw new SignInError('idp_error');
      return personFromClaims(db, claims as unknown as Record<string, unknown>);
    },
  };
}

/** The ptflow person an ID token names (see the top of this file), or SignInError. */
export async function personFromClaims(db: Database, claims: Record<string, unknown>): Promise<NewSession> {
  const iss = String(claims.iss);
  const sub = String(claims.sub);
  const mapped = claimsPrincipal(claims);
  const amr = mapped?.amr ?? [];
  const authTime = mapped?.authTime !== undefined ? new Date(mapped.authTime * 1000) : null;
  const [row] = await db
    .select()
    .from(staffMembers)
    .where(and(eq(staffMembers.oidcIssuer, iss), eq(staffMembers.oidcSubject, sub)))
    .limit(1);
  if (row) {
    if (row.disabledAt) throw new SignInError('staff_disabled');
    return {
      practiceId: row.practiceId,
      role: row.role,
      actorId: `user:${sub}`,
      staffId: row.id,
      displayName: row.displayName,
      method: 'oidc',
      amr,
      authTime,
    };
  }
  if (!mapped || !(staffRoles as readonly string[]).includes(mapped.role)) {
    throw new SignInError('unknown_user');
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(mapped.practiceId)) {
    throw new SignInError('unknown_user');
  }
  const [practice] = await db
    .select({ id: practices.id })
    .from(practices)
    .where(eq(practices.id, mapped.practiceId))
    .limit(1);
  if (!practice) throw new SignInError('unknown_user');
  const name = typeof claims.name === 'string' ? claims.name.slice(0, 120) : null;
  return {
    practiceId: mapped.practiceId,
    role: mapped.role as StaffRole,
    actorId: `user:${sub}`,
    displayName: name,
    method: 'oidc',
    amr,
    authTime,
  };
}

// Outbound authentication to the EMR: a static bearer token, or SMART Backend Services —
// OAuth2 client credentials where the client authenticates with a JWT assertion signed by its private key
// (`private_key_jwt`), so no shared secret ever leaves ptflow. Tokens are cached until shortly before expiry
// and refreshed once when the EMR answers 401.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { fetchWithoutRedirect, isRedirect, isTemporaryStatus } from '../../http/index.js';
import { EmrContractViolation, EmrRequestRejected, EmrTransportError } from '../errors.js';
import { parseJsonBody, readLimited } from './body.js';

export interface FhirAuth {
  /** Headers to add to an EMR request. */
  headers(): Promise<Record<string, string>>;
  /** Forget a cached token (after a 401). Returns false when there is nothing to refresh. */
  invalidate(): boolean;
}

export function bearerAuth(token: string): FhirAuth {
  return { headers: async () => ({ authorization: `Bearer ${token}` }), invalidate: () => false };
}

export function noAuth(): FhirAuth {
  return { headers: async () => ({}), invalidate: () => false };
}

type SigningKey = Parameters<SignJWT['sign']>[0];

export interface SmartBackendOptions {
  tokenUrl: string;
  clientId: string;
  /** e.g. "system/Patient.rs system/Appointment.cruds" */
  scope: string;
  privateKey: SigningKey;
  /** SMART requires servers to support RS384 and ES384. */
  alg: 'RS384' | 'ES384';
  /** Key id published in the client's JWKS. */
  kid: string;
  fetch?: typeof fetch;
  /** Unix milliseconds. */
  now?: () => number;
  timeoutMs?: number;
}

const TokenResponse = z.object({
  access_token: z.string().min(1).max(8192),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().int().positive().optional(),
  scope: z.string().optional(),
});

/** Refresh this long before the server's expiry so a token never expires mid-request. */
const EXPIRY_MARGIN_MS = 60_000;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

export function smartBackendAuth(opts: SmartBackendOptions): FhirAuth {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  let cached: { token: string; expiresAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function assertion(): Promise<string> {
    const iat = Math.floor(now() / 1000);
    return (
      new SignJWT({})
        .setProtectedHeader({ alg: opts.alg, kid: opts.kid, typ: 'JWT' })
        .setIssuer(opts.clientId)
        .setSubject(opts.clientId)
        .setAudience(opts.tokenUrl)
        .setJti(randomUUID())
        .setIssuedAt(iat)
        // SMART: no more than five minutes in the future.
        .setExpirationTime(iat + 300)
        .sign(opts.privateKey)
    );
  }

  async function requestToken(): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: opts.scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(),
    });
    let res: Response;
    try {
      res = await fetchWithoutRedirect(
        doFetch,
        opts.tokenUrl,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body,
        },
        opts.timeoutMs ?? 10_000,
      );
    } catch {
      throw new EmrTransportError('EMR token endpoint unreachable');
    }
    if (isRedirect(res.status)) {
      throw new EmrContractViolation('EMR token endpoint answered with a redirect (not followed)');
    }
    if (isTemporaryStatus(res.status)) {
      throw new EmrTransportError(`EMR token endpoint unavailable (HTTP ${res.status})`);
    }
    if (res.status !== 200) throw new EmrRequestRejected(res.status, 'the token request');
    const parsed = TokenResponse.safeParse(
      parseJsonBody(await readLimited(res, MAX_TOKEN_RESPONSE_BYTES, 'token'), 'token'),
    );
    if (!parsed.success) throw new EmrContractViolation('EMR token response has an unexpected shape');
    const ttlMs = (parsed.data.expires_in ?? 300) * 1000;
    cached = { token: parsed.data.access_token, expiresAt: now() + ttlMs - EXPIRY_MARGIN_MS };
    return parsed.data.access_token;
  }

  return {
    async headers() {
      if (cached && cached.expiresAt > now()) return { authorization: `Bearer ${cached.token}` };
      // Concurrent callers share one token request.
      inflight ??= requestToken().finally(() => {
        inflight = undefined;
      });
      return { authorization: `Bearer ${await inflight}` };
    },
    invalidate() {
      cached = undefined;
      return true;
    },
  };
}

// A real OpenID Provider for tests: `oidc-provider` (the certified Node implementation) over HTTP on a free
// loopback port, with one confidential client (client_secret_basic, PKCE required) whose redirect URI is the
// API's /auth/oidc/callback. Its login/consent interaction is answered by the test: `nextLogin` says who signs in
// (account id and `amr`), or that the IdP refuses (an `access_denied` error back to the client).
import http from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { freePort } from '../../devtools/ports.js';

export interface IdpAccount {
  /** Claims the ID token carries besides `sub` (e.g. practice_id, role, name). */
  claims: Record<string, unknown>;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The next interaction's outcome: who signs in, with which methods; or a refusal. */
  nextLogin: { accountId: string; amr?: string[] } | { refuse: true };
  accounts: Map<string, IdpAccount>;
  close(): Promise<void>;
}

export async function startTestIdp(redirectUri: string): Promise<TestIdp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, IdpAccount>();
  const idp: TestIdp = {
    issuer,
    clientId: 'ptflow-staff',
    clientSecret: 'test-client-secret-that-is-long-enough-0123456789',
    nextLogin: { refuse: true },
    accounts,
    close: async () => undefined,
  };
  const configuration: Configuration = {
    clients: [
      {
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    // amr and auth_time under `openid`: every ID token says how and when the person signed in (as Entra ID,
    // Okta and Keycloak do), which is what break-glass's second-factor check reads.
    claims: { openid: ['sub', 'amr', 'auth_time'], profile: ['name', 'practice_id', 'role'] },
    // The ID token carries the profile claims (ptflow reads practice and role from it).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-idp-cookie-key-0123456789abcdef'] },
    findAccount: async (_ctx, id) => {
      const account = accounts.get(id);
      return {
        accountId: id,
        claims: async () => ({ sub: id, ...(account?.claims ?? {}) }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        const next = idp.nextLogin;
        if ('refuse' in next) {
          await provider.interactionFinished(
            req,
            res,
            { error: 'access_denied', error_description: 'refused by the test' },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        if (details.prompt.name === 'login') {
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: next.accountId, ...(next.amr ? { amr: next.amr } : {}) } },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        const grant = new provider.Grant({
          accountId: details.session!.accountId,
          clientId: details.params.client_id as string,
        });
        const missing = details.prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
        };
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { consent: { grantId } },
          { mergeWithLastSubmission: true },
        );
      } catch (err) {
        res.statusCode = 500;
        res.end(String((err as Error).message));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  idp.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return idp;
}

// Staff sign-in configuration (cli/config.ts, cli/services.ts): the OIDC client variables go together, production
// refuses an http:// issuer or redirect URI and a missing session secret, session lengths stay within the
// automatic-logoff policy (idle ≤ 15 min, absolute ≤ 12 h), and the demo sign-in of `ptflow dev` is refused under a
// production configuration — each with one line naming the variable, never its value.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../cli/config.js';
import { staffAuthSettings, startApiService } from '../../cli/services.js';

const idp = {
  OIDC_ISSUER: 'https://idp.clinic.example',
  OIDC_AUDIENCE: 'ptflow-api',
  OIDC_JWKS_URL: 'https://idp.clinic.example/jwks',
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ HOME: '/home/x', ...env }, '/repo');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
}

describe('staff sign-in configuration', () => {
  it('builds the OIDC sign-in client and session lengths from the variables', () => {
    const config = loadConfig(
      {
        ...idp,
        OIDC_CLIENT_ID: 'ptflow-console',
        OIDC_CLIENT_SECRET: 'a-client-secret',
        OIDC_REDIRECT_URI: 'https://ptflow.clinic.example/auth/oidc/callback',
        STAFF_SESSION_IDLE_MINUTES: '10',
        STAFF_SESSION_MAX_HOURS: '8',
      },
      '/repo',
    );
    const s = staffAuthSettings(config, false);
    expect(s).toMatchObject({
      idleMs: 10 * 60_000,
      absoluteMs: 8 * 3_600_000,
      devSignIn: false,
      oidc: {
        issuer: idp.OIDC_ISSUER,
        clientId: 'ptflow-console',
        clientSecret: 'a-client-secret',
        redirectUri: 'https://ptflow.clinic.example/auth/oidc/callback',
        scope: 'openid profile',
        allowHttp: false,
      },
    });
    expect(s.cookieSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('defaults to 15 minutes idle and 12 hours absolute, without an IdP client', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-staff-config-'));
    try {
      const config = loadConfig({ HOME: '/home/x', PTFLOW_DATA_DIR: dir }, '/repo');
      const s = staffAuthSettings(config, true);
      expect(s).toMatchObject({ idleMs: 15 * 60_000, absoluteMs: 12 * 3_600_000, devSignIn: true });
      expect(s.oidc).toBeUndefined();
      // `ptflow dev` keeps its cookie secret in the data directory: the same after a restart.
      expect(staffAuthSettings(config, true).cookieSecret.equals(s.cookieSecret)).toBe(true);
      expect(s.cookieSecret.length).toBe(32);
      expect(fs.statSync(path.join(dir, 'keys', 'staff-session-secret')).mode & 0o077).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ OIDC_CLIENT_ID: 'x', OIDC_REDIRECT_URI: 'https://h.example/auth/oidc/callback' }, 'OIDC_ISSUER'],
    [{ ...idp, OIDC_CLIENT_ID: 'x' }, 'OIDC_REDIRECT_URI'],
    [{ ...idp, OIDC_REDIRECT_URI: 'https://h.example/auth/oidc/callback' }, 'OIDC_CLIENT_ID'],
    [{ ...idp, OIDC_CLIENT_ID: 'x', OIDC_REDIRECT_URI: 'https://h.example/elsewhere' }, 'OIDC_REDIRECT_URI'],
    [{ OIDC_SCOPE: 'profile email' }, 'OIDC_SCOPE'],
    [{ STAFF_SESSION_IDLE_MINUTES: '30' }, 'STAFF_SESSION_IDLE_MINUTES'],
    [{ STAFF_SESSION_MAX_HOURS: '24' }, 'STAFF_SESSION_MAX_HOURS'],
    [{ STAFF_SESSION_SECRET: 'c2hvcnQ=' }, 'STAFF_SESSION_SECRET'],
    [
      {
        ...idp,
        NODE_ENV: 'production',
        OIDC_CLIENT_ID: 'x',
        OIDC_REDIRECT_URI: 'http://ptflow.clinic.example/auth/oidc/callback',
      },
      'OIDC_REDIRECT_URI',
    ],
    [
      {
        ...idp,
        OIDC_ISSUER: 'http://idp.clinic.example',
        NODE_ENV: 'production',
        OIDC_CLIENT_ID: 'x',
        OIDC_REDIRECT_URI: 'https://ptflow.clinic.example/auth/oidc/callback',
      },
      'OIDC_ISSUER',
    ],
    [
      {
        ...idp,
        NODE_ENV: 'production',
        OIDC_CLIENT_ID: 'x',
        OIDC_REDIRECT_URI: 'https://ptflow.clinic.example/auth/oidc/callback',
      },
      'STAFF_SESSION_SECRET',
    ],
  ])('rejects %j naming %s', (env, variable) => {
    const err = configError(env as Record<string, string>);
    expect(err.variable).toBe(variable);
    for (const value of Object.values(env)) {
      if (value.length > 3 && !['production'].includes(value)) expect(err.message).not.toContain(value);
    }
  });

  it('refuses the demo staff sign-in under a production configuration', async () => {
    const config = { ...loadConfig({ HOME: '/home/x' }, '/repo'), NODE_ENV: 'production' as const };
    await expect(
      startApiService(config, 'postgres://nobody@127.0.0.1:1/none', { devSignIn: true }),
    ).rejects.toThrow(ConfigError);
    await expect(
      startApiService(config, 'postgres://nobody@127.0.0.1:1/none', { devSignIn: true }),
    ).rejects.toMatchObject({ variable: 'NODE_ENV' });
  });
});

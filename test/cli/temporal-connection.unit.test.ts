// Temporal's own client conventions (issue #14): ptflow reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS*,
// TEMPORAL_API_KEY and temporal.toml profiles through @temporalio/envconfig, environment over profile, and
// names the variable when one cannot be used. The connection itself is tested against a real mTLS server in
// test/temporal/mtls.int.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError, loadConfig } from '../../cli/config.js';
import { temporalConnectionOptions } from '../../cli/services.js';
import { describeTemporalConnection } from '../../temporal/connection-config.js';

let dir: string;
let cert: string;
let key: string;
let ca: string;
let toml: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-temporal-conn-'));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  cert = write('client.pem', '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n');
  key = write('client.key', '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n');
  ca = write('ca.pem', '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
  toml = write(
    'temporal.toml',
    [
      '[profile.default]',
      'address = "temporal.internal:7233"',
      'namespace = "ptflow-prod"',
      '[profile.default.tls]',
      `client_cert_path = "${cert}"`,
      `client_key_path = "${key}"`,
      `server_ca_cert_path = "${ca}"`,
      'server_name = "temporal.internal"',
      '[profile.cloud]',
      'address = "ptflow.a1b2c.tmprl.cloud:7233"',
      'namespace = "ptflow.a1b2c"',
      'api_key = "cloud-key-from-profile"',
      '',
    ].join('\n'),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The variable a failed loadConfig names, and its one-line message. */
function failure(env: Record<string, string>): { variable: string; line: string } {
  try {
    loadConfig(env, '/repo');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return { variable: (err as ConfigError).variable, line: formatConfigError(err as ConfigError) };
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('Temporal connection configuration (envconfig)', () => {
  it('defaults to the local dev server in plaintext on the default namespace', () => {
    const c = loadConfig({ HOME: dir }, '/repo');
    expect(c.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(c.temporalAddress).toBe('127.0.0.1:7233');
    expect(c.TEMPORAL_NAMESPACE).toBe('default');
    expect(temporalConnectionOptions(c)).toEqual({});
    expect(describeTemporalConnection(c.temporal)).toBe('127.0.0.1:7233 (namespace default, plaintext)');
  });

  it('reads mutual TLS from TEMPORAL_TLS_* variables (the files, not their paths, reach the connection)', () => {
    const c = loadConfig(
      {
        TEMPORAL_ADDRESS: 'temporal.example:7233',
        TEMPORAL_NAMESPACE: 'ptflow',
        TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: key,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.example',
      },
      '/repo',
    );
    expect(c.temporal.address).toBe('temporal.example:7233');
    expect(c.temporal.namespace).toBe('ptflow');
    const tls = c.temporal.tls;
    expect(typeof tls).toBe('object');
    if (typeof tls !== 'object') return;
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe(fs.readFileSync(cert, 'utf8'));
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe(fs.readFileSync(key, 'utf8'));
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe(fs.readFileSync(ca, 'utf8'));
    expect(tls.serverNameOverride).toBe('temporal.example');
    expect(describeTemporalConnection(c.temporal)).toBe(
      'temporal.example:7233 (namespace ptflow, TLS with client certificate, private CA, server name temporal.example)',
    );
  });

  it('reads a temporal.toml profile (TEMPORAL_CONFIG_FILE), and the environment overrides it', () => {
    const fromFile = loadConfig({ TEMPORAL_CONFIG_FILE: toml }, '/repo');
    expect(fromFile.temporalAddress).toBe('temporal.internal:7233');
    expect(fromFile.TEMPORAL_NAMESPACE).toBe('ptflow-prod');
    expect(typeof fromFile.temporal.tls === 'object' && fromFile.temporal.tls.clientCertPair).toBeTruthy();

    const overridden = loadConfig(
      { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_ADDRESS: 'other:7233', TEMPORAL_NAMESPACE: 'staging' },
      '/repo',
    );
    expect(overridden.temporalAddress).toBe('other:7233');
    expect(overridden.TEMPORAL_NAMESPACE).toBe('staging');
    // TEMPORAL_TLS=false turns the profile's TLS off (as in the temporal CLI).
    expect(loadConfig({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_TLS: 'false' }, '/repo').temporal.tls).toBe(
      false,
    );
  });

  it('finds the default temporal.toml under the user config directory', () => {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    fs.mkdirSync(path.join(home, '.config', 'temporalio'), { recursive: true });
    fs.copyFileSync(toml, path.join(home, '.config', 'temporalio', 'temporal.toml'));
    expect(loadConfig({ HOME: home }, '/repo').temporalAddress).toBe('temporal.internal:7233');
    expect(loadConfig({ XDG_CONFIG_HOME: path.join(home, '.config') }, '/repo').temporalAddress).toBe(
      'temporal.internal:7233',
    );
  });

  it('selects a profile with TEMPORAL_PROFILE; an API key turns TLS on', () => {
    const c = loadConfig({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud' }, '/repo');
    expect(c.temporal).toEqual({
      address: 'ptflow.a1b2c.tmprl.cloud:7233',
      namespace: 'ptflow.a1b2c',
      apiKey: 'cloud-key-from-profile',
      tls: true,
    });
    expect(temporalConnectionOptions(c)).toEqual({ apiKey: 'cloud-key-from-profile', tls: true });
    // The description never carries the key.
    expect(describeTemporalConnection(c.temporal)).not.toContain('cloud-key');
  });

  it('reads the API key from TEMPORAL_API_KEY_FILE (a mounted secret)', () => {
    const file = path.join(dir, 'api-key');
    fs.writeFileSync(file, 'key-from-secret-file\n');
    const c = loadConfig(
      { TEMPORAL_ADDRESS: 'ptflow.a1b2c.tmprl.cloud:7233', TEMPORAL_API_KEY_FILE: file },
      '/repo',
    );
    expect(c.temporal.apiKey).toBe('key-from-secret-file');
    expect(c.temporal.tls).toBe(true);
  });

  it('passes TEMPORAL_GRPC_META_* as gRPC headers', () => {
    const c = loadConfig({ TEMPORAL_GRPC_META_X_TENANT: 'riverside' }, '/repo');
    expect(c.temporal.metadata).toEqual({ 'x-tenant': 'riverside' });
  });

  it.each([
    [{ TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem' }, 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
    [{ TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nonexistent/ca.pem' }, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'],
    [{ TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' }, 'TEMPORAL_CONFIG_FILE'],
    [{ TEMPORAL_TLS: 'maybe' }, 'TEMPORAL_TLS'],
    [{ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' }, 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'],
    [{ TEMPORAL_API_KEY: 'two words' }, 'TEMPORAL_API_KEY'],
  ])('rejects %o naming %s in one line', (env, variable) => {
    const { variable: named, line } = failure(env);
    expect(named).toBe(variable);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).not.toContain('two words');
  });

  it('rejects a client certificate without its key, and the reverse', () => {
    expect(failure({ TEMPORAL_TLS_CLIENT_CERT_PATH: cert }).variable).toBe('TEMPORAL_TLS_CLIENT_KEY_PATH');
    expect(failure({ TEMPORAL_TLS_CLIENT_KEY_PATH: key }).variable).toBe('TEMPORAL_TLS_CLIENT_CERT_PATH');
  });

  it('rejects an unknown profile and an invalid temporal.toml', () => {
    expect(failure({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'nope' }).variable).toBe(
      'TEMPORAL_PROFILE',
    );
    const bad = path.join(dir, 'bad.toml');
    fs.writeFileSync(bad, '[profile.default]\naddres = "typo:7233"\n');
    const { variable, line } = failure({ TEMPORAL_CONFIG_FILE: bad });
    expect(variable).toBe('TEMPORAL_CONFIG_FILE');
    expect(line).toContain('addres');
    fs.writeFileSync(bad, 'not toml at all [');
    expect(failure({ TEMPORAL_CONFIG_FILE: bad }).variable).toBe('TEMPORAL_CONFIG_FILE');
  });
});

describe('Temporal TLS in production (SEC-TX-1)', () => {
  const b64 = () => Buffer.alloc(32, 7).toString('base64');
  const production = {
    NODE_ENV: 'production',
    PTFLOW_PAYLOAD_KEYS: `p1:${b64()}`,
    PTFLOW_ACTIVE_PAYLOAD_KEY_ID: 'p1',
    PTFLOW_DATA_KEYS: `d1:${b64()}`,
    PTFLOW_ACTIVE_DATA_KEY_ID: 'd1',
    PTFLOW_BLIND_INDEX_KEY: b64(),
    PTFLOW_CURSOR_SECRET: b64(),
    TEMPORAL_ADDRESS: 'temporal.example:7233',
  };

  it('refuses an implicit plaintext connection, naming TEMPORAL_TLS and the ways to decide', () => {
    const { variable, line } = failure(production);
    expect(variable).toBe('TEMPORAL_TLS');
    expect(line).toContain('TEMPORAL_TLS=false');
    expect(line).toContain('TEMPORAL_API_KEY');
  });

  it('accepts mutual TLS, an API key, TEMPORAL_TLS=true, or plaintext chosen with TEMPORAL_TLS=false', () => {
    const mtls = loadConfig(
      { ...production, TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: key },
      '/repo',
    );
    expect(typeof mtls.temporal.tls).toBe('object');
    expect(loadConfig({ ...production, TEMPORAL_API_KEY: 'k' }, '/repo').temporal.tls).toBe(true);
    // TLS on with the system's CAs (no certificates given).
    expect(loadConfig({ ...production, TEMPORAL_TLS: 'true' }, '/repo').temporal.tls).toEqual({});
    expect(loadConfig({ ...production, TEMPORAL_TLS: 'false' }, '/repo').temporal.tls).toBe(false);
  });
});

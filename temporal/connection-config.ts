// How ptflow reaches Temporal, the way Temporal's own tools and SDKs are configured (@temporalio/envconfig):
// the environment variables TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS and
// TEMPORAL_TLS_* (client certificate and key, server CA, server name), TEMPORAL_GRPC_META_*, and profiles of a
// `temporal.toml` file (TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml; TEMPORAL_PROFILE picks
// one, else `default`). Environment variables override the profile, as in the `temporal` CLI. The worker, the
// API and every CLI command that talks to Temporal connect with the result, so one self-hosted mTLS cluster or
// Temporal Cloud (mTLS or API key) configuration serves them all.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';

/** Where and how to connect: the address and namespace, and what Connection/NativeConnection.connect need. */
export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** false/undefined: plaintext; true: TLS with the system roots; an object: server CA, name and client pair. */
  tls?: TLSConfig | boolean;
  /** Sent as `Authorization: Bearer …` (Temporal Cloud API keys); implies TLS. */
  apiKey?: string;
  /** Extra gRPC headers (TEMPORAL_GRPC_META_<NAME>, or `grpc_meta` of the profile). */
  metadata?: Record<string, string>;
}

/** What connecting adds to an address: TLS, API key, headers. */
export type TemporalConnectionOptions = Omit<TemporalConnectionSettings, 'address' | 'namespace'>;

/** A Temporal connection setting that cannot be used, naming the variable (or profile key), never its value. */
export class TemporalConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable} ${reason}`);
    this.name = 'TemporalConfigError';
  }
}

/** The connection could not be established; the message says where to, with what, and what to check. */
export class TemporalConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemporalConnectionError';
  }
}

const FILE_VARIABLES = [
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
] as const;

/**
 * Resolve the connection from `env` (and the temporal.toml it points at). `fallback` supplies what neither the
 * environment nor the profile sets: ptflow's local dev-server address and its default namespace.
 */
export function resolveTemporalConnection(
  env: Readonly<Record<string, string>>,
  fallback: { address: string; namespace: string },
): TemporalConnectionSettings {
  for (const name of FILE_VARIABLES) {
    const file = env[name];
    if (file !== undefined && !readable(file))
      throw new TemporalConfigError(name, 'names a file that cannot be read');
  }
  if (env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION !== undefined) {
    throw new TemporalConfigError(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
      'is not supported by the TypeScript SDK: trust the server with TEMPORAL_TLS_SERVER_CA_CERT_PATH and name it with TEMPORAL_TLS_SERVER_NAME',
    );
  }
  const configFile = env.TEMPORAL_CONFIG_FILE;
  if (configFile !== undefined && !readable(configFile)) {
    throw new TemporalConfigError('TEMPORAL_CONFIG_FILE', 'names a file that cannot be read');
  }
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: { ...env }, configFileStrict: true });
  } catch (err) {
    throw profileError(err);
  }
  const tlsProblem = clientPairProblem(profile);
  if (tlsProblem) throw tlsProblem;
  let options: ReturnType<typeof toClientOptions>;
  try {
    options = toClientOptions(profile);
  } catch {
    // A certificate file named by the profile (the environment's were checked above) is unreadable.
    throw new TemporalConfigError(profileLabel(env), 'names a TLS file that cannot be read');
  }
  const { connectionOptions } = options;
  const apiKey = typeof connectionOptions.apiKey === 'string' ? connectionOptions.apiKey : undefined;
  const metadata = profile.grpcMeta;
  return {
    address: profile.address ?? fallback.address,
    namespace: profile.namespace ?? fallback.namespace,
    ...(connectionOptions.tls != null ? { tls: connectionOptions.tls } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

/** A one-line description of the connection for logs and errors: never a key, a certificate or a header value. */
export function describeTemporalConnection(s: TemporalConnectionSettings): string {
  const tls =
    s.tls === undefined || s.tls === false
      ? 'plaintext'
      : s.tls === true
        ? 'TLS'
        : `TLS${s.tls.clientCertPair ? ' with client certificate' : ' without client certificate'}${
            s.tls.serverRootCACertificate ? ', private CA' : ''
          }${s.tls.serverNameOverride ? `, server name ${s.tls.serverNameOverride}` : ''}`;
  return `${s.address} (namespace ${s.namespace}, ${tls}${s.apiKey ? ', API key' : ''})`;
}

/**
 * Wrap a failed connect in a TemporalConnectionError that names the address and the TLS setup and says what to
 * set. gRPC reports most failures as a connect deadline, so a direct TLS handshake with the same settings
 * (tlsProbe) finds the actual reason: a client certificate the server requires or refuses, a server
 * certificate this side does not trust, or a TLS server reached in plaintext.
 */
export async function connectionFailure(
  settings: TemporalConnectionSettings,
  err: unknown,
): Promise<TemporalConnectionError> {
  const cause = err instanceof Error ? err.message : String(err);
  const probe = await tlsProbe(settings).catch(() => undefined);
  const hasPair = typeof settings.tls === 'object' && settings.tls.clientCertPair !== undefined;
  let hint = 'check TEMPORAL_ADDRESS (or the temporal.toml profile) and that the server is up';
  switch (probe) {
    case 'client-certificate-required':
      hint =
        'the server requires a client certificate (mutual TLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH';
      break;
    case 'client-certificate-refused':
      hint =
        'the server refused the client certificate: it must be signed by a CA the server trusts (TEMPORAL_TLS_CLIENT_CERT_PATH / _KEY_PATH)';
      break;
    case 'server-not-trusted':
      hint =
        "the server's certificate is not trusted or does not match: set TEMPORAL_TLS_SERVER_CA_CERT_PATH (its CA) and TEMPORAL_TLS_SERVER_NAME (its name)";
      break;
    case 'tls-server':
      hint =
        'the server speaks TLS: set TEMPORAL_TLS=true, and for mutual TLS TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH';
      break;
    default:
      if (/certificate|handshake|ssl|alert/i.test(cause)) {
        hint = hasPair
          ? 'the TLS handshake failed: check the client certificate, TEMPORAL_TLS_SERVER_CA_CERT_PATH and TEMPORAL_TLS_SERVER_NAME'
          : 'the TLS handshake failed: a server that requires mutual TLS needs TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH';
      }
  }
  return new TemporalConnectionError(
    `cannot connect to Temporal at ${describeTemporalConnection(settings)}: ${firstLine(cause)}; ${hint}`,
    { cause: err },
  );
}

type ProbeResult =
  | 'client-certificate-required'
  | 'client-certificate-refused'
  | 'server-not-trusted'
  | 'tls-server'
  | 'ok'
  | 'unreachable';

/** One TLS handshake (ALPN h2) with the connection's settings, and what the server said about it within 3 s. */
export function tlsProbe(settings: TemporalConnectionSettings): Promise<ProbeResult> {
  const tlsOn = settings.tls !== undefined && settings.tls !== false;
  const options = typeof settings.tls === 'object' ? settings.tls : {};
  const colon = settings.address.lastIndexOf(':');
  const host = settings.address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(settings.address.slice(colon + 1));
  const servername = options.serverNameOverride ?? (net.isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const socket = tls.connect({
      host,
      port,
      ALPNProtocols: ['h2'],
      // In plaintext mode the question is only whether a TLS server answers.
      ...(tlsOn ? {} : { rejectUnauthorized: false }),
      ...(servername ? { servername } : {}),
      ...(options.serverRootCACertificate ? { ca: Buffer.from(options.serverRootCACertificate) } : {}),
      ...(options.clientCertPair
        ? {
            cert: Buffer.from(options.clientCertPair.crt),
            key: Buffer.from(options.clientCertPair.key),
          }
        : {}),
    });
    // TLS 1.3 completes the client's side of the handshake before the server checks the client certificate:
    // its verdict arrives as an alert on the first read, so wait briefly after secureConnect.
    const timer = setTimeout(() => done(socket.authorized ? 'ok' : 'unreachable'), 3_000);
    socket.once('secureConnect', () => {
      if (!tlsOn) done('tls-server');
      else setTimeout(() => done('ok'), 1_000).unref();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const text = `${e.code ?? ''} ${e.message}`;
      if (!tlsOn) done(/alert/i.test(text) ? 'tls-server' : 'unreachable');
      else if (/certificate required|alert number 116/i.test(text)) done('client-certificate-required');
      else if (/unknown ca|bad certificate|certificate unknown|alert number (42|46|48)/i.test(text))
        done('client-certificate-refused');
      else if (/CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|HOSTNAME/.test(e.code ?? '')) done('server-not-trusted');
      else done('unreachable');
    });
  });
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}

function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function profileLabel(env: Readonly<Record<string, string>>): string {
  return env.TEMPORAL_PROFILE ? `TEMPORAL_PROFILE (${env.TEMPORAL_PROFILE})` : 'TEMPORAL_CONFIG_FILE';
}

function profileError(err: unknown): TemporalConfigError {
  const message = err instanceof Error ? err.message : '';
  if (/Profile '.*' not found/.test(message)) {
    return new TemporalConfigError(
      'TEMPORAL_PROFILE',
      'names a profile the temporal.toml file does not have',
    );
  }
  const both = /Cannot specify both (\w+)_path and/.exec(message);
  if (both) {
    const name = `TEMPORAL_TLS_${both[1]!.toUpperCase()}`;
    return new TemporalConfigError(
      `${name}_PATH`,
      `and ${name}_DATA (or the profile's) must not both be set`,
    );
  }
  if (/Validation error/.test(message)) {
    // The message lists unknown keys (names only, no values).
    return new TemporalConfigError(
      'TEMPORAL_CONFIG_FILE',
      `is not a valid temporal.toml (${message.replace(/^Validation error:\s*/, '')})`,
    );
  }
  return new TemporalConfigError(
    'TEMPORAL_CONFIG_FILE',
    'is not a readable temporal.toml file (TOML syntax?)',
  );
}

/** A client certificate without its key (or the reverse) would silently connect without mutual TLS. */
function clientPairProblem(profile: ClientConfigProfile): TemporalConfigError | undefined {
  const tls = profile.tls;
  if (!tls || tls.disabled) return undefined;
  if (tls.clientCert && !tls.clientKey) {
    return new TemporalConfigError(
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      'is required with a client certificate (mutual TLS needs both)',
    );
  }
  if (tls.clientKey && !tls.clientCert) {
    return new TemporalConfigError(
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'is required with a client key (mutual TLS needs both)',
    );
  }
  return undefined;
}

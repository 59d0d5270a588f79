// Over 350 lines on purpose: every environment variable in one schema, so a missing one is found in one place.
// Every environment variable ptflow reads is parsed here, once, at start-up. A wrong or missing value stops
// the process with one line naming the variable (see formatConfigError), never a stack trace.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { KeyringError } from '../db/crypto/keyring.js';
import {
  resolveTemporalConnection,
  TemporalConfigError,
  type TemporalConnectionSettings,
} from '../temporal/connection-config.js';
import { ConfigError } from './config-error.js';
import { checkKeyConfig } from './key-config.js';

const port = z.coerce
  .number({ error: 'must be a TCP port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'], { error: 'must be one of 0, 1, true, false, yes, no' })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), 'must be a postgres:// or postgresql:// URL');

/** An IANA zone the runtime knows (Intl throws RangeError for anything else). */
const timeZone = z.string().refine((v) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as America/Chicago');

/** JSON object: practice id → staff e-mail addresses that receive its daily digest. */
const digestRecipients = z
  .string()
  .transform((v, ctx) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'must be JSON such as {"<practice uuid>":["ops@clinic.example"]}',
      });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.uuid({ error: 'keys must be practice UUIDs' }),
      z.array(z.email({ error: 'must list e-mail addresses' })).max(50),
      {
        error: 'must be a JSON object of practice UUID to e-mail addresses',
      },
    ),
  );

/** An OTLP/HTTP collector URL. */
const otlpUrl = z
  .url({ error: 'must be a URL such as http://otel-collector:4318' })
  .refine((v) => /^https?:\/\//.test(v), 'must be an http:// or https:// URL');

/** OTLP over HTTP with JSON bodies: the one exporter installed (every OTLP/HTTP collector accepts it on 4318). */
const otlpProtocol = z.enum(['http/json'], {
  error: "must be http/json (ptflow's exporter sends OTLP/HTTP JSON, which collectors accept on port 4318)",
});

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  PTFLOW_DATA_DIR: z.string().min(1).default('.data'),
  PTFLOW_CACHE_DIR: z.string().min(1).optional(),
  DATABASE_URL: postgresUrl.optional(),
  PG_PORT: port.default(5433),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
    .optional(),
  /** Unset → the temporal.toml profile's namespace, else `default`. */
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  // Temporal's own client conventions (@temporalio/envconfig, temporal/connection-config.ts): TLS and mutual
  // TLS, API keys, temporal.toml profiles. The same names the `temporal` CLI and every Temporal SDK read.
  /** true: TLS even without certificates (system CAs; Temporal Cloud with an API key turns it on itself). */
  TEMPORAL_TLS: flag.optional(),
  /** Client certificate and key (PEM files) for mutual TLS; set both. */
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
  /** CA that signed the server's certificate (PEM file) when it is not publicly trusted. */
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
  /** The same three as PEM text instead of a path. */
  TEMPORAL_TLS_CLIENT_CERT_DATA: z
    .string()
    .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), 'must be a PEM certificate')
    .optional(),
  TEMPORAL_TLS_CLIENT_KEY_DATA: z
    .string()
    .refine((v) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v), 'must be a PEM private key')
    .optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: z
    .string()
    .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), 'must be a PEM certificate')
    .optional(),
  /** Name the server's certificate is checked against, when it differs from TEMPORAL_ADDRESS's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Temporal Cloud API key (sent as a bearer token; turns TLS on). SECRET: prefer TEMPORAL_API_KEY_FILE. */
  TEMPORAL_API_KEY: z.string().regex(/^\S+$/, 'must be a single token').optional(),
  /** temporal.toml to read instead of ~/.config/temporalio/temporal.toml, and the profile to use in it. */
  TEMPORAL_CONFIG_FILE: z.string().min(1).optional(),
  TEMPORAL_PROFILE: z.string().min(1).optional(),
  TEMPORAL_TASK_QUEUE: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and dashes')
    .default('ptflow'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI: z.string().min(1).optional(),
  PTFLOW_DEV_SEED: flag.default(true),
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(600).default(20),
  /**
   * Workflows the worker keeps in memory (sticky cache); the rest are replayed from history when touched. A
   * cached authorization costs ~0.3 MiB, but evicted ones leave garbage that V8 returns lazily: bench scale
   * (issue #8) with 2,000 open held 537 MiB at a cache of 500 and 828 MiB at 1,000, so 500 keeps the 1 GiB aim
   * with room for heavier workflows (onboarding, tasks load zod). The SDK's default follows the heap limit.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int('must be a whole number')
    .min(0)
    .max(100_000)
    .refine((v) => v !== 1, 'must be 0 (no cache) or at least 2')
    .default(500),
  // API authentication and limits.
  OIDC_ISSUER: z.url({ error: 'must be a URL' }).optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_JWKS_URL: z.url({ error: 'must be a URL' }).optional(),
  // Staff sign-in (people in a browser; api/routes/staff-auth.ts): the practice's IdP by authorization code +
  // PKCE, issuer OIDC_ISSUER. Needs OIDC_CLIENT_ID and OIDC_REDIRECT_URI; OIDC_CLIENT_SECRET for a confidential
  // client (otherwise a public client relying on PKCE).
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** This API's callback as registered at the IdP: https://<host>/auth/oidc/callback. */
  OIDC_REDIRECT_URI: z
    .url({ error: 'must be a URL such as https://ptflow.clinic.example/auth/oidc/callback' })
    .refine((v) => new URL(v).pathname === '/auth/oidc/callback', 'must end in /auth/oidc/callback')
    .optional(),
  /** Scopes asked at sign-in (space-separated; `openid` is required). */
  OIDC_SCOPE: z
    .string()
    .refine((v) => v.split(/\s+/).includes('openid'), 'must include openid')
    .default('openid profile'),
  /** Signs the staff session cookie (and keys its CSRF tokens): ≥ 32 bytes, base64, same on every API instance. */
  STAFF_SESSION_SECRET: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length >= 32, 'must be at least 32 bytes, base64-encoded')
    .optional(),
  /** A session with no request for this long ends (automatic logoff; at most 15). */
  STAFF_SESSION_IDLE_MINUTES: z.coerce
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 15')
    .max(15, 'must be between 1 and 15')
    .default(15),
  /** A session ends this long after sign-in however active it is (at most 12). */
  STAFF_SESSION_MAX_HOURS: z.coerce
    .number({ error: 'must be a number of hours' })
    .min(0.25, 'must be between 0.25 and 12')
    .max(12, 'must be between 0.25 and 12')
    .default(12),
  PTFLOW_CURSOR_SECRET: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length >= 32, 'must be at least 32 bytes, base64-encoded')
    .optional(),
  /** Origin of the Temporal Web UI, the only origin allowed to call the codec endpoints (CORS). */
  TEMPORAL_UI_ORIGIN: z
    .url({ error: 'must be a URL such as http://127.0.0.1:8233' })
    .refine(
      (v) => /^https?:\/\//.test(v) && new URL(v).origin === v.replace(/\/$/, ''),
      'must be an origin (scheme://host[:port], no path) such as http://127.0.0.1:8233',
    )
    .optional(),
  /**
   * Clearinghouse (X12 over HTTPS) for eligibility, authorizations and claims; unset → no payer connector
   * (`ptflow worker` refuses to start in production, see cli/worker-connectors.ts).
   */
  CLEARINGHOUSE_URL: z.url({ error: 'must be a URL' }).optional(),
  CLEARINGHOUSE_USERNAME: z.string().optional(),
  CLEARINGHOUSE_PASSWORD: z.string().optional(),
  CLEARINGHOUSE_SUBMITTER_ID: z
    .string()
    .regex(/^[A-Z0-9]{2,15}$/, 'must be 2-15 capital letters or digits')
    .default('PTFLOWDEV'),
  // EMR: a FHIR R4 server with SMART Backend Services (private_key_jwt client credentials).
  EMR_FHIR_BASE_URL: z.url({ error: 'must be a URL' }).optional(),
  EMR_FHIR_VENDOR: z
    .enum(['generic', 'webpt', 'raintree'], { error: 'must be one of generic, webpt, raintree' })
    .default('generic'),
  EMR_SMART_TOKEN_URL: z.url({ error: 'must be a URL' }).optional(),
  EMR_SMART_CLIENT_ID: z.string().min(1).optional(),
  /** Space-separated SMART system scopes, e.g. "system/Patient.cruds system/Appointment.cruds". */
  EMR_SMART_SCOPE: z.string().min(1).optional(),
  /** PKCS#8 PEM private key that signs the client assertion (multi-line: use EMR_SMART_PRIVATE_KEY_FILE). */
  EMR_SMART_PRIVATE_KEY: z
    .string()
    .refine((v) => v.includes('-----BEGIN PRIVATE KEY-----'), 'must be a PKCS#8 PEM private key')
    .optional(),
  /** Key id (kid) of that key in the client's published JWKS. */
  EMR_SMART_KEY_ID: z.string().min(1).optional(),
  EMR_SMART_ALG: z.enum(['RS384', 'ES384'], { error: 'must be RS384 or ES384' }).default('RS384'),
  // SMS over Twilio's REST API.
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio Account SID (AC + 32 hex digits)')
    .optional(),
  /** Basic-auth user when it is not the account: an API key SID (SK…) whose secret is TWILIO_AUTH_TOKEN. */
  TWILIO_API_KEY_SID: z
    .string()
    .regex(/^SK[0-9a-fA-F]{32}$/, 'must be a Twilio API key SID (SK + 32 hex digits)')
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  /** Sender number in E.164, or TWILIO_MESSAGING_SERVICE_SID (which wins when both are set). */
  TWILIO_FROM: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in E.164 such as +15555550100')
    .optional(),
  TWILIO_MESSAGING_SERVICE_SID: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG + 32 hex digits)')
    .optional(),
  TWILIO_BASE_URL: z.url({ error: 'must be a URL' }).default('https://api.twilio.com'),
  /** Public URL of the API's Twilio status webhook (delivery receipts). */
  TWILIO_STATUS_CALLBACK_URL: z.url({ error: 'must be a URL' }).optional(),
  // E-mail over SMTP (STARTTLS required, or implicit TLS on 465).
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: port.default(587),
  SMTP_USERNAME: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  /** Sender, e.g. "Riverside PT" <no-reply@riverside.example>. */
  SMTP_FROM: z.string().min(3).optional(),
  /** Right-hand side of ptflow's Message-IDs, e.g. riverside.example. */
  SMTP_MESSAGE_ID_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name such as clinic.example')
    .optional(),
  /**
   * PhysicianDelivery (plans of care to the referring physician by fax / Direct): the gateway's REST API and its
   * bearer token (SECRET: prefer PHYSICIAN_DELIVERY_TOKEN_FILE). `ptflow dev` runs the sandbox gateway instead.
   */
  PHYSICIAN_DELIVERY_URL: z.url({ error: 'must be a URL' }).optional(),
  PHYSICIAN_DELIVERY_TOKEN: z.string().regex(/^\S+$/, 'must be a single token').optional(),
  /** Port of the sandbox fax/Direct gateway `ptflow dev` runs. */
  SANDBOX_PHYSICIAN_GATEWAY_PORT: port.default(4011),
  /** Port of the sandbox payer `ptflow dev` runs. */
  SANDBOX_PAYER_PORT: port.default(4010),
  /** How often a claim process polls the payer mailbox for acknowledgements and remittances. */
  CLAIM_POLL_MINUTES: z.coerce.number().min(0.01).max(1440).default(240),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(60),
  /** API-key rows are reused this long without a database read: a key revoked elsewhere works ≤ this long. */
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(900).default(10),
  /** Temporal Schedules (re-verification, digest, timely-filing sweep): ensured and running, paused, or untouched. */
  PTFLOW_SCHEDULES: z
    .enum(['on', 'paused', 'off'], { error: 'must be one of on, paused, off' })
    .default('on'),
  /** Zone of the schedules' wall-clock times (the practices' zone). */
  PTFLOW_SCHEDULE_TIMEZONE: timeZone.default('America/Chicago'),
  PTFLOW_STAFF_DIGEST_RECIPIENTS: digestRecipients.optional(),
  // Tracing (cli/tracing.ts): OpenTelemetry spans over OTLP/HTTP, the standard variable names. Off (nothing
  // loaded, no interceptors) unless an endpoint is set. Spans pass a PHI filter before export (README,
  // "Observability").
  /** Collector base URL; traces go to <endpoint>/v1/traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.optional(),
  /** Full traces URL (wins over OTEL_EXPORTER_OTLP_ENDPOINT). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  /** Headers sent to the collector, `key=value,key2=value2` (an API key is a SECRET: use the _FILE form). */
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .regex(/^[^=,\s]+=[^,]*(,[^=,\s]+=[^,]*)*$/, 'must be key=value pairs separated by commas')
    .optional(),
  /** service.name of the spans; default ptflow-api, ptflow-worker (or ptflow under `ptflow dev`). */
  OTEL_SERVICE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
    .optional(),
  /** Share of new traces kept (0..1, parent-based: a caller's sampled trace is always continued). Default 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number({ error: 'must be a number between 0 and 1' })
    .min(0, 'must be a number between 0 and 1')
    .max(1, 'must be a number between 0 and 1')
    .optional(),
  /** true: tracing off even with an endpoint set (the standard kill switch). */
  OTEL_SDK_DISABLED: flag.optional(),
  /**
   * SECRET: the bearer token Prometheus presents to the API's `GET /metrics` (its practice gauges are business
   * figures). Required by `ptflow api` in production (apiProductionProblems); unset in development → open.
   */
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  /** host:port where `ptflow worker` serves the Temporal SDK's Prometheus metrics (/metrics); unset → none. */
  PTFLOW_WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port such as 0.0.0.0:9464')
    .optional(),
  // Key material (checked by checkKeyConfig; required in production, generated for development).
  PTFLOW_PAYLOAD_KEYS: z.string().optional(),
  PTFLOW_ACTIVE_PAYLOAD_KEY_ID: z.string().optional(),
  PTFLOW_DATA_KEYS: z.string().optional(),
  PTFLOW_ACTIVE_DATA_KEY_ID: z.string().optional(),
  PTFLOW_BLIND_INDEX_KEY: z.string().optional(),
});

export type Config = Omit<z.infer<typeof configSchema>, 'TEMPORAL_NAMESPACE'> & {
  /** TEMPORAL_NAMESPACE, else the temporal.toml profile's, else `default` (always equals temporal.namespace). */
  TEMPORAL_NAMESPACE: string;
  /** How the worker, the API and the CLI connect to Temporal (address, namespace, TLS, API key, headers). */
  temporal: TemporalConnectionSettings;
  /** Absolute data directory (persisted SQLite, Postgres data, logs). */
  dataDir: string;
  /** Per-user cache for tools built once per machine (Temporal CLI, Java test server). */
  cacheDir: string;
  /** Address the client and worker use: TEMPORAL_ADDRESS, else the profile's, else the dev server on TEMPORAL_PORT. */
  temporalAddress: string;
  /** TEMPORAL_UI_ORIGIN, else the dev server's UI on TEMPORAL_UI_PORT. */
  temporalUiOrigin: string;
};

// ConfigError and the API client's variables live in modules without zod (the CLI loads them on its fast paths).
export { ConfigError, formatConfigError } from './config-error.js';
export { loadApiClientConfig, type ApiClientConfig } from './api-client-config.js';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PTFLOW_CACHE_DIR) return path.resolve(env.PTFLOW_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'ptflow');
}

/**
 * `<NAME>_FILE` for every variable of the schema: the value is read from that file (Docker/Kubernetes secrets,
 * multi-line PEM keys), with trailing line breaks removed. Setting both NAME and NAME_FILE is an error.
 */
export function resolveFileVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  // Empty strings are treated as unset so `PORT= npm run dev` behaves like no PORT at all.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  for (const name of Object.keys(configSchema.shape)) {
    const file = cleaned[`${name}_FILE`];
    if (file === undefined) continue;
    if (cleaned[name] !== undefined) throw new ConfigError(name, `and ${name}_FILE must not both be set`);
    let value: string;
    try {
      value = fs.readFileSync(file, 'utf8').replace(/[\r\n]+$/, '');
    } catch {
      throw new ConfigError(`${name}_FILE`, 'names a file that cannot be read');
    }
    if (value === '') throw new ConfigError(`${name}_FILE`, 'names an empty file');
    cleaned[name] = value;
  }
  return cleaned;
}

/** The first bad variable of a failed parse, as a ConfigError (its message, never its value). */
function firstIssue(error: z.ZodError): ConfigError {
  const [issue] = error.issues;
  return new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'is not valid');
}

/**
 * What `ptflow api` needs beyond the shared configuration in production: METRICS_TOKEN (an unauthenticated
 * /metrics would publish the practice's denial and collection figures). Returns the missing variables.
 */
export function apiProductionProblems(config: Pick<Config, 'NODE_ENV' | 'METRICS_TOKEN'>): string[] {
  return config.NODE_ENV === 'production' && !config.METRICS_TOKEN ? ['METRICS_TOKEN'] : [];
}

/** Parse the environment. Throws ConfigError naming the first bad variable (values are never echoed). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const cleaned = resolveFileVariables(env);
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) throw firstIssue(parsed.error);
  const vars = parsed.data;
  const oidc = [vars.OIDC_ISSUER, vars.OIDC_AUDIENCE, vars.OIDC_JWKS_URL].filter(Boolean).length;
  if (oidc !== 0 && oidc !== 3) {
    const missing = !vars.OIDC_ISSUER
      ? 'OIDC_ISSUER'
      : !vars.OIDC_AUDIENCE
        ? 'OIDC_AUDIENCE'
        : 'OIDC_JWKS_URL';
    throw new ConfigError(missing, 'must be set together with the other OIDC_* variables');
  }
  if (vars.OIDC_CLIENT_ID || vars.OIDC_REDIRECT_URI || vars.OIDC_CLIENT_SECRET) {
    if (!vars.OIDC_ISSUER)
      throw new ConfigError('OIDC_ISSUER', 'is required for staff sign-in (OIDC_CLIENT_ID)');
    if (!vars.OIDC_CLIENT_ID)
      throw new ConfigError('OIDC_CLIENT_ID', 'must be set together with OIDC_REDIRECT_URI');
    if (!vars.OIDC_REDIRECT_URI)
      throw new ConfigError('OIDC_REDIRECT_URI', 'must be set together with OIDC_CLIENT_ID');
    if (vars.NODE_ENV === 'production') {
      if (!vars.OIDC_REDIRECT_URI.startsWith('https://')) {
        throw new ConfigError('OIDC_REDIRECT_URI', 'must be an https:// URL in production');
      }
      if (!vars.OIDC_ISSUER.startsWith('https://')) {
        throw new ConfigError('OIDC_ISSUER', 'must be an https:// URL in production');
      }
      if (!vars.STAFF_SESSION_SECRET) {
        throw new ConfigError(
          'STAFF_SESSION_SECRET',
          'is required in production when staff sign in (OIDC_CLIENT_ID)',
        );
      }
    }
  }
  if (vars.NODE_ENV === 'production' && !vars.PTFLOW_CURSOR_SECRET) {
    throw new ConfigError('PTFLOW_CURSOR_SECRET', 'is required in production (shared by every API instance)');
  }
  try {
    checkKeyConfig(vars);
  } catch (err) {
    if (err instanceof KeyringError) throw new ConfigError(err.variable, err.reason);
    throw err;
  }
  let temporal: TemporalConnectionSettings;
  try {
    temporal = resolveTemporalConnection(
      // TEMPORAL_TLS as envconfig spells booleans; the rest as given (NAME_FILE already resolved).
      {
        ...cleaned,
        ...(vars.TEMPORAL_TLS !== undefined ? { TEMPORAL_TLS: String(vars.TEMPORAL_TLS) } : {}),
      },
      { address: `127.0.0.1:${vars.TEMPORAL_PORT}`, namespace: 'default' },
    );
  } catch (err) {
    if (err instanceof TemporalConfigError) throw new ConfigError(err.variable, err.reason);
    throw err;
  }
  // SEC-TX-1: in production the Temporal hop is TLS (mutual TLS, or an API key over TLS) unless plaintext is
  // chosen explicitly with TEMPORAL_TLS=false (the compose stack's private bridge network on one host).
  const tlsOn = temporal.tls !== undefined && temporal.tls !== false;
  if (vars.NODE_ENV === 'production' && !tlsOn && vars.TEMPORAL_TLS !== false) {
    throw new ConfigError(
      'TEMPORAL_TLS',
      'must be decided in production: set the TEMPORAL_TLS_CLIENT_CERT_PATH/_KEY_PATH pair (mutual TLS), TEMPORAL_API_KEY (Temporal Cloud), TEMPORAL_TLS=true, or TEMPORAL_TLS=false for plaintext on a private network',
    );
  }
  return {
    ...vars,
    TEMPORAL_NAMESPACE: temporal.namespace,
    temporal,
    dataDir: path.resolve(cwd, vars.PTFLOW_DATA_DIR),
    cacheDir: defaultCacheDir(env),
    temporalAddress: temporal.address,
    temporalUiOrigin: (vars.TEMPORAL_UI_ORIGIN ?? `http://127.0.0.1:${vars.TEMPORAL_UI_PORT}`).replace(
      /\/$/,
      '',
    ),
  };
}

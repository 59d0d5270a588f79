// Static checks of the production-shaped deployment in temporal-docker/: the compose file validates with
// no environment at all (as in CI), the expected services exist, images are pinned, the ptflow images are
// built from a Debian-based Node 20 Dockerfile, the Temporal UI is wired to ptflow's codec endpoint and
// secrets have no defaults. No Docker engine is needed: only `docker-compose config` runs.
//
// docker-compose is REQUIRED (CI installs Debian's package: `apt-get install -y docker-compose`). Without it
// these tests fail, they do not skip. Debian's docker-compose is v1 (1.29.x), whose `config` has no
// `--format json`; its YAML output is converted with the PyYAML that docker-compose v1 itself runs on.
// With a v2 `docker-compose` binary, `config --format json` is used instead.
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  apiProductionProblems,
  ConfigError,
  loadConfig as loadPtflowConfig,
  resolveFileVariables,
} from '../../cli/config.js';
import { missingWorkerConnectorVariables } from '../../cli/worker-connectors.js';
import { searchAttributeCliFlags } from '../../workflows/shared/search-attributes.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const deployDir = path.join(repoRoot, 'temporal-docker');
const composeFile = path.join(deployDir, 'docker-compose.yml');
const requireSecretsFile = path.join(deployDir, 'docker-compose.require-secrets.yml');
const temporalTlsFile = path.join(deployDir, 'docker-compose.temporal-tls.yml');

const INSTALL_HINT =
  'docker-compose is not on PATH. Install it with `apt-get install -y docker-compose` ' +
  '(CI installs it); the temporal-docker tests fail rather than skip without it.';

const envExampleFile = path.join(deployDir, '.env.example');
const entrypoint = path.join(deployDir, 'docker-entrypoint.sh');

/** Every variable the overlay makes mandatory (`${VAR:?…}`), in the order it names them. */
const SECRETS = [
  ...new Set(
    [...readFileSync(requireSecretsFile, 'utf8').matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]!),
  ),
];

const SEARCH_ATTRIBUTES: Record<string, string> = {
  PracticeId: 'Keyword',
  PatientId: 'Keyword',
  ProcessKind: 'Keyword',
  ProcessStatus: 'Keyword',
  NeedsAttention: 'Bool',
  NextDeadline: 'Datetime',
  AuthVisitsRemaining: 'Int',
  ClaimStatus: 'Keyword',
  PayerId: 'Keyword',
  TaskRole: 'Keyword',
  DueAt: 'Datetime',
};

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  container_name?: string;
  ports?: unknown[];
  volumes?: unknown[];
  secrets?: (string | { source?: string; target?: string })[];
}

interface ComposeConfig {
  services: Record<string, ComposeService>;
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function dockerCompose(): string {
  const bin = findOnPath('docker-compose');
  if (!bin) throw new Error(INSTALL_HINT);
  return bin;
}

// Only what docker-compose needs to run: no variable of the developer's shell may leak into interpolation.
function hermeticEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  if (process.env.HOME) env.HOME = process.env.HOME;
  return env;
}

const scratch = mkdtempSync(path.join(tmpdir(), 'ptflow-compose-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function envFile(name: string, vars: Record<string, string>): string {
  const file = path.join(scratch, name);
  writeFileSync(
    file,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  return file;
}

// An explicit empty env file also keeps a developer's temporal-docker/.env out of the picture.
const emptyEnvFile = envFile('empty.env', {});

function composeArgs(files: string[], env: string, rest: string[]): string[] {
  return ['--env-file', env, ...files.flatMap((f) => ['-f', f]), ...rest];
}

// Runs docker-compose and expects exit 0; on failure the error carries docker-compose's stderr.
function composeOk(files: string[], env: string, rest: string[]): string {
  const bin = dockerCompose();
  try {
    return execFileSync(bin, composeArgs(files, env, rest), {
      cwd: repoRoot,
      env: hermeticEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`docker-compose ${rest.join(' ')} failed: ${String(error)}\n${stderr}`, { cause: error });
  }
}

function composeMajorVersion(): number {
  const out = execFileSync(dockerCompose(), ['version', '--short'], {
    env: hermeticEnv(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  const match = /(\d+)\.\d+/.exec(out);
  if (!match?.[1]) throw new Error(`cannot parse docker-compose version from: ${out}`);
  return Number(match[1]);
}

// docker-compose v1 is a Python program with PyYAML; use its own interpreter to turn YAML into JSON.
function pythonOfDockerCompose(): string[] {
  const firstLine = readFileSync(dockerCompose(), 'utf8').split('\n', 1)[0] ?? '';
  if (!firstLine.startsWith('#!') || !firstLine.includes('python')) return ['python3'];
  const parts = firstLine.slice(2).trim().split(/\s+/);
  return path.basename(parts[0] ?? '') === 'env' ? parts.slice(1) : parts;
}

function yamlToJson(yaml: string): unknown {
  const [python, ...pythonArgs] = pythonOfDockerCompose();
  const json = execFileSync(
    python ?? 'python3',
    [...pythonArgs, '-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: yaml, encoding: 'utf8', env: hermeticEnv(), timeout: 30_000 },
  );
  return JSON.parse(json);
}

let cachedConfig: ComposeConfig | undefined;
function loadConfig(): ComposeConfig {
  if (cachedConfig) return cachedConfig;
  const parsed =
    composeMajorVersion() >= 2
      ? JSON.parse(composeOk([composeFile], emptyEnvFile, ['config', '--format', 'json']))
      : yamlToJson(composeOk([composeFile], emptyEnvFile, ['config']));
  cachedConfig = parsed as ComposeConfig;
  return cachedConfig;
}

function service(name: string): ComposeService {
  const svc = loadConfig().services[name];
  if (!svc) throw new Error(`service ${name} is missing from ${composeFile}`);
  return svc;
}

function envOf(svc: ComposeService): Record<string, string> {
  const env = svc.environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((item) => {
        const i = item.indexOf('=');
        return i < 0 ? [item, ''] : [item.slice(0, i), item.slice(i + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries) as Record<string, string>;
}

function dependencies(svc: ComposeService): Record<string, string | undefined> {
  const deps = svc.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition]));
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

// Volumes come back as "src:dst[:mode]" strings (v1) or objects (v2).
function mounts(svc: ComposeService): { source: string; target: string }[] {
  return (svc.volumes ?? []).map((v) => {
    if (typeof v === 'string') {
      const [source = '', target = ''] = v.split(':');
      return { source, target };
    }
    const o = v as { source?: string; target?: string };
    return { source: o.source ?? '', target: o.target ?? '' };
  });
}

const PTFLOW_SERVICES = ['api', 'worker', 'migrate'];

/**
 * What a ptflow command checks at start in production: the configuration, the API's metrics token, and the
 * worker's connectors.
 */
function productionProblems(name: string, env: Record<string, string>): string[] {
  try {
    const config = loadPtflowConfig(env, scratch);
    if (name === 'api') return apiProductionProblems(config);
    if (name !== 'worker') return [];
    return missingWorkerConnectorVariables(config, new Set(Object.keys(resolveFileVariables(env))));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // NAME_FILE that cannot be read (a /run/secrets path outside a container) stands for NAME.
    return [error.variable.replace(/_FILE$/, '')];
  }
}

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const base64Key = () => randomBytes(32).toString('base64');

/** Valid values for the variables production requires. A new required variable needs one here. */
const SAMPLE_VALUES: Record<string, () => string> = {
  PTFLOW_PAYLOAD_KEYS: () => `p1:${base64Key()}`,
  PTFLOW_ACTIVE_PAYLOAD_KEY_ID: () => 'p1',
  PTFLOW_DATA_KEYS: () => `d1:${base64Key()}`,
  PTFLOW_ACTIVE_DATA_KEY_ID: () => 'd1',
  PTFLOW_BLIND_INDEX_KEY: base64Key,
  PTFLOW_CURSOR_SECRET: base64Key,
  METRICS_TOKEN: base64Key,
  EMR_FHIR_BASE_URL: () => 'https://emr.example.com/fhir/r4',
  EMR_SMART_TOKEN_URL: () => 'https://emr.example.com/oauth2/token',
  EMR_SMART_CLIENT_ID: () => 'ptflow',
  EMR_SMART_SCOPE: () => 'system/Patient.cruds system/Appointment.cruds',
  EMR_SMART_KEY_ID: () => 'ptflow-2026',
  EMR_SMART_PRIVATE_KEY: () => pem,
  TWILIO_ACCOUNT_SID: () => `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: () => 'twilio-auth-token',
  TWILIO_FROM: () => '+15555550100',
  SMTP_HOST: () => 'smtp.example.com',
  SMTP_FROM: () => 'no-reply@clinic.example',
  SMTP_MESSAGE_ID_DOMAIN: () => 'clinic.example',
  CLEARINGHOUSE_URL: () => 'https://clearinghouse.example.com/x12',
  CLEARINGHOUSE_USERNAME: () => 'ptflow',
  CLEARINGHOUSE_PASSWORD: () => 'clearinghouse-password',
  CLEARINGHOUSE_SUBMITTER_ID: () => 'CLINIC01',
  PHYSICIAN_DELIVERY_URL: () => 'https://fax-gateway.example.com/',
  PHYSICIAN_DELIVERY_TOKEN: () => 'gateway-token',
};

function sampleValue(variable: string): string {
  const make = SAMPLE_VALUES[variable];
  if (!make) {
    throw new Error(
      `production now requires ${variable}: provide it in temporal-docker (compose, overlay, .env.example, ` +
        'PTFLOW_REQUIRED_ENV) and give SAMPLE_VALUES a valid value for it',
    );
  }
  return make();
}

function sampleFile(variable: string): string {
  const file = path.join(scratch, `${variable.toLowerCase()}.secret`);
  writeFileSync(file, `${sampleValue(variable)}\n`, { mode: 0o600 });
  return file;
}

/** The compose DATABASE_URL has an empty password until APP_DB_PASSWORD is set; the entrypoint refuses that. */
function withPassword(env: Record<string, string>): Record<string, string> {
  return { ...env, DATABASE_URL: (env.DATABASE_URL ?? '').replace(/^(postgres:\/\/[^:]+:)@/, '$1secret@') };
}

/** The overlay as written (not interpolated): service → variable → raw value. */
function requireSecretsOverlay(): Record<string, Record<string, string>> {
  const overlay = yamlToJson(readFileSync(requireSecretsFile, 'utf8')) as {
    services: Record<string, { environment?: Record<string, string> }>;
  };
  return Object.fromEntries(
    Object.entries(overlay.services).map(([name, svc]) => [name, svc.environment ?? {}]),
  );
}

function envExampleVariables(): string[] {
  return readFileSync(envExampleFile, 'utf8')
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=/.exec(line)?.[1])
    .filter((v): v is string => v !== undefined);
}

describe('temporal-docker/docker-compose.yml', { timeout: 120_000 }, () => {
  it('has docker-compose available (apt-get install -y docker-compose)', () => {
    expect(findOnPath('docker-compose'), INSTALL_HINT).toBeDefined();
  });

  it('validates with no env file and no exported variables (`config -q` exits 0)', () => {
    expect(() => composeOk([composeFile], emptyEnvFile, ['config', '-q'])).not.toThrow();
  });

  it('defines the Temporal, database and ptflow services', () => {
    const names = Object.keys(loadConfig().services);
    for (const expected of [
      'temporal',
      'temporal-ui',
      'temporal-db',
      'app-db',
      'api',
      'worker',
      'migrate',
      'temporal-schema',
      'temporal-setup',
    ]) {
      expect(names, `service ${expected}`).toContain(expected);
    }
  });

  it('pins every image (no :latest, no bare name) and Temporal to server 1.29.x', () => {
    const { services } = loadConfig();
    for (const [name, svc] of Object.entries(services)) {
      expect(svc.image ?? svc.build, `${name} needs an image or a build`).toBeDefined();
      if (!svc.image) continue;
      expect(svc.image, `${name}: ${svc.image}`).toMatch(/^[^\s:@]+(:[\w][\w.-]*)(@sha256:[0-9a-f]{64})?$/);
      expect(svc.image, `${name}: ${svc.image}`).not.toMatch(/:latest(@|$)/);
    }
    const server = service('temporal').image ?? '';
    expect(server).toMatch(/^temporalio\/server:1\.29\.\d+$/);
    const serverVersion = server.split(':')[1];
    // Schema files come from admin-tools: it must be the server's release, or the schema drifts.
    for (const name of ['temporal-schema', 'temporal-setup']) {
      expect(service(name).image).toMatch(/^temporalio\/admin-tools:1\.29\.\d+(-[\w.-]+)?$/);
      expect(service(name).image?.split(':')[1]?.split('-')[0], name).toBe(serverVersion);
    }
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    for (const name of ['temporal-db', 'app-db']) {
      expect(service(name).image, name).toMatch(/^postgres:16(\.\d+)?(-bookworm)?$/);
    }
  });

  it('configures Temporal for PostgreSQL with a mounted dynamic config file', () => {
    const temporal = service('temporal');
    const env = envOf(temporal);
    expect(env.DB).toBe('postgres12');
    expect(env.POSTGRES_SEEDS).toBe('temporal-db');
    expect(Number(env.NUM_HISTORY_SHARDS)).toBeGreaterThan(0);
    const dynamicConfig = env.DYNAMIC_CONFIG_FILE_PATH ?? '';
    expect(dynamicConfig).toMatch(/\.yaml$/);
    const mount = mounts(temporal).find((m) => dynamicConfig.startsWith(`${m.target}/`));
    expect(mount, 'dynamic config directory must be mounted').toBeDefined();
    const hostFile = path.join(mount?.source ?? '', path.relative(mount?.target ?? '', dynamicConfig));
    const yaml = readFileSync(hostFile, 'utf8');
    expect(yaml).toMatch(/^frontend\.enableServerVersionCheck:\s*\n\s*-\s*value:\s*false\b/m);
    expect(yaml).toMatch(/^frontend\.enableUpdateWorkflowExecution:\s*\n\s*-\s*value:\s*true\b/m);
    expect(yaml).toMatch(/^limit\.maxIDLength:/m);
  });

  it('builds api, worker and migrate from temporal-docker/Dockerfile with the repository root as context', () => {
    const commands: Record<string, string> = {};
    for (const name of PTFLOW_SERVICES) {
      const { build } = service(name);
      expect(build, `${name} must be built`).toBeDefined();
      const context = typeof build === 'string' ? build : (build?.context ?? '');
      const dockerfile = typeof build === 'string' ? 'Dockerfile' : (build?.dockerfile ?? 'Dockerfile');
      expect(path.resolve(context), name).toBe(repoRoot);
      expect(path.resolve(context, dockerfile), name).toBe(path.join(deployDir, 'Dockerfile'));
      commands[name] = asList(service(name).command).join(' ');
    }
    expect(commands).toEqual({
      api: 'node dist/cli/main.js api',
      worker: 'node dist/cli/main.js worker',
      migrate: 'node dist/cli/main.js migrate',
    });
  });

  it('uses a Debian-based Node 20 image (glibc for the Temporal core-bridge), never Alpine', () => {
    const dockerfile = readFileSync(path.join(deployDir, 'Dockerfile'), 'utf8');
    const instructions = dockerfile.split('\n').filter((line) => !/^\s*(#|$)/.test(line));
    const froms = instructions.filter((line) => /^\s*FROM\s/i.test(line));
    expect(froms.length).toBeGreaterThanOrEqual(2); // multi-stage: build + runtime
    for (const from of froms)
      expect(from).toMatch(/^FROM\s+node:20-bookworm(-slim)?(@sha256:[0-9a-f]{64})?(\s|$)/);
    expect(instructions.join('\n')).not.toMatch(/alpine/i);
    expect(instructions.join('\n')).toMatch(/npm ci --omit=dev/);
    expect(instructions.join('\n')).toMatch(/^USER node$/m);
  });

  it('wires the Temporal UI to the ptflow codec endpoint with a CORS origin', () => {
    const ui = envOf(service('temporal-ui'));
    expect(ui.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toMatch(/^https?:\/\/[^/]+\/codec$/);
    expect(ui.TEMPORAL_CORS_ORIGINS).toMatch(/^https?:\/\//);
    expect(ui.TEMPORAL_CORS_ORIGINS).not.toContain('*');
    // The API grants codec CORS to exactly the UI's origin.
    expect(envOf(service('api')).TEMPORAL_UI_ORIGIN).toBe(ui.TEMPORAL_CORS_ORIGINS);
  });

  it('guards the Temporal UI: sign-in required by the overlay, token and cookies to /codec, authorizer wired', () => {
    const ui = envOf(service('temporal-ui'));
    // The signed-in user's token goes to /codec, and so does ptflow's session cookie (credentialed CORS).
    expect(ui.TEMPORAL_CODEC_PASS_ACCESS_TOKEN).toBe('true');
    expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
    expect(ui.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
    // A real deployment (the overlay) cannot start the UI without its OIDC sign-in, nor the API without the
    // issuer, audience and JWKS it verifies the forwarded tokens against.
    const overlay = requireSecretsOverlay();
    expect(overlay['temporal-ui']?.TEMPORAL_AUTH_ENABLED).toBe('true');
    for (const [variable, source] of [
      ['TEMPORAL_AUTH_PROVIDER_URL', 'TEMPORAL_UI_AUTH_PROVIDER_URL'],
      ['TEMPORAL_AUTH_CLIENT_ID', 'TEMPORAL_UI_AUTH_CLIENT_ID'],
      ['TEMPORAL_AUTH_CLIENT_SECRET', 'TEMPORAL_UI_AUTH_CLIENT_SECRET'],
      ['TEMPORAL_AUTH_CALLBACK_URL', 'TEMPORAL_UI_AUTH_CALLBACK_URL'],
    ] as const) {
      expect(overlay['temporal-ui']?.[variable], variable).toMatch(new RegExp(`^\\$\\{${source}:\\?`));
    }
    for (const variable of ['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URL']) {
      expect(overlay.api?.[variable], variable).toMatch(new RegExp(`^\\$\\{${variable}:\\?`));
      expect(envOf(service('api'))[variable], `api ${variable}`).toBe('');
    }
    // The server's authorizer and claim mapper reach the server's config template (off unless set).
    const temporal = envOf(service('temporal'));
    for (const variable of [
      'TEMPORAL_AUTH_AUTHORIZER',
      'TEMPORAL_AUTH_CLAIM_MAPPER',
      'TEMPORAL_JWT_KEY_SOURCE1',
      'TEMPORAL_JWT_PERMISSIONS_CLAIM',
    ]) {
      expect(temporal, variable).toHaveProperty(variable);
    }
    expect(temporal.TEMPORAL_JWT_PERMISSIONS_CLAIM).toBe('permissions');
  });

  it('runs migrate and temporal-setup to completion before api and worker start', () => {
    for (const name of ['api', 'worker']) {
      const deps = dependencies(service(name));
      expect(deps.migrate, name).toBe('service_completed_successfully');
      expect(deps['temporal-setup'], name).toBe('service_completed_successfully');
      expect(deps.temporal, name).toBe('service_healthy');
    }
    expect(dependencies(service('migrate'))['app-db']).toBe('service_healthy');
    expect(dependencies(service('temporal'))['temporal-schema']).toBe('service_completed_successfully');
  });

  it('keeps the worker horizontally scalable (no container_name, no host port)', () => {
    const worker = service('worker');
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
  });

  it('has healthchecks on the databases, Temporal and the API (/readyz)', () => {
    for (const name of ['temporal-db', 'app-db', 'temporal', 'api']) {
      const hc = service(name).healthcheck;
      expect(hc?.disable ?? false, name).toBe(false);
      expect(asList(hc?.test).length, name).toBeGreaterThan(0);
    }
    expect(asList(service('api').healthcheck?.test).join(' ')).toContain('/readyz');
    expect(asList(service('temporal').healthcheck?.test).join(' ')).toMatch(/cluster health/);
  });

  it('gives secrets no default and makes the app containers require them at start', () => {
    const api = envOf(service('api'));
    const worker = envOf(service('worker'));
    const keys = [
      'PTFLOW_PAYLOAD_KEYS',
      'PTFLOW_ACTIVE_PAYLOAD_KEY_ID',
      'PTFLOW_DATA_KEYS',
      'PTFLOW_ACTIVE_DATA_KEY_ID',
      'PTFLOW_BLIND_INDEX_KEY',
      'PTFLOW_CURSOR_SECRET',
    ];
    for (const key of keys) {
      for (const name of PTFLOW_SERVICES) {
        const env = envOf(service(name));
        expect(env[key], `${name} ${key}`).toBe('');
        expect(env.PTFLOW_REQUIRED_ENV?.split(/\s+/), `${name} required env`).toContain(key);
      }
    }
    for (const key of ['TWILIO_AUTH_TOKEN', 'SMTP_PASSWORD', 'CLEARINGHOUSE_PASSWORD']) {
      expect(worker[key], `worker ${key}`).toBe('');
      expect(api[key], `api must not hold ${key}`).toBeUndefined();
    }
    // The PEM key is a mounted file, never an environment value.
    expect(worker.EMR_SMART_PRIVATE_KEY).toBeUndefined();
    expect(worker.EMR_SMART_PRIVATE_KEY_FILE).toMatch(/^\/run\/secrets\//);
    expect(envOf(service('app-db')).POSTGRES_PASSWORD).toBe('');
    expect(envOf(service('temporal-db')).POSTGRES_PASSWORD).toBe('');
    expect(api.DATABASE_URL).toMatch(/^postgres:\/\/[^:]+:@app-db:5432\//);
    for (const key of [
      'NODE_ENV',
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
      'LOG_LEVEL',
    ]) {
      expect(api[key], `api ${key}`).toBeTruthy();
      expect(worker[key], `worker ${key}`).toBeTruthy();
    }
    expect(api.NODE_ENV).toBe('production');
    expect(api.PORT).toBe('3000');
  });

  // Derived from ptflow's configuration code, not from a list kept here: each ptflow service's compose
  // environment (as CI renders it: every secret empty) is run through the same validation the command runs at
  // start. Each variable it reports missing must be provided by that service, listed in PTFLOW_REQUIRED_ENV,
  // made mandatory by the overlay and documented in .env.example; then a valid value is filled in and the
  // validation runs again until it passes. A new required variable in cli/config.ts therefore fails here
  // until compose provides it (and SAMPLE_VALUES has a valid value for it).
  it.each(PTFLOW_SERVICES)(
    '%s: every variable the production configuration requires is provided, required and documented',
    (name) => {
      const svc = service(name);
      const env = envOf(svc);
      expect(env.NODE_ENV).toBe('production');
      const requiredEnv = new Set((env.PTFLOW_REQUIRED_ENV ?? '').split(/\s+/).filter(Boolean));
      const overlay = requireSecretsOverlay();
      const example = envExampleVariables();
      const discovered: string[] = [];
      for (let round = 0; ; round++) {
        expect(round, `validation of ${name} does not converge: ${discovered.join(', ')}`).toBeLessThan(60);
        const missing = productionProblems(name, env);
        if (missing.length === 0) break;
        for (const variable of missing) {
          discovered.push(variable);
          const viaFile = env[`${variable}_FILE`] !== undefined && env[variable] === undefined;
          expect(
            variable in env || viaFile,
            `${name}: compose does not provide ${variable}, which production requires`,
          ).toBe(true);
          expect(requiredEnv.has(variable), `${name}: ${variable} missing from PTFLOW_REQUIRED_ENV`).toBe(
            true,
          );
          if (viaFile) {
            // A mounted secret: the overlay must demand its host path, .env.example document it.
            expect(SECRETS, `overlay must require ${variable}_PATH`).toContain(`${variable}_PATH`);
            expect(example, `.env.example must document ${variable}_PATH`).toContain(`${variable}_PATH`);
            env[`${variable}_FILE`] = sampleFile(variable);
          } else {
            expect(env[variable], `${name}: compose's default for ${variable} is rejected`).toBe('');
            expect(overlay[name]?.[variable] ?? '', `overlay must require ${variable} for ${name}`).toMatch(
              new RegExp(`^\\$\\{${variable}:\\?`),
            );
            expect(example, `.env.example must document ${variable}`).toContain(variable);
            env[variable] = sampleValue(variable);
          }
        }
      }
      // The production configuration requires more than what this loop was handed by the database URL.
      expect(discovered).toContain('PTFLOW_CURSOR_SECRET');
      if (name === 'worker') expect(discovered).toContain('EMR_SMART_PRIVATE_KEY');
      if (name === 'api') expect(discovered).toContain('METRICS_TOKEN');
      else expect(discovered).not.toContain('METRICS_TOKEN');
      // With the discovered values the image's entrypoint lets the command start.
      const started = spawnSync('sh', [entrypoint, 'true'], {
        env: { ...hermeticEnv(), ...withPassword(env) },
        encoding: 'utf8',
      });
      expect(started.stderr).toBe('');
      expect(started.status).toBe(0);
    },
  );

  it('the entrypoint refuses an empty required variable, a CHANGE_ME and an unreadable NAME_FILE', () => {
    const run = (env: Record<string, string>) =>
      spawnSync('sh', [entrypoint, 'true'], { env: { ...hermeticEnv(), ...env }, encoding: 'utf8' });
    const empty = run({ PTFLOW_REQUIRED_ENV: 'PTFLOW_CURSOR_SECRET', PTFLOW_CURSOR_SECRET: '' });
    expect(empty.status).toBe(64);
    expect(empty.stderr).toContain('PTFLOW_CURSOR_SECRET is required but empty');
    const placeholder = run({ PTFLOW_REQUIRED_ENV: 'SMTP_HOST', SMTP_HOST: 'CHANGE_ME' });
    expect(placeholder.status).toBe(64);
    expect(placeholder.stderr).toContain('SMTP_HOST still contains the CHANGE_ME placeholder');
    const noFile = run({
      PTFLOW_REQUIRED_ENV: 'EMR_SMART_PRIVATE_KEY',
      EMR_SMART_PRIVATE_KEY_FILE: path.join(scratch, 'absent.pem'),
    });
    expect(noFile.status).toBe(64);
    expect(noFile.stderr).toContain('EMR_SMART_PRIVATE_KEY_FILE names a file that does not exist');
    const placeholderFile = envFile('placeholder.pem', { CHANGE_ME: '' });
    const fileWithPlaceholder = run({
      PTFLOW_REQUIRED_ENV: 'EMR_SMART_PRIVATE_KEY',
      EMR_SMART_PRIVATE_KEY_FILE: placeholderFile,
    });
    expect(fileWithPlaceholder.status).toBe(64);
    const ok = run({
      PTFLOW_REQUIRED_ENV: 'EMR_SMART_PRIVATE_KEY',
      EMR_SMART_PRIVATE_KEY_FILE: sampleFile('EMR_SMART_PRIVATE_KEY'),
    });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });

  it('documents every variable compose interpolates in .env.example', () => {
    const raw = readFileSync(composeFile, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*#/.test(line))
      .join('\n');
    const interpolated = new Set([...raw.matchAll(/\$\{([A-Z0-9_]+)[:}]/g)].map((m) => m[1]!));
    const example = envExampleVariables();
    for (const variable of interpolated) expect(example, `.env.example: ${variable}`).toContain(variable);
    for (const variable of SECRETS) expect(example, `.env.example: ${variable}`).toContain(variable);
  });

  it('fails validation under docker-compose.require-secrets.yml until every secret is set', () => {
    const files = [composeFile, requireSecretsFile];
    const missing = spawnSync(dockerCompose(), composeArgs(files, emptyEnvFile, ['config', '-q']), {
      cwd: repoRoot,
      env: hermeticEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(missing.status).not.toBe(0);
    expect(
      SECRETS.some((s) => missing.stderr.includes(s)),
      missing.stderr,
    ).toBe(true);

    const complete = envFile(
      'complete.env',
      Object.fromEntries(SECRETS.map((s) => [s, `test-${s.toLowerCase()}`])),
    );
    expect(() => composeOk(files, complete, ['config', '-q'])).not.toThrow();
    // One docker-compose run per variable is slow: a sample of each kind (database, key, connector, file).
    const sample = [
      'APP_DB_PASSWORD',
      'TEMPORAL_DB_PASSWORD',
      'PTFLOW_CURSOR_SECRET',
      'CLEARINGHOUSE_PASSWORD',
      'EMR_SMART_PRIVATE_KEY_PATH',
    ];
    for (const secret of sample) expect(SECRETS).toContain(secret);
    for (const secret of sample) {
      const partial = envFile(
        `without-${secret}.env`,
        Object.fromEntries(SECRETS.filter((s) => s !== secret).map((s) => [s, 'x'])),
      );
      const result = spawnSync(dockerCompose(), composeArgs(files, partial, ['config', '-q']), {
        cwd: repoRoot,
        env: hermeticEnv(),
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status, `without ${secret}`).not.toBe(0);
      expect(result.stderr, `without ${secret}`).toContain(secret);
    }
  });

  // Temporal's own client variables (TEMPORAL_TLS_*, @temporalio/envconfig) through mounted secrets: the overlay
  // demands the host files, mounts them where the variables point, and ptflow's production configuration turns
  // them into a mutual-TLS connection. The connection itself is tested in test/temporal/mtls.int.test.ts.
  it('docker-compose.temporal-tls.yml gives api and worker mutual TLS from mounted certificate files', () => {
    const files = [composeFile, temporalTlsFile];
    const hostPaths = [
      'TEMPORAL_TLS_CLIENT_CERT_HOST_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_HOST_PATH',
      'TEMPORAL_TLS_SERVER_CA_CERT_HOST_PATH',
    ];
    const without = spawnSync(dockerCompose(), composeArgs(files, emptyEnvFile, ['config', '-q']), {
      cwd: repoRoot,
      env: hermeticEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(without.status).not.toBe(0);
    expect(
      hostPaths.some((v) => without.stderr.includes(v)),
      without.stderr,
    ).toBe(true);
    const example = envExampleVariables();
    for (const variable of hostPaths) expect(example, `.env.example: ${variable}`).toContain(variable);

    const pemFiles: Record<string, string> = {};
    for (const variable of hostPaths) {
      pemFiles[variable] = path.join(scratch, `${variable.toLowerCase()}.pem`);
      writeFileSync(pemFiles[variable], '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    }
    const env = envFile('temporal-tls.env', pemFiles);
    const rendered = (
      composeMajorVersion() >= 2
        ? JSON.parse(composeOk(files, env, ['config', '--format', 'json']))
        : yamlToJson(composeOk(files, env, ['config']))
    ) as ComposeConfig & { secrets?: Record<string, { file?: string }> };
    for (const name of ['api', 'worker']) {
      const svc = rendered.services[name]!;
      const svcEnv = envOf(svc);
      const mounted = new Set((svc.secrets ?? []).map((s) => (typeof s === 'string' ? s : (s.source ?? ''))));
      const onHost: Record<string, string> = {};
      for (const variable of [
        'TEMPORAL_TLS_CLIENT_CERT_PATH',
        'TEMPORAL_TLS_CLIENT_KEY_PATH',
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      ]) {
        const secret = /^\/run\/secrets\/([a-z_]+)$/.exec(svcEnv[variable] ?? '')?.[1];
        expect(secret, `${name} ${variable}`).toBeDefined();
        expect(mounted.has(secret!), `${name} mounts ${secret}`).toBe(true);
        onHost[variable] = rendered.secrets?.[secret!]?.file ?? '';
      }
      if (name === 'worker') expect(mounted.has('emr_smart_private_key')).toBe(true);
      // The production configuration, with the mounted files where the container sees them.
      const keys = Object.fromEntries(
        [
          'PTFLOW_PAYLOAD_KEYS',
          'PTFLOW_ACTIVE_PAYLOAD_KEY_ID',
          'PTFLOW_DATA_KEYS',
          'PTFLOW_ACTIVE_DATA_KEY_ID',
          'PTFLOW_BLIND_INDEX_KEY',
          'PTFLOW_CURSOR_SECRET',
        ].map((k) => [k, sampleValue(k)]),
      );
      const temporalEnv = Object.fromEntries(
        Object.entries(svcEnv).filter(([k]) => k.startsWith('TEMPORAL_')),
      );
      const config = loadPtflowConfig(
        { ...temporalEnv, ...keys, NODE_ENV: 'production', ...onHost },
        scratch,
      );
      expect(
        typeof config.temporal.tls === 'object' && config.temporal.tls.clientCertPair,
        name,
      ).toBeTruthy();
    }
    // Without the overlay, the bundled server's plaintext is an explicit choice (production refuses it otherwise).
    expect(envOf(service('worker')).TEMPORAL_TLS).toBe('false');
  });

  it("registers ptflow's search attributes in the namespace at setup", () => {
    const setup = service('temporal-setup');
    expect(asList(setup.entrypoint).join(' ')).toContain('temporal-setup.sh');
    const script = readFileSync(path.join(deployDir, 'scripts', 'temporal-setup.sh'), 'utf8');
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
      expect(script, name).toMatch(new RegExp(`^${name}=${type}$`, 'm'));
    }
    // Exactly the attributes the workflows set (workflows/shared/search-attributes.ts), as the dev server registers them.
    const block = /SEARCH_ATTRIBUTES="\n([^"]*)"/.exec(script)?.[1] ?? '';
    const listed = block.split('\n').filter(Boolean).sort();
    const inCode = searchAttributeCliFlags()
      .filter((f) => f !== '--search-attribute')
      .sort();
    expect(listed).toEqual(inCode);
    expect(Object.keys(SEARCH_ATTRIBUTES).sort()).toEqual(inCode.map((f) => f.split('=')[0]));
    expect(script).toContain('operator search-attribute create --namespace');
    expect(envOf(setup).PTFLOW_NAMESPACE).toBe(envOf(service('api')).TEMPORAL_NAMESPACE);
  });
});

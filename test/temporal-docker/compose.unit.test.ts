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
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const deployDir = path.join(repoRoot, 'temporal-docker');
const composeFile = path.join(deployDir, 'docker-compose.yml');
const requireSecretsFile = path.join(deployDir, 'docker-compose.require-secrets.yml');

const INSTALL_HINT =
  'docker-compose is not on PATH. Install it with `apt-get install -y docker-compose` ' +
  '(CI installs it); the temporal-docker tests fail rather than skip without it.';

const SECRETS = [
  'APP_DB_PASSWORD',
  'TEMPORAL_DB_PASSWORD',
  'PTFLOW_PAYLOAD_KEYS',
  'PTFLOW_ACTIVE_PAYLOAD_KEY_ID',
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
    for (const key of ['PTFLOW_PAYLOAD_KEYS', 'PTFLOW_ACTIVE_PAYLOAD_KEY_ID']) {
      expect(api[key], `api ${key}`).toBe('');
      expect(worker[key], `worker ${key}`).toBe('');
      expect(api.PTFLOW_REQUIRED_ENV?.split(/\s+/), 'api required env').toContain(key);
      expect(worker.PTFLOW_REQUIRED_ENV?.split(/\s+/), 'worker required env').toContain(key);
    }
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
    for (const secret of SECRETS) {
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

  it("registers ptflow's search attributes in the namespace at setup", () => {
    const setup = service('temporal-setup');
    expect(asList(setup.entrypoint).join(' ')).toContain('temporal-setup.sh');
    const script = readFileSync(path.join(deployDir, 'scripts', 'temporal-setup.sh'), 'utf8');
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
      expect(script, name).toMatch(new RegExp(`^${name}=${type}$`, 'm'));
    }
    expect(script).toContain('operator search-attribute create --namespace');
    expect(envOf(setup).PTFLOW_NAMESPACE).toBe(envOf(service('api')).TEMPORAL_NAMESPACE);
  });
});

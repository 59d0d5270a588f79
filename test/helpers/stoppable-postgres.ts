// A PostgreSQL server of a test's own (not the run's shared one), so the test can take it away: stop it and
// start it again on the same data directory and port (an outage), or fill the disk its app tables live on.
// The disk is real: the app's tables and indexes (schema `public`) sit in a tablespace on a small tmpfs mounted
// for the test, which a ballast file fills to the last byte; PostgreSQL then refuses to extend any of them
// with SQLSTATE 53100 (disk_full), exactly as on a full volume. WAL and catalogs stay on the ordinary disk (a
// full WAL volume makes PostgreSQL shut down: that case is the outage). Mounting needs root (CAP_SYS_ADMIN).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { connectDb, ensureDatabase, withDatabase } from '../../db/connection.js';
import { runMigrations } from '../../db/migrate.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../devtools/embedded-postgres.js';
import { freePort } from '../../devtools/ports.js';
import type { TestDatabase } from './db.js';

/** The tablespace holding the app's tables when `smallDiskMb` is given. */
export const SMALL_TABLESPACE = 'app_small_disk';

export interface StoppablePostgres {
  /** The migrated app database on this server (a TestDatabase: the chaos harness and app tests take it). */
  database: TestDatabase;
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  /** Stop the server (fast shutdown: open connections are cut, the port closes). */
  stop(): Promise<void>;
  /** Start it again on the same data directory and port. */
  start(): Promise<void>;
  /** Fill the app tables' disk to the last byte (needs `smallDiskMb`); returns the bytes the ballast took. */
  fillDisk(): number;
  /** Remove the ballast. */
  freeDisk(): void;
  /** Bytes still free on the app tables' disk. */
  diskFree(): number;
  close(): Promise<void>;
}

/** Whether this process may mount a tmpfs (root on Linux): the full-disk tests need it. */
export function canMountTmpfs(): boolean {
  if (os.platform() !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-mount-probe-'));
  try {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    if (r.status !== 0) return false;
    spawnSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const SHARED_ROOT = '/var/tmp/ptflow';

/**
 * Starts the server, creates and migrates `database`, and (with `smallDiskMb`) moves every table and index of
 * schema `public` into a tablespace on a tmpfs of that size.
 */
export async function startStoppablePostgres(o: {
  database: string;
  smallDiskMb?: number;
  log?: (line: string) => void;
}): Promise<StoppablePostgres> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-own-pg-'));
  fs.chmodSync(runDir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const options = {
    dataDir: path.join(runDir, 'pg'),
    port,
    logFile: path.join(runDir, 'postgres.log'),
    password,
    ...(o.log ? { log: o.log } : {}),
  };
  let server: EmbeddedPostgres | undefined = await startEmbeddedPostgres(options);
  const adminUrl = server.url;
  const url = withDatabase(adminUrl, o.database);
  let mountPoint: string | undefined;
  const ballast = () => path.join(mountPoint!, 'ballast');

  // A run killed without its teardown must not leave the server running or the tmpfs mounted.
  const onExit = () => {
    try {
      if (server && !server.process.hasExited()) process.kill(server.process.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (mountPoint) spawnSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
  };
  process.once('exit', onExit);

  const close = async () => {
    process.off('exit', onExit);
    await server?.stop().catch(() => undefined);
    server = undefined;
    if (mountPoint) {
      spawnSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
      fs.rmSync(mountPoint, { recursive: true, force: true });
    }
    if (process.env.CHAOS_KEEP_LOGS !== '1') fs.rmSync(runDir, { recursive: true, force: true });
  };

  try {
    await ensureDatabase(adminUrl, o.database);
    await runMigrations(url);
    if (o.smallDiskMb) {
      fs.mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
      mountPoint = fs.mkdtempSync(path.join(SHARED_ROOT, 'small-disk-'));
      fs.chmodSync(mountPoint, 0o755);
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${o.smallDiskMb}m,mode=0755`, 'tmpfs', mountPoint]);
      const location = path.join(mountPoint, 'tablespace');
      fs.mkdirSync(location, { mode: 0o700 });
      // The server runs as the unprivileged `postgres` user when we are root (devtools/embedded-postgres.ts).
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      fs.chownSync(location, uid, gid);
      const admin = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        await admin.unsafe(`create tablespace ${SMALL_TABLESPACE} location '${location}'`);
        const rels = await admin<{ name: string; kind: string }[]>`
          select c.relname as name, c.relkind as kind from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p', 'i', 'I', 'm') order by c.relkind desc`;
        for (const r of rels) {
          const what =
            r.kind === 'i' || r.kind === 'I' ? 'index' : r.kind === 'm' ? 'materialized view' : 'table';
          await admin.unsafe(`alter ${what} public."${r.name}" set tablespace ${SMALL_TABLESPACE}`);
        }
      } finally {
        await admin.end({ timeout: 5 });
      }
    }
  } catch (err) {
    await close();
    throw err;
  }

  const handle = connectDb(url, { max: 5 });
  const database: TestDatabase = {
    ...handle,
    url,
    name: o.database,
    // The whole server goes in close(); here only the pool.
    drop: () => handle.close(),
  };

  const free = () => {
    const s = fs.statfsSync(mountPoint!);
    return s.bavail * s.bsize;
  };

  return {
    database,
    adminUrl,
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      server = await startEmbeddedPostgres(options);
    },
    fillDisk() {
      if (!mountPoint) throw new Error('fillDisk needs smallDiskMb');
      const fd = fs.openSync(ballast(), 'a');
      const chunk = Buffer.alloc(64 * 1024);
      let written = 0;
      try {
        // Large writes first, then ever smaller ones, until not one byte more fits.
        for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
          for (;;) {
            try {
              written += fs.writeSync(fd, chunk, 0, size);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
      } finally {
        fs.closeSync(fd);
      }
      return written;
    },
    freeDisk() {
      if (mountPoint) fs.rmSync(ballast(), { force: true });
    },
    diskFree: () => (mountPoint ? free() : Number.NaN),
    close,
  };
}

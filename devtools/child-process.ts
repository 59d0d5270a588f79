// Small helpers for the servers `ptflow dev` and the test harness run as child processes: spawn with output
// to a log file, stop politely then firmly, and clean up orphans a killed run left behind (tracked by pid
// files, and only ever killed when the command line still matches what we started). Every child also has an
// owner watchdog: if this process dies without stopping it, the child's process group is stopped too.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ManagedChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string | null>;
  hasExited(): boolean;
  stop(opts?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<void>;
}

/**
 * The watchdog's script (POSIX sh): while the owner ($1) lives and the child ($2) runs, sleep; once the owner
 * is gone (or a zombie nobody reaps), send $3 to the child, wait up to $4 s, then SIGKILL its process group
 * (a server's own children, e.g. PostgreSQL backends, included).
 */
const WATCHDOG_SCRIPT = `
alive() { kill -0 "$1" 2>/dev/null && [ "$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -c1)" != Z ]; }
while alive "$1"; do
  alive "$2" || exit 0
  sleep 1
done
alive "$2" || exit 0
kill -"$3" "$2" 2>/dev/null
i=0
while alive "$2" && [ "$i" -lt "$4" ]; do sleep 1; i=$((i + 1)); done
kill -KILL -"$2" 2>/dev/null || kill -KILL "$2" 2>/dev/null
exit 0
`;

/** Marker in a watchdog's command line (`ps`), to tell it from the server it watches. */
export const WATCHDOG_MARKER = 'ptflow-owner-watchdog';

/**
 * Stops `childPid`'s process group once `ownerPid` has died, however it died (SIGKILL, a crash, a signal its
 * handlers did not survive): a detached child outlives its parent otherwise, re-parented to init. The watchdog
 * is a tiny shell loop in its own session (a terminal's Ctrl-C does not reach it) and exits with the child.
 */
export function watchOwner(
  childPid: number,
  opts: { ownerPid?: number; signal?: NodeJS.Signals; graceSeconds?: number } = {},
): ChildProcess {
  const watchdog = spawn(
    '/bin/sh',
    [
      '-c',
      WATCHDOG_SCRIPT,
      WATCHDOG_MARKER,
      String(opts.ownerPid ?? process.pid),
      String(childPid),
      (opts.signal ?? 'SIGTERM').replace(/^SIG/, ''),
      String(opts.graceSeconds ?? 10),
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return watchdog;
}

export function spawnLogged(
  command: string,
  args: string[],
  opts: {
    logFile: string;
    env?: NodeJS.ProcessEnv;
    uid?: number;
    gid?: number;
    cwd?: string;
    /**
     * How the child is stopped when this process dies without stopping it (the owner watchdog). Default:
     * SIGTERM, SIGKILL after 10 s. `false`: the child may outlive this process.
     */
    dieWithOwner?: { signal?: NodeJS.Signals; graceSeconds?: number } | false;
  },
): ManagedChild {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  // detached: the child gets its own process group, so a Ctrl-C in the terminal reaches only `ptflow dev`,
  // which then stops the children in order (API, worker, then servers) instead of all at once.
  const child = spawn(command, args, {
    stdio: ['ignore', fd, fd],
    detached: true,
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
  });
  fs.closeSync(fd);
  let done = false;
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal);
    });
    child.once('error', () => {
      done = true;
      resolve(null);
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${path.basename(command)}`);
  const pid = child.pid;
  if (opts.dieWithOwner !== false) watchOwner(pid, opts.dieWithOwner ?? {});
  return {
    child,
    pid,
    exited,
    hasExited: () => done,
    async stop({ signal = 'SIGTERM', timeoutMs = 10_000 } = {}) {
      if (done) return;
      child.kill(signal);
      const timer = setTimeout(() => !done && child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * Records `pid` in `file`; with `owner`, also the process that owns it (its second line), so another run that
 * shares the file's folder leaves it alone while that owner lives.
 */
export function writePidFile(file: string, pid: number, owner?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, owner === undefined ? `${pid}\n` : `${pid}\n${owner}\n`);
}

/** The owner recorded by writePidFile, if any. */
function readOwner(file: string): number | undefined {
  try {
    const owner = Number.parseInt(fs.readFileSync(file, 'utf8').split('\n')[1] ?? '', 10);
    return Number.isInteger(owner) && owner > 0 ? owner : undefined;
  } catch {
    return undefined;
  }
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stop a process recorded in `pidFile` if it is still running, its command line contains `marker` (so a
 * recycled pid belonging to something else is never touched) and the run that recorded it (if named) is gone.
 * Returns true if one was reaped.
 */
export async function reapOrphan(
  pidFile: string,
  marker: string,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> {
  const pid = readPid(pidFile);
  // Owned by a run that is still alive (another checkout's benchmark at the same time): not an orphan.
  const owner = readOwner(pidFile);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) return false;
  if (pid === undefined || !isAlive(pid) || !commandLine(pid).includes(marker)) {
    fs.rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, signal);
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  fs.rmSync(pidFile, { force: true });
  return true;
}

// Small helpers for the servers `ptflow dev` and the test harness run as child processes: spawn with output
// to a log file, stop politely then firmly, and clean up orphans a killed run left behind (tracked by pid
// files, and only ever killed when the command line still matches what we started).
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

export function spawnLogged(
  command: string,
  args: string[],
  opts: { logFile: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string },
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

export function writePidFile(file: string, pid: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${pid}\n`);
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
 * Stop a process recorded in `pidFile` if it is still running and its command line contains `marker`
 * (so a recycled pid belonging to something else is never touched). Returns true if one was reaped.
 */
export async function reapOrphan(
  pidFile: string,
  marker: string,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> {
  const pid = readPid(pidFile);
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

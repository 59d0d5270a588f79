// Spawns test/helpers/worker-entry.ts as a real OS process (node --import tsx, one process: killing it kills
// the worker, no wrapper left behind) and tracks every child so a test's afterAll — or the test process's
// exit, even after a failure — leaves none running.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./worker-entry.ts', import.meta.url));
const live = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface WorkerProcess {
  pid: number;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** SIGKILL (no drain, no goodbye) and wait until the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the worker stops polling and drains; waits for the exit. */
  stop(): Promise<void>;
}

export async function startWorkerProcess(opts: {
  env: Record<string, string>;
  /** stdout and stderr of the child, appended (a crash test's evidence). */
  logFile: string;
  readyTimeoutMs?: number;
}): Promise<WorkerProcess> {
  const log = fs.openSync(opts.logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: { ...process.env, ...opts.env, PTFLOW_TEST_PARENT_PID: String(process.pid) },
    stdio: ['ignore', 'pipe', log],
  });
  fs.closeSync(log);
  live.add(child);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(signal ?? code);
    }),
  );
  const out = fs.createWriteStream(opts.logFile, { flags: 'a' });
  const ready = new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out.write(chunk);
      seen += chunk.toString('utf8');
      if (seen.includes('ptflow-test-worker ready')) resolve();
    });
    void exited.then((why) =>
      reject(new Error(`worker process exited before it was ready (${String(why)})`)),
    );
    setTimeout(
      () => reject(new Error('worker process not ready in time')),
      opts.readyTimeoutMs ?? 120_000,
    ).unref();
  });
  const handle: WorkerProcess = {
    pid: child.pid ?? -1,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await ready;
  } catch (err) {
    await handle.kill();
    throw err;
  }
  return handle;
}

/** Kills every worker process still running (afterAll of crash and chaos tests). */
export async function killAllWorkerProcesses(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

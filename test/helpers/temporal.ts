// Temporal helpers for tests: a client on the shared dev server, a worker per test on its own task queue
// using the bundle built once per run, and the time-skipping environment on the Java test server.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { registerSearchAttributes } from '../../devtools/dev-server.js';
import { resolveTestServerExecutable } from '../../devtools/test-server-path.js';

let runtimeInstalled = false;
/** Quiet worker logs; the runtime is installed once per test process (a second install would throw). */
export function installRuntime() {
  if (runtimeInstalled) return;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  } catch {
    // Installed already by other code in this test process.
  }
  runtimeInstalled = true;
}

export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

export function workflowBundle(): { code: string } {
  return { code: fs.readFileSync(inject('workflowBundlePath'), 'utf8') };
}

export async function devServerClient(): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return { client: new Client({ connection }), close: () => connection.close() };
}

/** A worker on the shared dev server; close() shuts it down and waits for it to drain. */
export async function devServerWorker(taskQueue: string, activities: object) {
  installRuntime();
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await Worker.create({
    connection,
    taskQueue,
    activities,
    workflowBundle: workflowBundle(),
  });
  const running = worker.run();
  return {
    worker,
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/**
 * The Java time-skipping test server through `existing-path` (never a download). The SDK gives it 5 s to
 * listen; on a loaded 2-core machine a cold JVM can miss that, so start-up is retried.
 */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installRuntime();
  const path = resolveTestServerExecutable();
  if (!path)
    throw new Error('Java test server not provisioned: run `npm run setup` (scripts/ensure-test-server.sh).');
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const env = await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path } },
      });
      // The test server knows only the system search attributes until ours are registered.
      await registerSearchAttributes(env.connection, 'default', { assumeNone: true });
      return env;
    } catch (err) {
      lastError = err;
      if (!/did not start within|Failed connecting to test server/i.test(String(err))) throw err;
    }
  }
  throw lastError;
}

// A process that meets a misconfigured worker waits for a person instead of failing (issue #14). An activity
// whose connector is not configured fails non-retryably with `ConnectorNotConfigured` (activities/index.ts);
// `waitingOnConfiguration` wraps a process's activity stubs so that such a failure raises a staff task (via
// the process's own `wait`) and, once a person completes it (after fixing the worker's configuration), calls
// the activity again. Any other failure, and a task closed without completion, propagate as before.
//
// The retry path adds commands (the task's child workflow) where a run used to end FAILED, so it is guarded by
// patched(CONNECTOR_TASK_PATCH): histories recorded before it replay with the old behaviour.
import { ActivityFailure, ApplicationFailure, patched } from '@temporalio/workflow';
import { raiseTaskAndWait, type TaskOwner } from '../tasks/raise-task.js';

export const CONNECTOR_TASK_PATCH = 'connector-not-configured-task';
export const CONNECTOR_TASK_KIND = 'connector_not_configured';
export const CONNECTOR_TASK_TITLE =
  'A connector this process needs is not configured: fix the worker configuration, then complete this task to retry';

export function isConnectorNotConfigured(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === 'ConnectorNotConfigured'
  );
}

/**
 * What the failure says is missing (the activity's own message: a connector kind and the worker settings it
 * needs, never data), for the task's details.
 */
export function connectorReason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return (cause instanceof ApplicationFailure ? cause.message : '').slice(0, 300);
}

/**
 * `stubs` with every activity retried after `wait(activityName, reason)` resolves true. `wait` raises the task
 * and resolves with whether it was completed (false: closed without completion → the failure propagates).
 */
export function waitingOnConfiguration<T extends object>(
  stubs: T,
  wait: (activity: string, reason: string) => Promise<boolean>,
): T {
  return new Proxy(stubs, {
    get(target, prop, receiver) {
      const fn: unknown = Reflect.get(target, prop, receiver);
      if (typeof fn !== 'function' || typeof prop !== 'string') return fn;
      return async (...args: unknown[]) => {
        for (;;) {
          try {
            return (await (fn as (...a: unknown[]) => Promise<unknown>)(...args)) as unknown;
          } catch (err) {
            if (!isConnectorNotConfigured(err) || !patched(CONNECTOR_TASK_PATCH)) throw err;
            if (!(await wait(prop, connectorReason(err)))) throw err;
          }
        }
      };
    },
  });
}

/** The usual `wait`: an admin task on the process's worklist (4 hours due), true once it is completed. */
export function configurationTask(owner: TaskOwner): (activity: string, reason?: string) => Promise<boolean> {
  return async (activity, reason) => {
    const done = await raiseTaskAndWait(owner, {
      kind: CONNECTOR_TASK_KIND,
      title: CONNECTOR_TASK_TITLE,
      role: 'admin',
      dueInHours: 4,
      // The activity that waits and what it reported missing: staff see exactly which settings to fix.
      details: reason ? { activity, reason } : { activity },
    });
    return done.state === 'completed';
  };
}

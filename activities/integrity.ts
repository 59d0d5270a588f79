// An encrypted PHI row that fails its authentication tag (tampered, damaged or written under a lost key) will
// fail the same way on every retry: retrying only hammers the database and hides the incident (issue #20 item 3).
// Every activity is wrapped so that a FieldDecryptionError becomes, once per attempt that meets it:
//   - an alert: one error log line and a counter, naming table, column, row id and reason (ids, never values);
//   - one security task per row for an admin (task id derived from practice + table + row id: however many
//     processes or attempts meet the row, the worklist shows it once), naming the table and the row id;
//   - a non-retryable ApplicationFailure of type `EncryptedRecordUnreadable` whose details carry the same ids and
//     the task id, so the workflow can show NeedsAttention and wait for the task instead of failing or retrying.
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Database } from '../db/connection.js';
import { FieldDecryptionError } from '../db/crypto/field-encryption.js';
import { isUuid, workflowId } from '../domain/ids.js';
import type { HumanTask } from '../domain/tasks.js';
import { uuidFromKey } from './shared/derived-ids.js';
import { createTaskActivities } from './tasks/index.js';

export const ENCRYPTED_RECORD_UNREADABLE = 'EncryptedRecordUnreadable';
export const PHI_INTEGRITY_TASK_KIND = 'phi_integrity_failure';

/** What the failure's details carry: opaque ids and codes only. */
export interface EncryptedRecordProblem {
  table: string;
  column: string;
  rowId: string;
  reason: FieldDecryptionError['reason'];
  /** The security task raised for the row (its worklist id). */
  taskId?: string;
}

export interface IntegrityDeps {
  db: Database;
  temporal?: Client;
}

/** The security task of one row, raised once: a task workflow when a client is there, else its worklist row. */
async function raiseSecurityTask(
  deps: IntegrityDeps,
  err: FieldDecryptionError,
): Promise<string | undefined> {
  const practiceId = err.tenant;
  const rowId = err.rowId;
  if (!practiceId || !isUuid(practiceId) || !rowId) return undefined;
  const info = Context.current().info;
  const taskId = uuidFromKey('phi-integrity', practiceId, err.table, rowId);
  const task: HumanTask = {
    taskId,
    practiceId,
    kind: PHI_INTEGRITY_TASK_KIND,
    assigneeRole: 'admin',
    title: 'Encrypted record failed its integrity check: investigate and restore it from backup',
    dueAt: new Date(Date.now() + 4 * 3_600_000).toISOString(),
    parentWorkflowId: info.workflowExecution?.workflowId ?? 'unknown',
    processKind: info.workflowType ?? 'unknown',
    details: { table: err.table, column: err.column, rowId, reason: err.reason },
  };
  if (deps.temporal) {
    try {
      await deps.temporal.workflow.start('humanTask', {
        taskQueue: info.taskQueue,
        workflowId: workflowId('task', taskId),
        args: [task],
      });
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
  } else {
    // No client (a worker composed without one): the worklist row alone, keyed by the same id.
    await createTaskActivities({ db: deps.db }).openTask(task);
  }
  return taskId;
}

async function onUnreadable(deps: IntegrityDeps, err: FieldDecryptionError): Promise<never> {
  const ctx = Context.current();
  const ids = { table: err.table, column: err.column, rowId: err.rowId ?? 'unknown', reason: err.reason };
  log.error('ALERT phi_integrity: an encrypted record failed its integrity check', {
    alert: 'phi_integrity',
    ...ids,
    workflowType: ctx.info.workflowType ?? 'unknown',
    activityType: ctx.info.activityType,
  });
  ctx.metricMeter
    .createCounter('ptflow_phi_integrity_failures', 'failures', 'Encrypted PHI rows failing authentication')
    .add(1, { table: err.table, reason: err.reason });
  let taskId: string | undefined;
  try {
    taskId = await raiseSecurityTask(deps, err);
  } catch {
    // The alert went out; the failure below still stops the retries. A later attempt raises the task.
    log.error('ALERT phi_integrity: the security task could not be raised', {
      alert: 'phi_integrity',
      ...ids,
    });
  }
  const problem: EncryptedRecordProblem = { ...ids, ...(taskId ? { taskId } : {}) };
  throw ApplicationFailure.create({
    type: ENCRYPTED_RECORD_UNREADABLE,
    message: err.message,
    nonRetryable: true,
    details: [problem],
  });
}

/** Every activity of `acts`, with a FieldDecryptionError turned into the alert, the task and the typed failure. */
export function withRecordIntegrity<T extends object>(acts: T, deps: IntegrityDeps): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(acts)) {
    if (typeof fn !== 'function') {
      out[name] = fn;
      continue;
    }
    out[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        if (err instanceof FieldDecryptionError) return onUnreadable(deps, err);
        throw err;
      }
    };
  }
  return out as T;
}

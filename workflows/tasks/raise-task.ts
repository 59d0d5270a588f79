// Raising a human task from a process: a `humanTask` child workflow with an id from uuid4() (deterministic on
// replay) and ParentClosePolicy.ABANDON, because tasks outlive the process that raised them — staff still see
// and close them after it completed. Returns the task's workflow id (to cancel it later if it becomes moot).
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { workflowId } from '../../domain/ids.js';
import { describeTask } from '../../domain/process-summaries.js';
import type { StaffRole } from '../../domain/tasks.js';
import type { HumanTaskInput, HumanTaskResult } from './messages.js';
import { humanTask } from './workflow.js';

export interface TaskOwner {
  practiceId: string;
  patientId?: string;
  /** Process kind shown on the worklist (e.g. 'claimSubmission'). */
  processKind: string;
  /** Opaque ids every task of this process carries (e.g. { claimId }). */
  details: Record<string, string | number | boolean>;
  /**
   * Whom the task concerns, for its summary in the Temporal UI (user metadata: encrypted by the payload codec,
   * never in search attributes or the worklist title).
   */
  patientName?: string;
  /** The practice's zone: the summary's due date is its wall clock. */
  timeZone?: string;
}

export interface TaskSpec {
  kind: string;
  /** PHI-free title shown on the worklist. */
  title: string;
  role: StaffRole;
  dueInHours: number;
  details?: Record<string, string | number | boolean>;
  /**
   * A task id derived from a business key (e.g. one timely-filing task per claim) instead of a fresh uuid4:
   * raising it again finds the same worklist row and the same task workflow, so a sweep that runs nightly
   * never raises it twice.
   */
  taskId?: string;
}

function startTask(owner: TaskOwner, spec: TaskSpec) {
  const taskId = spec.taskId ?? uuid4();
  const input: HumanTaskInput = {
    taskId,
    practiceId: owner.practiceId,
    ...(owner.patientId ? { patientId: owner.patientId } : {}),
    kind: spec.kind,
    assigneeRole: spec.role,
    title: spec.title,
    dueAt: new Date(new Date().getTime() + spec.dueInHours * 3_600_000).toISOString(),
    parentWorkflowId: workflowInfo().workflowId,
    processKind: owner.processKind,
    details: { ...owner.details, ...(spec.details ?? {}) },
  };
  return startChild(humanTask, {
    workflowId: workflowId('task', taskId),
    parentClosePolicy: ParentClosePolicy.ABANDON,
    ...taskMetadata(input, owner),
    args: [input],
  });
}

/**
 * The task's user metadata (what to do, for whom, by when): payloads on the child's start command, so the codec
 * encrypts them; they change no command (replay of histories recorded without them is unaffected).
 */
export function taskMetadata(
  input: HumanTaskInput,
  about: { patientName?: string | undefined; timeZone?: string | undefined },
): { staticSummary: string; staticDetails: string } {
  const d = describeTask(input, {
    ...(about.patientName ? { patientName: about.patientName } : {}),
    ...(about.timeZone ? { timeZone: about.timeZone } : {}),
  });
  return { staticSummary: d.summary, staticDetails: d.details };
}

export async function raiseTask(owner: TaskOwner, spec: TaskSpec): Promise<string> {
  return (await startTask(owner, spec)).workflowId;
}

/** Raise a task and wait until a person completes it (or it is closed without completion). */
export async function raiseTaskAndWait(owner: TaskOwner, spec: TaskSpec): Promise<HumanTaskResult> {
  return (await startTask(owner, spec)).result();
}

/**
 * Raise a task whose id comes from a business key (`spec.taskId`), tolerating that its task workflow is already
 * running (two overlapping sweeps, or a retried run): returns false when it was there already.
 */
export async function raiseTaskOnce(owner: TaskOwner, spec: TaskSpec & { taskId: string }): Promise<boolean> {
  try {
    await raiseTask(owner, spec);
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

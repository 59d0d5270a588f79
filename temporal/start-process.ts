// One way to start a ptflow process, shared by the API's start routes and the EMR event router: idempotent on
// the workflow id (a running process with that id is reused), optionally never reusing a closed id (a
// visit is billed once), with the allow-listed search attributes every process carries.
import type { Client, WorkflowStartOptions } from '@temporalio/client';
import type { SearchAttributePair, Workflow } from '@temporalio/common';
import { workflowId, type ProcessKindPrefix } from '../domain/ids.js';
import { PatientId, PracticeId, ProcessKind } from '../workflows/shared/search-attributes.js';

export interface ProcessStart<W extends Workflow> {
  taskQueue: string;
  kind: ProcessKindPrefix;
  /** ProcessKind search attribute (and metrics label at the API). */
  processKind: string;
  id: string;
  workflow: W;
  args: Parameters<W>;
  practiceId: string;
  patientId?: string;
  searchAttributes?: SearchAttributePair[];
  /** Never start the id again once its process closed (claims: one per visit, CO-18). */
  rejectDuplicate?: boolean;
  /** Start the id again only when its closed process failed (or was terminated); else like rejectDuplicate. */
  retryFailed?: boolean;
}

/**
 * Resolves with the workflow id once Temporal holds the start (or the running execution it reused). A closed id
 * under `rejectDuplicate` throws WorkflowExecutionAlreadyStartedError: the caller decides what that means.
 */
export async function startIdempotently<W extends Workflow>(
  client: Client,
  spec: ProcessStart<W>,
): Promise<string> {
  const wfId = workflowId(spec.kind, spec.id);
  await client.workflow.start(spec.workflow, {
    taskQueue: spec.taskQueue,
    workflowId: wfId,
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...(spec.rejectDuplicate ? { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const } : {}),
    ...(spec.retryFailed ? { workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const } : {}),
    typedSearchAttributes: [
      { key: ProcessKind, value: spec.processKind },
      { key: PracticeId, value: spec.practiceId },
      ...(spec.patientId ? [{ key: PatientId, value: spec.patientId }] : []),
      ...(spec.searchAttributes ?? []),
    ],
    args: spec.args,
    // The SDK types `args` conditionally on the workflow's arity; Parameters<W> is exactly what it takes.
  } as unknown as WorkflowStartOptions<W>);
  return wfId;
}

// One way to start a ptflow process, shared by the API's start routes and the EMR event router's activities:
// idempotent on the workflow id (a running process with that id is reused), optionally never reusing a closed id
// (a visit is billed once), with the allow-listed search attributes every process carries. Processes are named by
// their workflow type (the registered function name, from the process's messages.ts): starters outside
// workflows/ never import a workflow module.
import type { Client, WorkflowStartOptions } from '@temporalio/client';
import type { SearchAttributePair, Workflow } from '@temporalio/common';
import { workflowId, type ProcessKindPrefix } from '../../domain/ids.js';
import { describeProcessStart, type ProcessDescription } from '../../domain/process-summaries.js';
import { payerProfileOn } from '../../domain/rules/payers.js';
import { PatientId, PracticeId, ProcessKind } from '../../workflows/shared/search-attributes.js';

export interface ProcessStart<W extends Workflow> {
  taskQueue: string;
  kind: ProcessKindPrefix;
  /** ProcessKind search attribute (and metrics label at the API). */
  processKind: string;
  id: string;
  /**
   * The workflow type name (`<NAME>_WORKFLOW_TYPE` of the process's messages.ts; W, its `<Name>Workflow` type,
   * types the arguments); tests may pass the function.
   */
  workflow: string | W;
  args: Parameters<W>;
  practiceId: string;
  patientId?: string;
  searchAttributes?: SearchAttributePair[];
  /** Never start the id again once its process closed (claims: one per visit, CO-18). */
  rejectDuplicate?: boolean;
  /** Start the id again only when its closed process failed (or was terminated); else like rejectDuplicate. */
  retryFailed?: boolean;
  /**
   * The readable summary and details staff see in the Temporal UI (user metadata: payloads, so encrypted by
   * the codec). Default: described from `processKind` and the first argument (domain/process-summaries.ts).
   */
  description?: ProcessDescription;
}

/** The payer's display name on the claim's date of service (its profile), for the claim's summary. */
function claimPayerName(input: unknown): string | undefined {
  const visit = (input as { case?: { visit?: { payerId?: unknown; dos?: unknown } } } | undefined)?.case
    ?.visit;
  if (typeof visit?.payerId !== 'string' || typeof visit.dos !== 'string') return undefined;
  return payerProfileOn(visit.payerId, visit.dos)?.name;
}

/** What a start sets as user metadata: the caller's description or one built from the kind and input. */
export function startDescription<W extends Workflow>(spec: ProcessStart<W>): ProcessDescription | undefined {
  if (spec.description) return spec.description;
  const input: unknown = (spec.args as unknown[])[0];
  return describeProcessStart(spec.processKind, input, {
    ...(spec.processKind === 'claimSubmission' ? { payerName: claimPayerName(input) } : {}),
  });
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
  const description = startDescription(spec);
  await client.workflow.start<W>(spec.workflow, {
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
    ...(description ? { staticSummary: description.summary, staticDetails: description.details } : {}),
    args: spec.args,
    // The SDK types `args` conditionally on the workflow's arity; Parameters<W> is exactly what it takes.
  } as unknown as WorkflowStartOptions<W>);
  return wfId;
}

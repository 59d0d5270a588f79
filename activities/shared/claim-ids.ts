// Which claim id a visit's claim has in a practice. Claims started before ids were scoped by practice used the
// visit id itself (`claim:<visit id>`); those workflows keep running and keep their histories, so a start for
// the same visit of the same practice must find them (never file twice), and a lookup by the visit id must
// still reach them. A legacy id another practice owns is ignored: it is not this practice's claim, and nothing
// in the answer may tell that it exists.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { isUuid, workflowId } from '../../domain/ids.js';
import { PracticeId } from '../../workflows/shared/search-attributes.js';
import { claimIdFor } from './derived-ids.js';

/** The practice a workflow id belongs to, or undefined when Temporal does not know the id. */
export async function workflowOwner(client: Client, wfId: string): Promise<string | undefined> {
  try {
    return (await client.workflow.getHandle(wfId).describe()).typedSearchAttributes.get(PracticeId);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * The id to start (or reuse) the claim of `visitId` under: the practice's legacy `claim:<visit id>` when this
 * practice already has one, else the practice-scoped id.
 */
export async function claimIdForStart(client: Client, practiceId: string, visitId: string): Promise<string> {
  if (isUuid(visitId) && (await workflowOwner(client, workflowId('claim', visitId))) === practiceId) {
    return visitId;
  }
  return claimIdFor(practiceId, visitId);
}

// Patient replies a process waits for (issue 18): the messaging connector recognised a slot number or YES/NO in
// a conversation whose context names a missedVisitFollowUp or waitlistFill process; this signals that process
// (`patientReply`). Only those processes of the practice the Twilio source speaks for are signalled; a process
// that has closed meanwhile is not an error (the reply came too late and the patient's TwiML answer stands).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { InboundResult } from '../../connectors/messaging/types.js';
import { PracticeId } from '../../workflows/shared/search-attributes.js';
import { patientReplySignal, REPLY_PROCESS_PREFIXES } from '../../workflows/visits/messages.js';

export type ProcessReplyRouter = (practiceId: string, result: InboundResult) => Promise<void>;

export function createProcessReplyRouter(temporal: Client): ProcessReplyRouter {
  return async (practiceId, result) => {
    if (result.kind !== 'process_reply') return;
    if (!REPLY_PROCESS_PREFIXES.some((p) => result.workflowId.startsWith(p))) return;
    const handle = temporal.workflow.getHandle(result.workflowId);
    try {
      const described = await handle.describe();
      if (described.typedSearchAttributes.get(PracticeId) !== practiceId) return;
      await handle.signal(patientReplySignal, { patientId: result.patientId, answer: result.answer });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return;
      // A closed process refuses signals: the reply came after it ended.
      if ((err as { name?: string }).name === 'WorkflowNotFoundError') return;
      throw err;
    }
  };
}

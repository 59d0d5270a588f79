// Every activity runs inside a PHI-read scope (db/audit/phi-reads.ts): the patient, coverage and eligibility
// rows it decrypts are written to the audit hash chain when it ends — one event per table and row, all of an
// activity's events together in one transaction, shared through the group commit (AuditGroupCommit) with the
// other activities ending at the same time: one chain lock per group, not one per activity (under 10 concurrent
// onboardings the per-activity lock queue cost 0.3 s a flush on the busy bench machine). Who: the process (its workflow id, the actor, actor type `service`); the
// person or key that started a process is on the chain already, as the actor of the API's creation event for
// the same workflow id, so the two link through `workflow_id`. What: the table, the row id, our patient id,
// the decrypted column names and the purpose of use of the process kind — never a value.
import { Context } from '@temporalio/activity';
import { appendAuditGroupedBatch } from '../db/audit/append.js';
import type { AuditEventInput } from '../db/audit/event.js';
import { collectPhiReads, type PhiRead } from '../db/audit/phi-reads.js';
import type { Database } from '../db/connection.js';

/** HL7 PurposeOfUse of a process kind's reads: billing and coverage are payment, care is treatment. */
const PURPOSE: Record<string, string> = {
  claimSubmission: 'HPAYMT',
  priorAuthorization: 'HPAYMT',
  reverifyEligibility: 'HPAYMT',
  sweepTimelyFiling: 'HPAYMT',
  planOfCare: 'TREAT',
  progressReportDelivery: 'TREAT',
};

function activityOrigin(): { workflowId?: string; workflowType?: string; activityType?: string } {
  try {
    const info = Context.current().info;
    return {
      ...(info.workflowExecution?.workflowId ? { workflowId: info.workflowExecution.workflowId } : {}),
      ...(info.workflowType ? { workflowType: info.workflowType } : {}),
      activityType: info.activityType,
    };
  } catch {
    // Called outside an activity (a script, a test calling the function directly): no process to name.
    return {};
  }
}

export function phiReadEvents(reads: readonly PhiRead[]): AuditEventInput[] {
  const origin = activityOrigin();
  const purpose = (origin.workflowType && PURPOSE[origin.workflowType]) ?? 'HOPERAT';
  return reads.map((r) => ({
    actorId: origin.workflowId ?? 'worker',
    actorType: 'service' as const,
    actorRole: 'worker',
    action: 'R' as const,
    resourceType: r.table,
    resourceId: r.rowId,
    ...(r.patientRef ? { patientRef: r.patientRef } : {}),
    purposeOfUse: purpose,
    outcome: 'success' as const,
    ...(origin.workflowId ? { workflowId: origin.workflowId } : {}),
    fieldsDisclosed: r.fields,
  }));
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

/** Wraps every activity so its PHI reads are audited (see above); the activities' types are unchanged. */
export function auditPhiReads<T extends Record<string, AnyActivity>>(db: Database, activities: T): T {
  const flush = async (reads: PhiRead[]) => {
    await appendAuditGroupedBatch(db, phiReadEvents(reads));
  };
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = (...args: never[]) => collectPhiReads(flush, () => fn(...args));
  }
  return wrapped as T;
}

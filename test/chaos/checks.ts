// What must hold after any chaos run: nothing lost (every process completed), nothing doubled (one patient per
// onboarding at the EMR, one adjudication per claim submission at the payer, one send per message), and an
// intact audit chain.
import { verifyAuditChain } from '../../db/audit/verify.js';
import { SUBMITTER } from './harness.js';
import type { JourneyResult, JourneyStack } from './journeys.js';

export interface Violation {
  what: string;
  detail: string;
}

/**
 * `opts.scope`: a visibility clause (e.g. `TaskQueue = "…"`) limiting the namespace-wide checks to the run's own
 * processes, when the namespace is shared with other tests (the cluster run).
 */
export async function checkInvariants(
  h: JourneyStack,
  results: JourneyResult[],
  opts: { scope?: string } = {},
): Promise<Violation[]> {
  const scoped = (query: string) => (opts.scope ? `(${query}) AND ${opts.scope}` : query);
  const v: Violation[] = [];
  const sql = h.db.sql;

  // Every process the journeys started or caused ended COMPLETED; nothing anywhere failed or was terminated.
  for (const id of results.flatMap((r) => r.workflowIds)) {
    const d = await h.temporal.client.workflow.getHandle(id).describe();
    if (d.status.name !== 'COMPLETED')
      v.push({ what: 'process not completed', detail: `${id}: ${d.status.name}` });
  }
  for await (const wf of h.temporal.client.workflow.list({
    query: scoped(
      'ExecutionStatus != "Running" AND ExecutionStatus != "Completed" AND ExecutionStatus != "ContinuedAsNew"',
    ),
  })) {
    v.push({ what: 'process ended badly', detail: `${wf.workflowId}: ${wf.status.name}` });
  }

  // No process of a kind that must end is still running: nothing was started twice and left behind.
  for await (const wf of h.temporal.client.workflow.list({
    query: scoped(
      'ExecutionStatus = "Running" AND (WorkflowType = "patientOnboarding" OR WorkflowType = "claimSubmission")',
    ),
  })) {
    v.push({ what: 'process left running', detail: wf.workflowId });
  }

  // The EMR holds each onboarded patient exactly once.
  for (const r of results.filter((x) => x.kind === 'onboarding')) {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from sandbox_emr.patients where our_patient_id = ${r.patientId}`;
    if (row?.n !== 1) v.push({ what: 'EMR patient count', detail: `${r.patientId}: ${row?.n}` });
  }

  // The payer adjudicated each claim once per deliberate submission (original + replacements), and every
  // receipt was a distinct submission (a re-sent interchange is not a receipt).
  for (const r of results.filter((x) => x.claim)) {
    const c = r.claim!;
    const rows = await h.payerSql<{ version: number; receipts: number }[]>`
      select version, receipts from sandbox_payer.claims
      where sender_id = ${SUBMITTER} and patient_control_number = ${c.pcn}`;
    const ours = await sql<{ submissions: number }[]>`select submissions from claims where id = ${c.claimId}`;
    const want = c.expectedVersions;
    if (rows.length !== 1 || rows[0]!.version !== want || rows[0]!.receipts !== want)
      v.push({ what: 'payer claim submissions', detail: `${c.pcn}: ${JSON.stringify(rows)} want ${want}` });
    if (ours[0]?.submissions !== want)
      v.push({ what: 'our submission count', detail: `${c.claimId}: ${ours[0]?.submissions} want ${want}` });
  }

  // Each message sent once: no send left half-done, each sent message is one outbox entry and vice versa, and
  // each onboarding sent exactly what its process says it sent.
  const [stuck] = await sql<{ n: number }[]>`
    select count(*)::int as n from messages where direction = 'outbound' and status = 'sending'`;
  if (stuck?.n !== 0) v.push({ what: 'messages stuck sending', detail: String(stuck?.n) });
  const [pairs] = await sql<{ sent: number; outbox: number; matched: number }[]>`
    select
      (select count(*)::int from messages where direction = 'outbound' and status in ('sent', 'delivered')) as sent,
      (select count(*)::int from sandbox.sandbox_outbox) as outbox,
      (select count(*)::int from messages m join sandbox.sandbox_outbox o
         on m.provider_message_id = 'sandbox-' || o.id::text) as matched`;
  if (!pairs || pairs.sent !== pairs.outbox || pairs.matched !== pairs.outbox)
    v.push({ what: 'messages vs outbox', detail: JSON.stringify(pairs) });
  for (const r of results.filter((x) => x.kind === 'onboarding')) {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from messages
      where patient_id = ${r.patientId} and direction = 'outbound' and status in ('sent', 'delivered')`;
    if (row?.n !== r.messagesSent)
      v.push({ what: 'messages per onboarding', detail: `${r.patientId}: ${row?.n} want ${r.messagesSent}` });
  }

  const audit = await verifyAuditChain(h.db.db);
  if (!audit.ok || audit.checked === 0) v.push({ what: 'audit chain', detail: JSON.stringify(audit) });
  return v;
}

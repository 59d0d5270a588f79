// The payer's answers to a claim: 277CA acknowledgements and 835 remittances, read from the clearinghouse
// mailbox into `payer.inbound_claim_items` (one row per claim and kind) and handed to each claim by CLM01.
import { and, asc, eq, gt } from 'drizzle-orm';
import { inboundClaimItems } from '../../connectors/payer/db/schema.js';
import type { InboundFile } from '../../connectors/payer/types.js';
import type { GroupCode } from '../../domain/denials/types.js';
import { balanceRemittance } from '../../domain/remittance/balance.js';
import { rethrowAsPayerFailure, type ClaimActivityDeps } from './deps.js';
import type { ClaimInbound, ClaimPaymentSummary } from './types.js';

/** An 835 CAS adjustment as the claim process reads it. */
function asAdjustment(cas: { group: string; reasonCode: string; amountCents: number }) {
  return { group: cas.group as GroupCode, carc: cas.reasonCode, amountCents: cas.amountCents };
}

/** One mailbox file as rows of `payer.inbound_claim_items`: per claim, its last acknowledgement and payment. */
function inboundItems(mailbox: string, file: InboundFile): (typeof inboundClaimItems.$inferInsert)[] {
  const byKey = new Map<string, typeof inboundClaimItems.$inferInsert>();
  const put = (pcn: string, kind: 'acknowledgement' | 'payment', summary: unknown): void => {
    byKey.set(`${pcn}\u0000${kind}`, {
      mailbox,
      fileCursor: Number(file.cursor),
      patientControlNumber: pcn,
      kind,
      summary,
    });
  };
  for (const ack of file.acknowledgements)
    put(ack.patientControlNumber, 'acknowledgement', {
      accepted: ack.accepted,
      ...(ack.statusCode ? { statusCode: ack.statusCode } : {}),
      ...(ack.payerClaimNumber ? { payerClaimNumber: ack.payerClaimNumber } : {}),
      ...(ack.providerStatuses?.length
        ? {
            providerStatusCodes: ack.providerStatuses.map((p) =>
              [p.categoryCode, p.statusCode, p.entity].filter((x) => x !== undefined).join(':'),
            ),
          }
        : {}),
    });
  for (const remit of file.remittances) {
    // Balanced as a whole (BPR02 = ΣCLP04 − ΣPLB, each claim and line): an unbalanced 835 is not posted.
    const balance = balanceRemittance(remit);
    for (const claimPayment of remit.claims) {
      const adjustments = [
        ...claimPayment.adjustments,
        ...claimPayment.services.flatMap((s) => s.adjustments),
      ].map(asAdjustment);
      const payment: ClaimPaymentSummary = {
        paymentTrace: `${remit.trace.referenceId}:${claimPayment.payerClaimControlNumber ?? ''}`,
        statusCode: claimPayment.statusCode,
        paidCents: claimPayment.paidCents,
        patientResponsibilityCents: claimPayment.patientResponsibilityCents ?? 0,
        ...(claimPayment.payerClaimControlNumber
          ? { payerClaimNumber: claimPayment.payerClaimControlNumber }
          : {}),
        adjustments,
        remarkCodes: [
          ...claimPayment.claimRemarkCodes,
          ...claimPayment.services.flatMap((s) => s.remarkCodes),
        ],
        submittedModifiers: Object.fromEntries(
          claimPayment.services.map((s) => [s.procedure.code, s.procedure.modifiers]),
        ),
        lines: claimPayment.services.map((service, i) => ({
          index: i + 1,
          code: service.procedure.code,
          submittedModifiers: [...service.procedure.modifiers],
          chargeCents: service.chargeCents,
          paidCents: service.paidCents,
          adjustments: service.adjustments.map(asAdjustment),
          remarkCodes: [...service.remarkCodes],
        })),
        balance: {
          balanced: balance.balanced,
          imbalances: balance.imbalances.map((b) => b.message),
          providerAdjustments: balance.providerAdjustments.map(
            (a) => `${a.reasonCode} (${a.meaning}) ${a.amountCents}`,
          ),
        },
      };
      put(claimPayment.patientControlNumber, 'payment', payment);
    }
  }
  return [...byKey.values()];
}

export function createResponseActivities(deps: Pick<ClaimActivityDeps, 'db' | 'payer'>) {
  return {
    /**
     * The newest acknowledgement and payment for this claim that arrived after `cursor`. The poll first moves
     * what waits in the clearinghouse mailbox into `payer.inbound_claim_items` and acknowledges those files (they
     * leave the listing: stored before acknowledged, so a crash in between only downloads them again), then
     * reads this claim's rows by CLM01. Its cost follows what is waiting, not every file the mailbox ever held.
     * The cursor is the mailbox cursor of the newest file seen for this claim (mailbox cursors only grow).
     */
    async pollClaimResponses(patientControlNumber: string, cursor?: string): Promise<ClaimInbound> {
      const after = cursor ?? '0';
      const batch = await deps.payer.fetchInbound().catch(rethrowAsPayerFailure);
      const rows = batch.files.flatMap((f) => inboundItems(batch.mailbox, f));
      if (rows.length > 0) await deps.db.insert(inboundClaimItems).values(rows).onConflictDoNothing();
      if (batch.files.length > 0)
        await deps.payer.acknowledgeInbound(batch.files.map((f) => f.cursor)).catch(rethrowAsPayerFailure);
      const mine = await deps.db
        .select({
          fileCursor: inboundClaimItems.fileCursor,
          kind: inboundClaimItems.kind,
          summary: inboundClaimItems.summary,
        })
        .from(inboundClaimItems)
        .where(
          and(
            eq(inboundClaimItems.mailbox, batch.mailbox),
            eq(inboundClaimItems.patientControlNumber, patientControlNumber),
            gt(inboundClaimItems.fileCursor, Number(after)),
          ),
        )
        .orderBy(asc(inboundClaimItems.fileCursor));
      const out: ClaimInbound = { cursor: after };
      for (const item of mine) {
        out.cursor = String(item.fileCursor);
        if (item.kind === 'acknowledgement')
          out.acknowledgement = item.summary as NonNullable<ClaimInbound['acknowledgement']>;
        else out.payment = item.summary as ClaimPaymentSummary;
      }
      return out;
    },
  };
}

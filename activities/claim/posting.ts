// Posting what the payer decided on the claim mirror, and billing the patient's share. Postings are idempotent
// per 835 payment trace.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { claimRemittances, claims } from '../../db/schema.js';
import type { ClaimActivityDeps } from './deps.js';
import type { ClaimPaymentSummary } from './types.js';

export function createPostingActivities(deps: Pick<ClaimActivityDeps, 'db' | 'statements'>) {
  return {
    /** Posts one 835 payment on the claim (once per payment trace). */
    async postRemittance(
      claimId: string,
      payment: ClaimPaymentSummary,
      status: string,
      opts: { replacesEarlierPayment?: boolean } = {},
    ): Promise<void> {
      await deps.db.transaction(async (tx) => {
        const inserted = await tx
          .insert(claimRemittances)
          .values({
            id: randomUUID(),
            claimId,
            paymentTrace: payment.paymentTrace,
            claimStatusCode: payment.statusCode,
            paidCents: payment.paidCents,
            patientResponsibilityCents: payment.patientResponsibilityCents,
            adjustments: payment.adjustments,
          })
          .onConflictDoNothing()
          .returning({ id: claimRemittances.id });
        if (inserted.length === 0) return; // already posted: a retried activity changes nothing
        await tx
          .update(claims)
          .set({
            status,
            // A replacement's 835 re-adjudicates the whole claim (the payer reverses the original): it supersedes.
            paidCents: opts.replacesEarlierPayment
              ? payment.paidCents
              : sql`${claims.paidCents} + ${payment.paidCents}`,
            patientResponsibilityCents: payment.patientResponsibilityCents,
            ...(payment.payerClaimNumber ? { payerClaimNumber: payment.payerClaimNumber } : {}),
            updatedAt: new Date(),
          })
          .where(eq(claims.id, claimId));
      });
    },

    /** A held claim the biller closed (timely filing expired, a duplicate): off the timely-filing sweep. */
    async writeOffHeldClaim(claimId: string): Promise<void> {
      await deps.db
        .update(claims)
        .set({ status: 'written_off', updatedAt: new Date() })
        .where(and(eq(claims.id, claimId), inArray(claims.status, ['held', 'rejected'])));
    },

    /** The patient's statement for their share; `sent: false` when no messaging is configured. */
    async sendPatientStatement(req: {
      claimId: string;
      practiceId: string;
      patientId: string;
      amountCents: number;
    }): Promise<{ sent: boolean }> {
      if (!deps.statements) return { sent: false };
      await deps.statements.sendStatement({ ...req, messageId: `claim:${req.claimId}:statement` });
      return { sent: true };
    },
  };
}

// The `claims` mirror row of a claim process: written when a claim is held or submitted, so the timely-filing
// sweep and the console see it with its date of service.
import { activityInfo } from '@temporalio/activity';
import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { claimCodings, claims } from '../../db/schema.js';
import { workflowId as workflowIdOf } from '../../domain/ids.js';
import type { Claim } from '../../domain/model/claim.js';
import type { ClaimCase, PreparedClaim } from './types.js';

/** The claim's date of service for timely filing: its earliest line date (Part B: the line "From" date). */
function serviceDateOf(claim: Claim): string | null {
  return claim.lines.map((line) => line.dos).sort()[0] ?? null;
}

/** The columns a held and a submitted claim share. */
function claimRow(claimCase: ClaimCase, prepared: Pick<PreparedClaim, 'claim' | 'chargeCents'>) {
  return {
    id: claimCase.claimId,
    practiceId: claimCase.practiceId,
    patientId: claimCase.patientId,
    visitId: prepared.claim.visitId,
    payerId: prepared.claim.payerId,
    serviceDate: serviceDateOf(prepared.claim),
    patientControlNumber: claimCase.patientControlNumber,
    frequency: prepared.claim.frequency,
    chargeCents: prepared.chargeCents,
  };
}

/**
 * The claim's coding beside its mirror row (recon): diagnoses, lines and providers as coded, for the charge export
 * and the billing reconciliation. Rewritten on every mirror write, so a corrected claim shows its current lines.
 */
export async function mirrorClaimCoding(db: Database, claimCase: ClaimCase, claim: Claim): Promise<void> {
  const referringName = claimCase.parties.referringProvider;
  const referring = claim.referringProvider
    ? {
        npi: claim.referringProvider.npi,
        ...(referringName && referringName.npi === claim.referringProvider.npi
          ? {
              lastName: referringName.name,
              ...(referringName.firstName ? { firstName: referringName.firstName } : {}),
            }
          : {}),
      }
    : null;
  const row = {
    diagnoses: [...claim.diagnoses],
    placeOfService: claim.placeOfService,
    rendering: claim.renderingProvider ? { ...claim.renderingProvider } : null,
    referring,
    priorAuthNumber: claim.priorAuthNumber ?? null,
    originalClaimNumber: claim.originalClaimNumber ?? null,
    lines: claim.lines.map((l) => ({
      lineNumber: l.lineNumber,
      code: l.code,
      modifiers: [...l.modifiers],
      units: l.units,
      ...(l.minutes !== undefined ? { minutes: l.minutes } : {}),
      chargeCents: l.chargeCents,
      diagnosisPointers: [...l.diagnosisPointers],
      dos: l.dos,
    })),
    updatedAt: new Date(),
  };
  await db
    .insert(claimCodings)
    .values({ claimId: claimCase.claimId, practiceId: claimCase.practiceId, ...row })
    .onConflictDoUpdate({ target: claimCodings.claimId, set: row });
}

/**
 * A held claim was never filed and its timely-filing clock runs: the mirror shows it (with its date of service)
 * so the timely-filing sweep finds it. A claim the payer already has keeps its status.
 */
export async function mirrorHeldClaim(
  db: Database,
  claimCase: ClaimCase,
  prepared: Pick<PreparedClaim, 'claim' | 'chargeCents'>,
): Promise<void> {
  await db
    .insert(claims)
    .values({
      ...claimRow(claimCase, prepared),
      status: 'held',
      workflowId: activityInfo().workflowExecution?.workflowId ?? workflowIdOf('claim', claimCase.claimId),
    })
    .onConflictDoUpdate({
      target: claims.id,
      set: { status: 'held', serviceDate: serviceDateOf(prepared.claim), updatedAt: new Date() },
      setWhere: inArray(claims.status, ['held', 'rejected', 'submitted']),
    });
  await mirrorClaimCoding(db, claimCase, prepared.claim);
}

/**
 * A submission's outcome on the mirror. `keyPrefix` starts the idempotency keys of this claim's submission
 * envelopes: their number is the claim's number of submissions.
 */
export async function mirrorSubmittedClaim(
  db: Database,
  claimCase: ClaimCase,
  prepared: PreparedClaim,
  submission: { accepted: boolean; workflowId: string; keyPrefix: string },
): Promise<void> {
  const status = submission.accepted ? 'submitted' : 'rejected';
  await db
    .insert(claims)
    .values({ ...claimRow(claimCase, prepared), status, submissions: 1, workflowId: submission.workflowId })
    .onConflictDoUpdate({
      target: claims.id,
      set: {
        status,
        serviceDate: serviceDateOf(prepared.claim),
        frequency: prepared.claim.frequency,
        chargeCents: prepared.chargeCents,
        // Distinct submissions = distinct envelopes of this claim's submissions (one per submitClaim activity,
        // however often it was retried): exact whichever attempt died where, unlike a counter.
        submissions: sql`greatest(1, (select count(*)::int from payer.submission_envelopes
          where idempotency_key like ${`${submission.keyPrefix}%`}))`,
        updatedAt: new Date(),
      },
    });
  await mirrorClaimCoding(db, claimCase, prepared.claim);
}

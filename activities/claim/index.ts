// Claim side effects (DESIGN §2.3). Coding and scrubbing run here rather than in the workflow although they are
// pure: rule data (fees, NCCI, thresholds) changes with deployments, and a replayed workflow must not re-code
// with newer rules. Submission is idempotent by CLM01; inbound 277CA/835 are read from the payer mailbox;
// postings are idempotent per 835 payment trace.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { claimContext } from '../../domain/care/episode.js';
import type { PlanOfCareStatus } from '../../workflows/plan-of-care/messages.js';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { inboundClaimItems } from '../../connectors/payer/db/schema.js';
import type { ClaimParties, InboundFile, PayerConnector } from '../../connectors/payer/types.js';
import { emrErrorToFailure } from '../../connectors/emr/failure.js';
import type { Emr } from '../../connectors/emr/types.js';
import { payerErrorToFailure } from '../../connectors/payer/failure.js';
import type { Database } from '../../db/connection.js';
import { createPractitionerRepository } from '../../db/repositories/practitioners.js';
import { claimRemittances, claims } from '../../db/schema.js';
import { workflowId } from '../../domain/ids.js';
import { prepareAttempt } from '../../domain/claims/prepare.js';
import { routeDenial, type DenialDecision } from '../../domain/denials/route.js';
import { routeLineDenials, type LineDenialPlan, type RemitLine } from '../../domain/denials/lines.js';
import { balanceRemittance } from '../../domain/remittance/balance.js';
import type { GroupCode } from '../../domain/denials/types.js';
import type { Claim } from '../../domain/model/claim.js';
import type { Finding } from '../../domain/model/finding.js';
import { VisitSchema, type VisitInput } from '../../domain/model/visit.js';
import { payerProfileOn } from '../../domain/rules/payers.js';

/** Everything one claim needs. PHI (member, names) travels only in encrypted payloads. */
export interface ClaimCase {
  claimId: string;
  practiceId: string;
  patientId: string;
  visit: VisitInput;
  parties: ClaimParties;
  /** CLM01, stable for the life of the claim (replacements keep it). */
  patientControlNumber: string;
  priorAuthNumber?: string;
  /**
   * The episode's authorization was answered "not required" (by the payer's 278, or by staff after asking it):
   * the scrubber does not hold the claim for a missing authorization or number.
   */
  authorizationNotRequired?: boolean;
  /** Allowed PT+SLP amount already accrued this year at this payer (for KX). */
  kxAccruedAllowedCents?: number;
  /** The plan-of-care process of the episode: its certification and progress-report state hold the claim. */
  planOfCareWorkflowId?: string;
}

/** What the plan-of-care process tells the scrubber (its `status` query's claimContext). */
export type EpisodeContext = ReturnType<typeof claimContext>;

/** What differs between the original claim and a corrected replacement. */
export interface ClaimAttempt {
  number: number;
  frequency: '1' | '7';
  originalClaimNumber?: string;
  /** Modifiers a denial fix adds, per procedure code. */
  addModifiers?: Record<string, string[]>;
  priorAuthNumber?: string;
}

export interface PreparedClaim {
  claim: Claim;
  findings: Finding[];
  submittable: boolean;
  chargeCents: number;
}

export interface ClaimPaymentSummary {
  paymentTrace: string;
  statusCode: string;
  paidCents: number;
  patientResponsibilityCents: number;
  payerClaimNumber?: string;
  adjustments: { group: GroupCode; carc: string; amountCents: number }[];
  remarkCodes: string[];
  /** Modifiers per procedure code as the payer received them (for CO-4 routing). */
  submittedModifiers: Record<string, string[]>;
  /** The 835's service lines (SVC loops) with their own adjustments and remarks (line-level denials). */
  lines?: RemitLine[];
  /** Whether the whole 835 transaction balances (BPR02, every claim, every line); imbalances named, no PHI. */
  balance?: { balanced: boolean; imbalances: string[]; providerAdjustments: string[] };
}

export interface ClaimInbound {
  cursor?: string;
  acknowledgement?: {
    accepted: boolean;
    statusCode?: string;
    payerClaimNumber?: string;
    /** Provider-level (277CA loop 2200C) reasons, e.g. "A3:562:85" = billing NPI invalid. */
    providerStatusCodes?: string[];
  };
  payment?: ClaimPaymentSummary;
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
    for (const cp of remit.claims) {
      const adjustments = [...cp.adjustments, ...cp.services.flatMap((s) => s.adjustments)].map((a) => ({
        group: a.group as GroupCode,
        carc: a.reasonCode,
        amountCents: a.amountCents,
      }));
      const payment: ClaimPaymentSummary = {
        paymentTrace: `${remit.trace.referenceId}:${cp.payerClaimControlNumber ?? ''}`,
        statusCode: cp.statusCode,
        paidCents: cp.paidCents,
        patientResponsibilityCents: cp.patientResponsibilityCents ?? 0,
        ...(cp.payerClaimControlNumber ? { payerClaimNumber: cp.payerClaimControlNumber } : {}),
        adjustments,
        remarkCodes: [...cp.claimRemarkCodes, ...cp.services.flatMap((s) => s.remarkCodes)],
        submittedModifiers: Object.fromEntries(
          cp.services.map((s) => [s.procedure.code, s.procedure.modifiers]),
        ),
        lines: cp.services.map((s, i) => ({
          index: i + 1,
          code: s.procedure.code,
          submittedModifiers: [...s.procedure.modifiers],
          chargeCents: s.chargeCents,
          paidCents: s.paidCents,
          adjustments: s.adjustments.map((a) => ({
            group: a.group as GroupCode,
            carc: a.reasonCode,
            amountCents: a.amountCents,
          })),
          remarkCodes: [...s.remarkCodes],
        })),
        balance: {
          balanced: balance.balanced,
          imbalances: balance.imbalances.map((b) => b.message),
          providerAdjustments: balance.providerAdjustments.map(
            (a) => `${a.reasonCode} (${a.meaning}) ${a.amountCents}`,
          ),
        },
      };
      put(cp.patientControlNumber, 'payment', payment);
    }
  }
  return [...byKey.values()];
}

/** Sends the patient a statement (composition root: messaging connector + the patient's contact). */
export interface PatientStatementPort {
  sendStatement(req: {
    messageId: string;
    practiceId: string;
    patientId: string;
    claimId: string;
    amountCents: number;
  }): Promise<void>;
}

/** The claim's date of service for timely filing: its earliest line date (Part B: the line "From" date). */
function serviceDateOf(claim: Claim): string | null {
  return claim.lines.map((l) => l.dos).sort()[0] ?? null;
}

function fail(err: unknown): never {
  throw payerErrorToFailure(err);
}

export function createClaimActivities(deps: {
  db: Database;
  payer: PayerConnector;
  /** Reads the plan-of-care process's state (a query) for the scrubber. */
  temporal?: Client;
  /** Absent when no messaging is configured: the workflow then hands the statement to a biller. */
  statements?: PatientStatementPort;
  /** The EMR: a rendering NPI the directory lacks is looked up among its Practitioners and synced. */
  emr?: Pick<Emr, 'findPractitioner'>;
}) {
  const directory = createPractitionerRepository(deps.db);
  const renderingName = async (
    practiceId: string,
    npi: string,
    billingNpi: string,
  ): Promise<{ renderingProviderName?: { lastName: string; firstName?: string } }> => {
    if (npi === billingNpi) return {};
    let entry = await directory.findActive(practiceId, npi);
    if (!entry && deps.emr?.findPractitioner) {
      // Not in the directory yet: the EMR's Practitioner resource is its source (synced, then read back, so
      // an admin's row and an inactive one keep their say).
      const found = await deps.emr.findPractitioner(npi).catch((err: unknown) => {
        throw emrErrorToFailure(err);
      });
      if (found) {
        await directory.syncFromEmr(practiceId, [found]);
        entry = await directory.findActive(practiceId, npi);
      }
    }
    if (!entry) return {};
    return {
      renderingProviderName: {
        lastName: entry.lastName,
        ...(entry.firstName ? { firstName: entry.firstName } : {}),
      },
    };
  };

  return {
    /** The episode's certification and progress-report facts, read from its plan-of-care process. */
    async planOfCareContext(planOfCareWorkflowId: string): Promise<EpisodeContext> {
      if (!deps.temporal) {
        throw ApplicationFailure.nonRetryable(
          'No Temporal client is configured for activities.',
          'ConnectorNotConfigured',
        );
      }
      // By name: activities do not depend on workflow modules, only on their types.
      const status = await deps.temporal.workflow
        .getHandle(planOfCareWorkflowId)
        .query<PlanOfCareStatus>('status');
      return status.claimContext;
    },

    async prepareClaim(
      c: ClaimCase,
      attempt: ClaimAttempt,
      asOf: string,
      episode?: EpisodeContext,
    ): Promise<PreparedClaim> {
      const parsed = VisitSchema.safeParse(c.visit);
      if (!parsed.success)
        throw ApplicationFailure.nonRetryable('The visit does not match the schema.', 'InvalidVisit');
      const visit = parsed.data;
      const profile = payerProfileOn(visit.payerId, visit.dos);
      if (!profile)
        throw ApplicationFailure.nonRetryable('No payer profile for the date of service.', 'UnknownPayer');
      const { claim, findings, submittable, chargeCents } = prepareAttempt({
        claimId: c.claimId,
        patientControlNumber: c.patientControlNumber,
        visit,
        profile,
        billingProvider: { npi: c.parties.billingProvider.npi, taxId: c.parties.billingProvider.taxId },
        ...(c.parties.referringProvider ? { referringNpi: c.parties.referringProvider.npi } : {}),
        ...(c.priorAuthNumber ? { priorAuthNumber: c.priorAuthNumber } : {}),
        ...(c.kxAccruedAllowedCents !== undefined ? { kxAccruedAllowedCents: c.kxAccruedAllowedCents } : {}),
        attempt,
        asOf,
        ...(episode ? { episode } : {}),
        // 2010BA: the scrubber holds a claim whose subscriber has no address (SUBSCRIBER_ADDRESS_MISSING).
        subscriber: c.parties.subscriber.address ? { address: c.parties.subscriber.address } : {},
        // 2310B: the name comes from the practitioner directory (RENDERING_PROVIDER_UNKNOWN without one).
        ...(await renderingName(c.practiceId, visit.renderingNpi, c.parties.billingProvider.npi)),
        ...(c.authorizationNotRequired ? { authorizationNotRequired: true } : {}),
      });
      // A held claim was never filed and its timely-filing clock runs: the mirror shows it (with its date of
      // service) so the timely-filing sweep finds it. A claim the payer already has keeps its status.
      if (!submittable) {
        await deps.db
          .insert(claims)
          .values({
            id: c.claimId,
            practiceId: c.practiceId,
            patientId: c.patientId,
            visitId: claim.visitId,
            payerId: claim.payerId,
            serviceDate: serviceDateOf(claim),
            patientControlNumber: c.patientControlNumber,
            status: 'held',
            frequency: claim.frequency,
            chargeCents,
            workflowId: activityInfo().workflowExecution?.workflowId ?? workflowId('claim', c.claimId),
          })
          .onConflictDoUpdate({
            target: claims.id,
            set: { status: 'held', serviceDate: serviceDateOf(claim), updatedAt: new Date() },
            setWhere: inArray(claims.status, ['held', 'rejected', 'submitted']),
          });
      }
      return { claim, findings, submittable, chargeCents };
    },

    async submitClaim(
      c: ClaimCase,
      prepared: PreparedClaim,
      workflowId: string,
    ): Promise<{ accepted: boolean; errorCodes: string[] }> {
      // Activities are at-least-once: a worker may die after the payer got the 837 and before this attempt
      // is reported. The key is the same for every attempt of this activity (workflow run + activity id,
      // WF-2), so a retry re-sends the identical interchange and the payer files the claim once.
      const info = activityInfo();
      const run = info.workflowExecution;
      const keyPrefix = `claim:${run?.workflowId ?? workflowId}:`;
      const idempotencyKey = `${keyPrefix}${run?.runId ?? ''}:${info.activityId}`;
      const result = await deps.payer
        .submitClaim({ claim: prepared.claim, parties: c.parties, idempotencyKey })
        .catch(fail);
      await deps.db
        .insert(claims)
        .values({
          id: c.claimId,
          practiceId: c.practiceId,
          patientId: c.patientId,
          visitId: prepared.claim.visitId,
          payerId: prepared.claim.payerId,
          serviceDate: serviceDateOf(prepared.claim),
          patientControlNumber: c.patientControlNumber,
          status: result.accepted ? 'submitted' : 'rejected',
          frequency: prepared.claim.frequency,
          chargeCents: prepared.chargeCents,
          submissions: 1,
          workflowId,
        })
        .onConflictDoUpdate({
          target: claims.id,
          set: {
            status: result.accepted ? 'submitted' : 'rejected',
            serviceDate: serviceDateOf(prepared.claim),
            frequency: prepared.claim.frequency,
            chargeCents: prepared.chargeCents,
            // Distinct submissions = distinct envelopes of this claim's submissions (one per submitClaim activity,
            // however often it was retried): exact whichever attempt died where, unlike a counter.
            submissions: sql`greatest(1, (select count(*)::int from payer.submission_envelopes
              where idempotency_key like ${`${keyPrefix}%`}))`,
            updatedAt: new Date(),
          },
        });
      return { accepted: result.accepted, errorCodes: result.errorCodes };
    },

    /**
     * The newest acknowledgement and payment for this claim that arrived after `cursor`. The poll first moves
     * what waits in the clearinghouse mailbox into `payer.inbound_claim_items` and acknowledges those files (they
     * leave the listing: stored before acknowledged, so a crash in between only downloads them again), then
     * reads this claim's rows by CLM01. Its cost follows what is waiting, not every file the mailbox ever held.
     * The cursor is the mailbox cursor of the newest file seen for this claim (mailbox cursors only grow).
     */
    async pollClaimResponses(patientControlNumber: string, cursor?: string): Promise<ClaimInbound> {
      const after = cursor ?? '0';
      const batch = await deps.payer.fetchInbound().catch(fail);
      const rows = batch.files.flatMap((f) => inboundItems(batch.mailbox, f));
      if (rows.length > 0) await deps.db.insert(inboundClaimItems).values(rows).onConflictDoNothing();
      if (batch.files.length > 0)
        await deps.payer.acknowledgeInbound(batch.files.map((f) => f.cursor)).catch(fail);
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

    /** Route a denial with the domain table (in an activity: the table is effective-dated data). */
    async routeClaimDenial(
      payment: ClaimPaymentSummary,
      ctx: {
        payerId: string;
        dos: string;
        expectedModifiers: string[];
        authNumberOnFile?: string;
        attempts: number;
        maxAttempts: number;
      },
    ): Promise<DenialDecision & { carc: string; group: GroupCode; reopening?: boolean }> {
      const denial =
        payment.adjustments.find((a) => a.group !== 'PR' && a.carc !== '45') ?? payment.adjustments[0];
      if (!denial)
        throw ApplicationFailure.nonRetryable('A denied claim carries no adjustment.', 'InvalidRemittance');
      const submitted = [...new Set(Object.values(payment.submittedModifiers).flat())];
      // Whether a frequency-7 replacement is possible is payer policy (Medicare reopens instead).
      const profile = payerProfileOn(ctx.payerId, ctx.dos);
      const decision = routeDenial({
        group: denial.group,
        carc: denial.carc,
        rarcs: payment.remarkCodes,
        date: ctx.dos,
        context: {
          expectedModifiers: ctx.expectedModifiers,
          submittedModifiers: submitted,
          ...(ctx.authNumberOnFile ? { authNumberOnFile: ctx.authNumberOnFile } : {}),
          attempts: ctx.attempts,
          maxAttempts: ctx.maxAttempts,
          acceptsReplacementClaims: profile?.acceptsReplacementClaims ?? false,
        },
      });
      // A correctable denial at a payer that takes no replacement claims: the reopening path, never a dead end.
      const reopening =
        decision.fix !== undefined &&
        decision.rule !== undefined &&
        profile?.acceptsReplacementClaims === false &&
        ctx.attempts < ctx.maxAttempts &&
        ['add_modifiers', 'set_prior_auth_number', 'correct_field'].includes(decision.fix.kind);
      return { ...decision, carc: denial.carc, group: denial.group, ...(reopening ? { reopening } : {}) };
    },

    /**
     * Route every denied line of a remittance claim on its own (domain/denials/lines.ts) against the facts on
     * file: the authorization on record, documented medical necessity (a plan of care that passed the
     * scrubber), the line's own modifiers and the payer's dated replacement policy.
     */
    async routeClaimLines(
      payment: ClaimPaymentSummary,
      ctx: {
        payerId: string;
        dos: string;
        expectedModifiersByCode: Record<string, string[]>;
        authNumberOnFile?: string;
        necessityDocumented: boolean;
        attempts: number;
        maxAttempts: number;
      },
    ): Promise<LineDenialPlan & { correctedClaimMethod: 'replacement_claim' | 'reopening' }> {
      const profile = payerProfileOn(ctx.payerId, ctx.dos);
      if (!profile)
        throw ApplicationFailure.nonRetryable('No payer profile for the date of service.', 'UnknownPayer');
      const plan = routeLineDenials(payment.lines ?? [], {
        date: ctx.dos,
        expectedModifiersByCode: ctx.expectedModifiersByCode,
        ...(ctx.authNumberOnFile ? { authNumberOnFile: ctx.authNumberOnFile } : {}),
        necessityDocumented: ctx.necessityDocumented,
        therapyThresholdKx: profile.therapyThresholdKx,
        acceptsReplacementClaims: profile.acceptsReplacementClaims,
        attempts: ctx.attempts,
        maxAttempts: ctx.maxAttempts,
      });
      return { ...plan, correctedClaimMethod: profile.correctedClaimMethod };
    },

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

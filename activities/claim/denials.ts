// Routing a denial with the domain's tables (in an activity: the tables are effective-dated data, and a replayed
// workflow must not route with newer rows): the whole claim by its first denying adjustment, or line by line.
import { ApplicationFailure } from '@temporalio/activity';
import { routeDenial, type DenialDecision } from '../../domain/denials/route.js';
import { routeLineDenials, type LineDenialPlan } from '../../domain/denials/lines.js';
import type { GroupCode } from '../../domain/denials/types.js';
import { payerProfileOn } from '../../domain/rules/payers.js';
import type { ClaimPaymentSummary } from './types.js';

export function createDenialActivities() {
  return {
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
  };
}

import { z } from 'zod';
import { IsoDateSchema, CentsSchema } from './common.js';

/** How the payer counts timed units: CMS total time, AMA substantial portion, or either (practice picks). */
export const UnitMethodSchema = z.enum(['CMS_TOTAL_TIME', 'AMA_SPM', 'EITHER']);
export type UnitMethod = z.infer<typeof UnitMethodSchema>;

export const SecondaryConflictSchema = z.enum(['DEFER_TO_PRIMARY', 'ALWAYS_CMS']);

export const AuthRuleSchema = z.object({
  required: z.boolean(),
  /** Evaluations exempt (authorization needed from the first follow-up visit) or authorization before it. */
  requiredFrom: z.enum(['before_evaluation', 'after_evaluation']).default('after_evaluation'),
  scope: z.enum(['visits', 'units', 'visits_and_units', 'dates']).default('visits'),
  /** Short-form / same-day path: up to N visits within W weeks without clinical review [P8]. */
  fastLane: z.object({ maxVisits: z.number().int().min(1), withinWeeks: z.number().int().min(1) }).optional(),
  /** A request is "initial" after a gap of this many days (new patient / new condition also count) [P8]. */
  initialRequestGapDays: z.number().int().min(1).optional(),
  /** Standard/urgent decision windows (CMS-0057-F for MA from 2026) [P1]. */
  decisionWindowDays: z.number().int().min(1).optional(),
  decisionWindowUrgentHours: z.number().int().min(1).optional(),
});
export type AuthRule = z.infer<typeof AuthRuleSchema>;

export const TimelyFilingSchema = z.discriminatedUnion('kind', [
  /** Medicare: received within one calendar year of the DOS; Feb 29 → Feb 28 [R40]. */
  z.object({ kind: z.literal('calendar_year') }),
  /** Commercial: per contract, commonly 90/180/365 days [D2]. */
  z.object({ kind: z.literal('days'), days: z.number().int().min(1) }),
]);
export type TimelyFiling = z.infer<typeof TimelyFilingSchema>;

export const PayerProfileSchema = z.object({
  payerId: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(['medicare_part_b', 'medicare_advantage', 'medicaid', 'commercial']),
  effectiveFrom: IsoDateSchema,
  effectiveTo: IsoDateSchema.nullable(),
  source: z.string(),
  verify: z.string().optional(),
  unitMethod: UnitMethodSchema,
  /** For EITHER: what the practice bills by default. */
  defaultUnitMethod: z.enum(['CMS_TOTAL_TIME', 'AMA_SPM']).optional(),
  secondaryConflict: SecondaryConflictSchema.default('DEFER_TO_PRIMARY'),
  /** Deterministic tie-break when CMS total-time units could go to either code: earlier codes here win. */
  codePriority: z.array(z.string()).default([]),
  auth: AuthRuleSchema,
  /** Treatment days between progress reports; null = payer has no rule [R36]. */
  progressReportIntervalTreatmentDays: z.number().int().min(1).nullable(),
  requiresPocCertification: z.boolean(),
  referringProviderRequired: z.boolean(),
  timelyFiling: TimelyFilingSchema,
  /** Days before the filing deadline at which the scrubber starts warning. */
  timelyFilingWarningDays: z.number().int().min(0).default(30),
  /** Accepts 837P frequency 7/8 replacements; Medicare MACs generally expect reopenings (VERIFY per MAC). */
  acceptsReplacementClaims: z.boolean(),
  correctedClaimMethod: z.enum(['replacement_claim', 'reopening']),
  /** Appeal (redetermination) window in days from the initial determination. */
  appealWindowDays: z.number().int().min(1).nullable(),
  /** Medicare therapy threshold: KX above it, TMR exposure reported [R15, R18]. */
  therapyThresholdKx: z.boolean(),
  /** CQ modifier required for PTA-furnished services (Medicare since 2020) [R21]. */
  requiresAssistantModifier: z.boolean(),
  appliesNcci: z.boolean(),
  appliesMue: z.boolean(),
  /** Discipline modifier GP/GO/GN required on therapy lines [R11]. */
  requiresDisciplineModifier: z.boolean(),
  /** Covers dry needling (20560/20561)? Medicare does not [R20]. */
  coversDryNeedling: z.boolean(),
  copayCents: CentsSchema.nullable(),
  /** Plan visit cap per calendar year (surfaces as PR-119/PR-198 when exceeded) [D6]. */
  annualVisitLimit: z.number().int().min(1).nullable(),
  maxTimedUnitsPerVisit: z.number().int().min(1).nullable(),
});
export type PayerProfile = z.infer<typeof PayerProfileSchema>;
export type PayerProfileInput = z.input<typeof PayerProfileSchema>;

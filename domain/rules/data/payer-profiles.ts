// The three payer profiles the engine and the sandbox payer know: each payer's unit method, timely filing,
// corrected-claim method and prior-authorization rule.
// Payer policy changes whenever the payer says so: each change is a new effective-dated row.
import { PayerProfileSchema, type PayerProfile, type PayerProfileInput } from '../../model/payer-profile.js';

export const MEDICARE_PART_B = 'medicare-part-b';
export const MEDICARE_ADVANTAGE_FASTLANE = 'ma-fastlane';
export const COMMERCIAL_AMA = 'commercial-ama';

const medicare: PayerProfileInput = {
  payerId: MEDICARE_PART_B,
  name: 'Medicare Part B',
  kind: 'medicare_part_b',
  effectiveFrom: '2021-01-01',
  effectiveTo: null,
  source: 'R1, R11, R15, R21, R30, R36, R40',
  verify:
    'Corrected-claim method per MAC (reopening vs frequency 7); redetermination window 120 days (domain-rules §14)',
  unitMethod: 'CMS_TOTAL_TIME',
  auth: { required: false },
  progressReportIntervalTreatmentDays: 10,
  requiresPocCertification: true,
  referringProviderRequired: true,
  timelyFiling: { kind: 'calendar_year' },
  acceptsReplacementClaims: false,
  correctedClaimMethod: 'reopening',
  appealWindowDays: 120,
  therapyThresholdKx: true,
  requiresAssistantModifier: true,
  appliesNcci: true,
  appliesMue: true,
  requiresDisciplineModifier: true,
  coversDryNeedling: false,
  copayCents: null,
  annualVisitLimit: null,
  maxTimedUnitsPerVisit: null,
};

// UHC-style Medicare Advantage plan: PA for follow-up visits since 2024-09-01 (evaluations exempt); up to 6
// follow-up visits without clinical review from 2025-01-13; short portal form for ≤ 6 visits over 8 weeks
// since March 2025 [P8, P10, P11]. CMS-0057-F decision windows from 2026 [P1].
const maBase: Omit<PayerProfileInput, 'effectiveFrom' | 'effectiveTo' | 'auth' | 'source'> = {
  payerId: MEDICARE_ADVANTAGE_FASTLANE,
  name: 'Medicare Advantage (auth required, 6-visit fast lane)',
  kind: 'medicare_advantage',
  verify: 'Unit method, CQ and timely-filing limit per plan contract (WebPT defaults MA to CMS units)',
  unitMethod: 'CMS_TOTAL_TIME',
  progressReportIntervalTreatmentDays: 10,
  requiresPocCertification: false,
  referringProviderRequired: true,
  timelyFiling: { kind: 'days', days: 365 },
  acceptsReplacementClaims: true,
  correctedClaimMethod: 'replacement_claim',
  appealWindowDays: 65,
  therapyThresholdKx: false,
  requiresAssistantModifier: true,
  appliesNcci: true,
  appliesMue: true,
  requiresDisciplineModifier: true,
  coversDryNeedling: false,
  copayCents: 2_000,
  annualVisitLimit: null,
  maxTimedUnitsPerVisit: null,
};

const commercial: PayerProfileInput = {
  payerId: COMMERCIAL_AMA,
  name: 'Commercial plan (AMA units, copay)',
  kind: 'commercial',
  effectiveFrom: '2021-01-01',
  effectiveTo: null,
  source: 'R4, D2, D6',
  unitMethod: 'AMA_SPM',
  auth: { required: false },
  progressReportIntervalTreatmentDays: null,
  requiresPocCertification: false,
  referringProviderRequired: false,
  timelyFiling: { kind: 'days', days: 90 },
  acceptsReplacementClaims: true,
  correctedClaimMethod: 'replacement_claim',
  appealWindowDays: 180,
  therapyThresholdKx: false,
  requiresAssistantModifier: false,
  appliesNcci: true,
  appliesMue: false,
  requiresDisciplineModifier: true,
  coversDryNeedling: true,
  copayCents: 3_000,
  annualVisitLimit: 20,
  maxTimedUnitsPerVisit: null,
};

// The plan's authorization rule in every period: follow-up visits need one (evaluations exempt), and a
// request counts as initial after a 90-day gap [P8].
const maFollowUpAuth = {
  required: true,
  requiredFrom: 'after_evaluation',
  scope: 'visits',
  initialRequestGapDays: 90,
} as const;
// Up to 6 follow-up visits within 8 weeks without clinical review (from 2025-01-13) [P11, P8].
const maFastLane = { maxVisits: 6, withinWeeks: 8 };

const INPUTS: readonly PayerProfileInput[] = [
  medicare,
  { ...maBase, effectiveFrom: '2024-09-01', effectiveTo: '2025-01-12', source: 'P10', auth: maFollowUpAuth },
  {
    ...maBase,
    effectiveFrom: '2025-01-13',
    effectiveTo: '2025-02-28',
    source: 'P11',
    auth: { ...maFollowUpAuth, fastLane: maFastLane },
  },
  {
    ...maBase,
    effectiveFrom: '2025-03-01',
    effectiveTo: '2025-12-31',
    source: 'P8',
    verify: 'Exact March 2025 start date of the short portal form (P8 says "since March 2025")',
    auth: { ...maFollowUpAuth, fastLane: maFastLane },
  },
  {
    ...maBase,
    effectiveFrom: '2026-01-01',
    effectiveTo: null,
    source: 'P8, P1',
    // CMS-0057-F decision windows: 7 days standard, 72 hours urgent [P1].
    auth: { ...maFollowUpAuth, fastLane: maFastLane, decisionWindowDays: 7, decisionWindowUrgentHours: 72 },
  },
  commercial,
];

export const PAYER_PROFILES: readonly PayerProfile[] = INPUTS.map((input) => PayerProfileSchema.parse(input));

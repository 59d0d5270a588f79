// No dead ends: for every finding code that holds a claim, supplying the data it names clears it and the claim
// becomes submittable, through the same coding + scrubbing the claim activity runs (domain/claims/prepare.ts).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyCorrection,
  CLEARED_BY,
  clearingDetails,
  clearingFields,
  correctionFromTaskOutcome,
  type ClaimCorrectionData,
  type CorrectableCase,
} from '../../../domain/claims/corrections.js';
import { prepareAttempt, type PrepareInput } from '../../../domain/claims/prepare.js';
import { FEE_SCHEDULES, SEEDED_DEMO_PRACTICE_ID } from '../../../domain/rules/data/fee-schedules.js';
import { THERAPY_THRESHOLDS } from '../../../domain/rules/data/therapy-thresholds.js';
import { sampleVisits } from '../../../bench/billing.js';
import { VisitSchema, type VisitInput } from '../../../domain/model/visit.js';
import { payerProfileOn } from '../../../domain/rules/payers.js';

const ASOF = '2026-03-03';
type Case = CorrectableCase & { visit: VisitInput; parties: CorrectableCase['parties'] };

function baseCase(visit: Partial<VisitInput> = {}, referring = true): Case {
  return {
    visit: {
      id: 'visit-1',
      practiceId: SEEDED_DEMO_PRACTICE_ID,
      patientId: 'patient-1',
      payerId: 'medicare-part-b',
      dos: '2026-03-02',
      renderingNpi: '1987654328',
      interventions: [
        { code: '97110', minutes: 30, furnishedBy: 'PT' },
        { code: '97112', minutes: 15, furnishedBy: 'PT' },
      ],
      diagnoses: ['M54.50'],
      totalTreatmentMinutes: 45,
      ...visit,
    },
    parties: referring ? { referringProvider: { name: 'NGUYEN', npi: '1679576722' } } : {},
    kxAccruedAllowedCents: 0,
  };
}

function prepare(
  c: Case,
  episode?: PrepareInput['episode'],
  renderingName?: PrepareInput['renderingProviderName'],
  more: Partial<Pick<PrepareInput, 'asOf' | 'rules'>> = {},
) {
  const visit = VisitSchema.parse(c.visit);
  const profile = payerProfileOn(visit.payerId, visit.dos);
  if (!profile) throw new Error('no profile');
  const r = prepareAttempt({
    claimId: 'claim-1',
    patientControlNumber: 'PT1',
    visit,
    profile,
    billingProvider: { npi: '1234567893', taxId: '123456789' },
    ...(c.parties.referringProvider ? { referringNpi: c.parties.referringProvider.npi } : {}),
    ...(c.priorAuthNumber ? { priorAuthNumber: c.priorAuthNumber } : {}),
    ...(c.kxAccruedAllowedCents !== undefined ? { kxAccruedAllowedCents: c.kxAccruedAllowedCents } : {}),
    attempt: { frequency: '1' },
    asOf: ASOF,
    ...(episode ? { episode } : {}),
    ...(c.parties.subscriber ? { subscriber: c.parties.subscriber } : {}),
    ...(renderingName ? { renderingProviderName: renderingName } : {}),
    ...more,
  });
  return { ...r, holding: r.findings.filter((f) => f.severity === 'error').map((f) => f.code) };
}

interface FixCase {
  code: string;
  held: Case;
  fix: ClaimCorrectionData;
  /** The same fix as a fix_claim task outcome (flat record), when it can be expressed that way. */
  outcome?: Record<string, string | number | boolean>;
}

const ninetySeven = [{ code: '97110', minutes: 30, furnishedBy: 'PT' as const }];
const CASES: FixCase[] = [
  {
    code: 'SUBSCRIBER_ADDRESS_MISSING',
    // Rendered by the billing NPI itself, so the directory plays no part here.
    held: {
      ...baseCase({ renderingNpi: '1234567893' }),
      parties: { ...baseCase().parties, subscriber: {} },
    },
    fix: { subscriberAddress: { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' } },
    outcome: {
      subscriberAddressLine1: '12 ELM ST',
      subscriberCity: 'SPRINGFIELD',
      subscriberState: 'IL',
      subscriberPostalCode: '62701',
    },
  },
  {
    code: 'REFERRING_PROVIDER_MISSING',
    held: baseCase({}, false),
    fix: { referringProvider: { name: 'NGUYEN', firstName: 'LINDA', npi: '1679576722' } },
    outcome: {
      referringProviderNpi: '1679576722',
      referringProviderName: 'NGUYEN',
      referringProviderFirstName: 'LINDA',
    },
  },
  {
    code: 'NPI_INVALID',
    held: baseCase({ renderingNpi: '1234567890' }),
    fix: { renderingNpi: '1987654328' },
    outcome: { renderingNpi: '1987654328' },
  },
  {
    code: 'DIAGNOSIS_MISSING',
    held: baseCase({ diagnoses: [] }),
    fix: { diagnoses: ['M54.50'] },
    outcome: { diagnoses: 'M54.50' },
  },
  {
    code: 'POINTER_MISSING',
    held: baseCase({ diagnoses: [] }),
    fix: { diagnoses: ['M54.50'] },
    outcome: { diagnoses: 'M54.50' },
  },
  {
    code: 'ICD10_FORMAT_INVALID',
    held: baseCase({ diagnoses: ['XYZ'] }),
    fix: { diagnoses: ['M54.50'] },
    outcome: { diagnoses: 'm54.50' },
  },
  {
    code: 'TOO_MANY_DIAGNOSES',
    held: baseCase({
      diagnoses: [
        'M54.50',
        'M54.51',
        'M54.59',
        'M25.511',
        'M25.512',
        'M25.561',
        'M25.562',
        'M79.601',
        'M79.602',
        'M62.81',
        'R26.2',
        'R26.89',
        'M54.2',
      ],
    }),
    fix: { diagnoses: ['M54.50', 'M54.51'] },
    outcome: { diagnoses: 'M54.50, M54.51' },
  },
  {
    code: 'UNKNOWN_CODE',
    held: baseCase({
      interventions: [{ code: '99999', minutes: 30, furnishedBy: 'PT' }],
      totalTreatmentMinutes: 30,
    }),
    fix: { interventions: ninetySeven },
  },
  {
    code: 'NO_LINES',
    held: baseCase({
      interventions: [{ code: '97110', minutes: 5, furnishedBy: 'PT' }],
      totalTreatmentMinutes: 5,
    }),
    fix: { interventions: ninetySeven, totalTreatmentMinutes: 30 },
  },
  {
    code: 'RETIRED_FLR_CODE',
    held: baseCase({
      interventions: [
        { code: 'G8978', minutes: 0, furnishedBy: 'PT' },
        { code: '97110', minutes: 30, furnishedBy: 'PT' },
      ],
      totalTreatmentMinutes: 30,
    }),
    fix: { interventions: ninetySeven },
  },
  {
    code: 'ASSISTANT_NOT_PERMITTED',
    held: baseCase({
      payerId: 'commercial-ama',
      interventions: [{ code: '97161', minutes: 30, furnishedBy: 'PTA' }],
    }),
    fix: { interventions: [{ code: '97161', minutes: 30, furnishedBy: 'PT' }] },
  },
  {
    code: 'MINUTES_EXCEED_TREATMENT_TIME',
    held: baseCase({ totalTreatmentMinutes: 30 }),
    fix: { totalTreatmentMinutes: 45 },
    outcome: { totalTreatmentMinutes: 45 },
  },
  {
    code: 'NON_COVERED_WITHOUT_ABN',
    held: baseCase({
      interventions: [
        { code: '20560', minutes: 10, furnishedBy: 'PT' },
        { code: '97110', minutes: 30, furnishedBy: 'PT' },
      ],
      totalTreatmentMinutes: 40,
    }),
    fix: { interventions: ninetySeven, totalTreatmentMinutes: 30 },
  },
  {
    code: 'NCCI_BYPASS_UNDOCUMENTED',
    held: baseCase({
      interventions: [
        { code: '97164', minutes: 30, furnishedBy: 'PT' },
        { code: '97530', minutes: 30, furnishedBy: 'PT' },
      ],
      totalTreatmentMinutes: 60,
    }),
    fix: {
      distinctServices: [
        {
          code: '97164',
          modifier: 'XU',
          confirmedBy: 'therapist-1',
          documentation: 'separate, non-overlapping time',
        },
      ],
    },
  },
  {
    code: 'NCCI_PTP_UNRESOLVED',
    held: baseCase({
      interventions: [
        { code: '97164', minutes: 30, furnishedBy: 'PT' },
        { code: '97530', minutes: 30, furnishedBy: 'PT' },
      ],
      totalTreatmentMinutes: 60,
    }),
    fix: {
      distinctServices: [
        {
          code: '97164',
          modifier: 'XU',
          confirmedBy: 'therapist-1',
          documentation: 'separate, non-overlapping time',
        },
      ],
    },
  },
  {
    code: 'AUTH_MISSING',
    held: baseCase({ payerId: 'ma-fastlane' }),
    fix: { priorAuthNumber: 'AUTH-1' },
    outcome: { priorAuthNumber: 'AUTH-1' },
  },
  {
    // 97001 (PT evaluation) was replaced by 97161–97163 on 2017-01-01.
    code: 'CODE_NOT_VALID_ON_DOS',
    held: baseCase({
      interventions: [{ code: '97001', minutes: 30, furnishedBy: 'PT' }],
      totalTreatmentMinutes: 30,
    }),
    fix: { interventions: [{ code: '97161', minutes: 30, furnishedBy: 'PT' }] },
  },
  {
    code: 'IMPOSSIBLE_MINUTES',
    held: baseCase({
      interventions: [{ code: '97110', minutes: 1500, furnishedBy: 'PT' }],
      totalTreatmentMinutes: 1500,
    }),
    fix: { interventions: ninetySeven, totalTreatmentMinutes: 30 },
  },
  {
    // 97165 is an occupational-therapy evaluation; the visit is physical therapy.
    code: 'DISCIPLINE_MISMATCH',
    held: baseCase({
      interventions: [{ code: '97165', minutes: 30, furnishedBy: 'PT' }],
      totalTreatmentMinutes: 30,
    }),
    fix: { interventions: [{ code: '97161', minutes: 30, furnishedBy: 'PT' }] },
  },
  {
    // 97760 is in the code table but not in the demo practice's fee schedule (the rule-data way out is tested below).
    code: 'FEE_MISSING',
    held: baseCase({
      interventions: [{ code: '97760', minutes: 30, furnishedBy: 'PT' }],
      totalTreatmentMinutes: 30,
    }),
    fix: { interventions: ninetySeven },
  },
  {
    code: 'CHARGE_NOT_POSITIVE',
    held: baseCase({
      interventions: [{ code: '97760', minutes: 30, furnishedBy: 'PT' }],
      totalTreatmentMinutes: 30,
    }),
    fix: { interventions: ninetySeven },
  },
];

describe('every finding that holds a claim names the data that clears it', () => {
  it('every error finding the coder and the scrubber can raise has an entry in CLEARED_BY', () => {
    const dirs = ['domain/scrubber', 'domain/billing'];
    // Error findings: `'CODE',\n 'error'` in the finding(...) calls.
    const codes = new Set<string>();
    for (const dir of dirs) {
      for (const f of fs.readdirSync(dir)) {
        const src = fs.readFileSync(path.join(dir, f), 'utf8');
        for (const m of src.matchAll(/'([A-Z][A-Z0-9_]+)',\s*'error'/g)) codes.add(m[1]!);
        // checkAuth builds its error findings from a table of codes.
        if (f === 'episode.ts') for (const m of src.matchAll(/^\s+'(AUTH_[A-Z0-9_]+)',$/gm)) codes.add(m[1]!);
      }
    }
    expect(codes.size).toBeGreaterThan(30);
    expect([...codes].filter((c) => !(c in CLEARED_BY))).toEqual([]);
  });

  it('the fix_claim task details name the fields per finding, within the worklist limits', () => {
    const d = clearingDetails(['REFERRING_PROVIDER_MISSING', 'AUTH_MISSING']);
    expect(Object.values(d)).toEqual([
      'REFERRING_PROVIDER_MISSING: referringProvider',
      'AUTH_MISSING: priorAuthNumber',
    ]);
    for (const k of Object.keys(d)) expect(k).toMatch(/^[a-zA-Z][a-zA-Z0-9]{0,39}$/);
  });

  for (const c of CASES) {
    it(`${c.code}: held, then ${clearingFields(c.code).join(' / ')} supplied → the claim proceeds`, () => {
      const before = prepare(c.held);
      expect(before.holding).toContain(c.code);
      expect(before.submittable).toBe(false);
      for (const k of Object.keys(c.fix)) expect(clearingFields(c.code)).toContain(k);
      const after = prepare(applyCorrection(c.held, c.fix));
      expect(after.holding).toEqual([]);
      expect(after.submittable).toBe(true);
      if (c.outcome) {
        // The same fix through the fix_claim task's outcome.
        const parsed = correctionFromTaskOutcome(c.outcome);
        expect(parsed.invalid).toEqual([]);
        expect(prepare(applyCorrection(c.held, parsed.data)).submittable).toBe(true);
      }
    });
  }

  it('POC_CERTIFICATION_LATE and PROGRESS_REPORT_OVERDUE clear when the plan of care records the signature / report', () => {
    const c = baseCase();
    const unsigned = {
      poc: { firstTreatmentDate: '2026-01-02' },
      progress: { treatmentDays: ['2026-01-02'], progressReports: [] },
    };
    expect(prepare(c, unsigned).holding).toEqual(['POC_CERTIFICATION_LATE']);
    expect(clearingFields('POC_CERTIFICATION_LATE')).toEqual(['planOfCare']);
    expect(prepare(c, { ...unsigned, poc: { ...unsigned.poc, signedDate: '2026-01-05' } }).submittable).toBe(
      true,
    );
    const days = [
      '2026-02-02',
      '2026-02-03',
      '2026-02-04',
      '2026-02-05',
      '2026-02-06',
      '2026-02-09',
      '2026-02-10',
      '2026-02-11',
      '2026-02-12',
      '2026-02-13',
      '2026-02-16',
    ];
    const overdue = {
      poc: { firstTreatmentDate: '2026-02-02', signedDate: '2026-02-03' },
      progress: { treatmentDays: days, progressReports: [] as string[] },
    };
    expect(prepare(c, overdue).holding).toEqual(['PROGRESS_REPORT_OVERDUE']);
    expect(
      prepare(c, { ...overdue, progress: { ...overdue.progress, progressReports: ['2026-02-16'] } })
        .submittable,
    ).toBe(true);
  });

  it('RENDERING_PROVIDER_UNKNOWN clears once the directory names the practitioner (re-checked on the next pass)', () => {
    const address = { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' };
    const held = { ...baseCase(), parties: { ...baseCase().parties, subscriber: { address } } };
    expect(prepare(held).holding).toContain('RENDERING_PROVIDER_UNKNOWN');
    expect(clearingFields('RENDERING_PROVIDER_UNKNOWN')).toContain('practitionerDirectory');
    // Every coding pass reads the directory again: with the practitioner added, the same claim proceeds.
    const after = prepare(held, undefined, { lastName: 'NGUYEN', firstName: 'LINDA' });
    expect(after.holding).toEqual([]);
    expect(after.submittable).toBe(true);
  });

  it('TIMELY_FILING_EXPIRED cannot be corrected: the named way out is a write-off, also from the task', () => {
    expect(prepare(baseCase({ dos: '2024-01-02' })).holding).toEqual(['TIMELY_FILING_EXPIRED']);
    expect(clearingFields('TIMELY_FILING_EXPIRED')).toEqual(['writeOff']);
    expect(correctionFromTaskOutcome({ writeOff: true })).toEqual({ data: { writeOff: true }, invalid: [] });
  });

  it('a task outcome with bad or unknown fields names them and never echoes the values', () => {
    const r = correctionFromTaskOutcome({ referringProviderNpi: '12', diagnoses: 'not a code', colour: 'x' });
    expect(r.invalid.sort()).toEqual([
      'colour',
      'diagnoses',
      'referringProviderName',
      'referringProviderNpi',
    ]);
    expect(JSON.stringify(r)).not.toContain('not a code');
  });
});

/** Plan-of-care findings: held with the episode as recorded, cleared once the plan of care records what is missing. */
const EPISODE_CASES: {
  code: string;
  held: NonNullable<PrepareInput['episode']>;
  cleared: NonNullable<PrepareInput['episode']>;
}[] = [
  {
    // Treated from 2026-02-25, not yet signed, still inside the 30 days: the claim waits for the signature.
    code: 'POC_NOT_CERTIFIED',
    held: {
      poc: { firstTreatmentDate: '2026-02-25' },
      progress: { treatmentDays: ['2026-02-25'], progressReports: [] },
    },
    cleared: {
      poc: { firstTreatmentDate: '2026-02-25', signedDate: '2026-02-26' },
      progress: { treatmentDays: ['2026-02-25'], progressReports: [] },
    },
  },
  {
    // The certification interval from 2025-10-01 ended before the DOS: a signed recertification covers it.
    code: 'POC_RECERT_REQUIRED',
    held: {
      poc: { firstTreatmentDate: '2025-10-01', signedDate: '2025-10-03' },
      progress: { treatmentDays: ['2026-02-25'], progressReports: ['2026-02-20'] },
    },
    cleared: {
      poc: {
        firstTreatmentDate: '2025-10-01',
        signedDate: '2025-10-03',
        recertifications: [
          { signedDate: '2025-12-28', certifiedFrom: '2025-12-30', certifiedThrough: '2026-03-29' },
        ],
      },
      progress: { treatmentDays: ['2026-02-25'], progressReports: ['2026-02-20'] },
    },
  },
  {
    // The DOS is the 10th treatment day without a progress report: due today.
    code: 'PROGRESS_REPORT_DUE',
    held: {
      poc: { firstTreatmentDate: '2026-02-16', signedDate: '2026-02-17' },
      progress: {
        treatmentDays: [
          '2026-02-16',
          '2026-02-17',
          '2026-02-18',
          '2026-02-19',
          '2026-02-20',
          '2026-02-23',
          '2026-02-24',
          '2026-02-25',
          '2026-02-26',
          '2026-03-02',
        ],
        progressReports: [],
      },
    },
    cleared: {
      poc: { firstTreatmentDate: '2026-02-16', signedDate: '2026-02-17' },
      progress: {
        treatmentDays: [
          '2026-02-16',
          '2026-02-17',
          '2026-02-18',
          '2026-02-19',
          '2026-02-20',
          '2026-02-23',
          '2026-02-24',
          '2026-02-25',
          '2026-02-26',
          '2026-03-02',
        ],
        progressReports: ['2026-03-02'],
      },
    },
  },
];

/**
 * Codes in CLEARED_BY that the claim process cannot raise as it builds claims today, each with the reason. The
 * scrubber keeps them as guards (for claims built otherwise, and in case the coder changes); the audit below
 * fails when a code is neither exercised above nor listed here, and checks that none of these appears on the
 * claims of a few hundred varied visits.
 */
const NOT_RAISED_BY_THE_CLAIM_PROCESS: Record<string, string> = {
  PRACTICE_PROFILE_MISSING_NPI:
    'the API and the CLI refuse a practice NPI that fails the check digit; only a row written by hand can lack one',
  CERTIFIER_NOT_PERMITTED:
    'the claim process sends the referring NPI without a taxonomy kind, so a chiropractor/dentist certifier cannot be recognised',
  POINTER_TOO_MANY: 'the coder points every line at the first four diagnoses (1..4)',
  POINTER_OUT_OF_RANGE: 'the coder points every line at the first four diagnoses (1..4)',
  POINTER_DUPLICATE: 'the coder points every line at the first four diagnoses (1..4)',
  MIXED_DATES_OF_SERVICE: 'one claim per visit: every line carries the visit DOS',
  PLACE_OF_SERVICE_INVALID: 'the visit schema admits only a two-digit place of service',
  UNITS_NOT_POSITIVE: 'the coder keeps only lines with units',
  UNITS_NOT_SUPPORTED: "the coder's units come from the same documented minutes by the same method",
  TIMED_UNITS_EXCEED_TOTAL: "the coder's units come from the same documented minutes by the same method",
  MODIFIER_OVERFLOW: 'at most GP, CQ, KX and one 59/X modifier are drafted on a line: four',
  DISCIPLINE_MODIFIER_MISSING: 'the coder adds GP to every always-therapy line where the payer requires it',
  DISCIPLINE_MODIFIER_MULTIPLE: 'the coder adds one discipline modifier, the visit discipline',
  CQ_WITHOUT_GP: 'the coder adds CQ only beside the discipline modifier',
  KX_MISSING: 'the coder adds KX to every always-therapy line when its KX decision applies it',
  KX_NECESSITY_UNDOCUMENTED: 'the claim process does not pass a medical-necessity flag into the KX decision',
  BYPASS_MODIFIER_NOT_ALLOWED: 'the coder adds 59/X only to the column-2 line of an active indicator-1 pair',
  NCCI_PTP_NO_BYPASS:
    'the only indicator-0 pairs on file were in force 2020-01-01..24, before any payer profile on file',
  MUE_EXCEEDED: 'the coder caps units at the MUE (MUE_UNITS_CAPPED) before the scrubber sees them',
  AUTH_NUMBER_MISSING:
    'the claim is scrubbed against the number it carries, recorded as approved for its DOS',
  AUTH_NUMBER_NOT_ON_CLAIM:
    'the claim is scrubbed against the number it carries, recorded as approved for its DOS',
  AUTH_NOT_APPROVED: 'the claim is scrubbed against the number it carries, recorded as approved for its DOS',
  AUTH_OUTSIDE_WINDOW:
    'the claim is scrubbed against the number it carries, recorded as approved for its DOS',
  AUTH_VISITS_EXHAUSTED:
    'the claim is scrubbed against the number it carries, recorded as approved for its DOS',
  AUTH_UNITS_EXHAUSTED:
    'the claim is scrubbed against the number it carries, recorded as approved for its DOS',
  AUTH_CODE_NOT_AUTHORIZED:
    'the claim is scrubbed against the number it carries, recorded as approved for its DOS',
  POC_MISSING: 'without an episode the claim process drops it; an episode always carries its plan of care',
  DUPLICATE_CLAIM: 'the claim process passes no prior claims (one process per visit, by workflow id)',
  ORIGINAL_CLAIM_NUMBER_MISSING: "a replacement (frequency 7) is built only with the payer's claim number",
  REPLACEMENT_NOT_ACCEPTED: 'payers without replacement claims take the reopening path, never frequency 7',
};

describe('no dead ends: every finding code in CLEARED_BY is accounted for', () => {
  for (const c of EPISODE_CASES) {
    it(`${c.code}: held by the episode, proceeds once the plan of care records it (${clearingFields(c.code).join(' / ')})`, () => {
      const held = prepare(baseCase(), c.held);
      expect(held.holding).toEqual([c.code]);
      expect(clearingFields(c.code)).toContain('planOfCare');
      const after = prepare(baseCase(), c.cleared);
      expect(after.holding).toEqual([]);
      expect(after.submittable).toBe(true);
    });
  }

  it('KX_THRESHOLD_MISSING: a Medicare DOS in a year without a threshold row proceeds once the rule data carries it', () => {
    const c = baseCase({ dos: '2027-01-04' });
    expect(prepare(c, undefined, undefined, { asOf: '2027-01-05' }).holding).toEqual([
      'KX_THRESHOLD_MISSING',
    ]);
    // No accrual figure can stand in for the year's threshold: the named way out is the rule data.
    expect(clearingFields('KX_THRESHOLD_MISSING')).toEqual(['ruleData']);
    expect(
      prepare(applyCorrection(c, { kxAccruedAllowedCents: 0 }), undefined, undefined, { asOf: '2027-01-05' })
        .holding,
    ).toEqual(['KX_THRESHOLD_MISSING']);
    // A deployment with the year's row (an illustrative amount, not the published one): same claim, re-checked.
    const thresholds = [
      ...THERAPY_THRESHOLDS,
      {
        kind: 'kx' as const,
        amountCents: 250_000,
        effectiveFrom: '2027-01-01',
        effectiveTo: '2027-12-31',
        source: 'test',
      },
    ];
    const after = prepare(c, undefined, undefined, { asOf: '2027-01-05', rules: { thresholds } });
    expect(after.holding).toEqual([]);
    expect(after.submittable).toBe(true);
  });

  it('FEE_MISSING / CHARGE_NOT_POSITIVE: a code without a fee proceeds once the fee schedule carries it', () => {
    const c = baseCase({
      interventions: [{ code: '97760', minutes: 30, furnishedBy: 'PT' }],
      totalTreatmentMinutes: 30,
    });
    expect(prepare(c).holding.sort()).toEqual(['CHARGE_NOT_POSITIVE', 'FEE_MISSING']);
    expect(clearingFields('FEE_MISSING')).toContain('ruleData');
    expect(clearingFields('CHARGE_NOT_POSITIVE')).toContain('ruleData');
    const fees = [
      ...FEE_SCHEDULES,
      {
        practiceId: SEEDED_DEMO_PRACTICE_ID,
        payerId: '*',
        code: '97760',
        chargeCents: 9_000,
        expectedAllowedCents: null,
        effectiveFrom: '2026-01-01',
        effectiveTo: null,
        source: 'test',
      },
    ];
    const after = prepare(c, undefined, undefined, { rules: { fees } });
    expect(after.holding).toEqual([]);
    expect(after.submittable).toBe(true);
  });

  it('each code is exercised above (held, fix supplied, proceeds) or listed as not raised by the claim process', () => {
    const exercised = new Set([
      ...CASES.map((c) => c.code),
      ...EPISODE_CASES.map((c) => c.code),
      // Their own tests above.
      'POC_CERTIFICATION_LATE',
      'PROGRESS_REPORT_OVERDUE',
      'RENDERING_PROVIDER_UNKNOWN',
      'TIMELY_FILING_EXPIRED',
      'KX_THRESHOLD_MISSING',
      // Raised by the claim activity from the practice profile (not by the pure scrubber): held, then released
      // by completing the profile, in test/api/practice-setup.int.test.ts.
      'PRACTICE_PROFILE_MISSING_LEGAL_NAME',
      'PRACTICE_PROFILE_MISSING_TAX_ID',
      'PRACTICE_PROFILE_MISSING_SERVICE_ADDRESS',
      'PRACTICE_PROFILE_MISSING_PHONE',
    ]);
    const codes = Object.keys(CLEARED_BY);
    expect(codes.filter((c) => !exercised.has(c) && !(c in NOT_RAISED_BY_THE_CLAIM_PROCESS))).toEqual([]);
    expect(Object.keys(NOT_RAISED_BY_THE_CLAIM_PROCESS).filter((c) => exercised.has(c))).toEqual([]);
    expect(Object.keys(NOT_RAISED_BY_THE_CLAIM_PROCESS).filter((c) => !(c in CLEARED_BY))).toEqual([]);
  });

  it('none of the codes listed as not raised appears on the claims of 300 varied visits or of the held cases', () => {
    const seen = new Set<string>();
    const address = { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' };
    for (const v of sampleVisits(300)) {
      for (const kx of [0, 400_000]) {
        const c: Case = {
          visit: { ...v, renderingNpi: '1234567893' },
          parties: { referringProvider: { name: 'NGUYEN', npi: '1679576722' }, subscriber: { address } },
          priorAuthNumber: 'AUTH-1',
          kxAccruedAllowedCents: kx,
        };
        for (const f of prepare(c, undefined, undefined, { asOf: '2025-07-10' }).holding) seen.add(f);
      }
    }
    for (const c of [...CASES.map((x) => x.held), ...CASES.map((x) => applyCorrection(x.held, x.fix))])
      for (const f of prepare(c).holding) seen.add(f);
    expect([...seen].filter((c) => c in NOT_RAISED_BY_THE_CLAIM_PROCESS)).toEqual([]);
  });
});

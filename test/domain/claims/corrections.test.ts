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
import { SEEDED_DEMO_PRACTICE_ID } from '../../../domain/rules/data/fee-schedules.js';
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

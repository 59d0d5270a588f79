import { describe, it, expect } from 'vitest';
import { codeVisit } from '../../../domain/billing/code-visit.js';
import { buildClaim } from '../../../domain/billing/build-claim.js';
import { scrubClaim, type ScrubContext } from '../../../domain/scrubber/index.js';
import type { Claim } from '../../../domain/model/claim.js';
import { profile, visit } from '../helpers.js';

const medicare = profile('medicare-part-b');
const v = visit({
  patientId: 'PATIENT-CANARY-Jane-Doe-1970-01-01',
  interventions: [
    { code: '97110', minutes: 33, furnishedBy: 'PT' },
    { code: '97140', minutes: 7, furnishedBy: 'PT' },
  ],
});
const coded = codeVisit(v, { profile: medicare, kx: { accruedAllowedCents: 0 } });
const claim = buildClaim(v, coded, {
  id: 'claim-1',
  patientControlNumber: 'PCN-1',
  billingProvider: { npi: '1234567893' },
  referringProvider: { npi: '1245319599', taxonomyKind: 'physician' },
});

const ctx = (over: Partial<ScrubContext> = {}, claimOver: Partial<Claim> = {}): ScrubContext => ({
  claim: { ...claim, ...claimOver },
  profile: medicare,
  asOf: '2025-07-03',
  visit: v,
  poc: { firstTreatmentDate: '2025-06-20', signedDate: '2025-06-25' },
  progress: { treatmentDays: ['2025-06-20', '2025-06-24', '2025-06-27'], progressReports: [] },
  priorClaims: [],
  kxRequired: false,
  ...over,
});
const codes = (c: ScrubContext) => scrubClaim(c).findings.map((f) => f.code);

describe('scrubClaim', () => {
  it('a clean Medicare claim is submittable', () => {
    const r = scrubClaim(ctx());
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.submittable).toBe(true);
  });

  it('NPI check digits', () => {
    expect(codes(ctx({}, { billingProvider: { npi: '1234567890' } }))).toContain('NPI_INVALID');
  });

  it('referring/certifying provider present and allowed to certify', () => {
    const { referringProvider: _r, ...noRef } = claim;
    expect(codes(ctx({ claim: noRef }))).toContain('REFERRING_PROVIDER_MISSING');
    expect(
      codes(ctx({}, { referringProvider: { npi: '1245319599', taxonomyKind: 'chiropractor' } })),
    ).toContain('CERTIFIER_NOT_PERMITTED');
  });

  it('ICD-10 format and diagnosis pointers', () => {
    expect(codes(ctx({}, { diagnoses: ['5450'] }))).toContain('ICD10_FORMAT_INVALID');
    expect(codes(ctx({}, { diagnoses: [] }))).toEqual(
      expect.arrayContaining(['DIAGNOSIS_MISSING', 'POINTER_OUT_OF_RANGE']),
    );
    const bad = claim.lines.map((l, i) => ({ ...l, diagnosisPointers: i === 0 ? [] : [1, 1, 2, 3, 5] }));
    expect(codes(ctx({}, { lines: bad }))).toEqual(
      expect.arrayContaining([
        'POINTER_MISSING',
        'POINTER_TOO_MANY',
        'POINTER_OUT_OF_RANGE',
        'POINTER_DUPLICATE',
      ]),
    );
  });

  it('non-zero charges and GP on therapy lines', () => {
    const lines = claim.lines.map((l) => ({ ...l, chargeCents: 0, modifiers: [] }));
    expect(codes(ctx({}, { lines }))).toEqual(
      expect.arrayContaining(['CHARGE_NOT_POSITIVE', 'DISCIPLINE_MODIFIER_MISSING']),
    );
  });

  it('59/X only for an indicator-1 NCCI pair; unresolved pairs block', () => {
    const with59 = claim.lines.map((l) => ({ ...l, modifiers: [...l.modifiers, '59'] }));
    expect(codes(ctx({}, { lines: with59 }))).toContain('BYPASS_MODIFIER_NOT_ALLOWED');
    const ex3 = visit({
      interventions: [
        { code: '97161', minutes: 30, furnishedBy: 'PT' },
        { code: '97140', minutes: 10, furnishedBy: 'PT' },
      ],
    });
    const c3 = buildClaim(ex3, codeVisit(ex3, { profile: medicare, kx: { accruedAllowedCents: 0 } }), {
      id: 'c3',
      patientControlNumber: 'PCN-3',
      billingProvider: { npi: '1234567893' },
      referringProvider: { npi: '1245319599' },
    });
    expect(codes(ctx({ claim: c3, visit: ex3 }))).toContain('NCCI_PTP_UNRESOLVED');
  });

  it('billed units must be supported by the documented minutes; MUE; KX', () => {
    const inflated = claim.lines.map((l) => (l.code === '97110' ? { ...l, units: 4 } : l));
    expect(codes(ctx({}, { lines: inflated }))).toEqual(
      expect.arrayContaining(['UNITS_NOT_SUPPORTED', 'TIMED_UNITS_EXCEED_TOTAL']),
    );
    const overMue = claim.lines.map((l) => (l.code === '97110' ? { ...l, units: 7 } : l));
    expect(codes(ctx({ visit: undefined }, { lines: overMue }))).toContain('MUE_EXCEEDED');
    expect(codes(ctx({ kxRequired: true }))).toContain('KX_MISSING');
  });

  it('auth present when required and not exhausted (Medicare Advantage)', () => {
    const ma = profile('ma-fastlane');
    const base = ctx({ profile: ma }, { payerId: 'ma-fastlane' });
    expect(codes(base)).toContain('AUTH_MISSING');
    const auth = {
      number: 'AUTH-9',
      status: 'approved' as const,
      startDate: '2025-06-01',
      endDate: '2025-08-01',
      visitsAuthorized: 6,
    };
    expect(codes({ ...base, authorizations: [{ ...auth, visitsUsed: 6 }] })).toEqual(
      expect.arrayContaining(['AUTH_VISITS_EXHAUSTED', 'AUTH_NUMBER_NOT_ON_CLAIM']),
    );
    const ok = {
      ...base,
      claim: { ...base.claim, priorAuthNumber: 'AUTH-9' },
      authorizations: [{ ...auth, visitsUsed: 2 }],
    };
    expect(scrubClaim(ok).submittable).toBe(true);
  });

  it('POC certified (Medicare) and progress report not overdue', () => {
    expect(codes(ctx({ poc: undefined }))).toContain('POC_MISSING');
    expect(codes(ctx({ poc: { firstTreatmentDate: '2025-06-20' } }))).toContain('POC_NOT_CERTIFIED');
    const eleven = Array.from({ length: 10 }, (_, i) => `2025-06-${String(10 + i).padStart(2, '0')}`);
    expect(codes(ctx({ progress: { treatmentDays: eleven, progressReports: [] } }))).toContain(
      'PROGRESS_REPORT_OVERDUE',
    );
    // The commercial profile has neither rule.
    const commercial = ctx(
      { profile: profile('commercial-ama'), poc: undefined, progress: undefined },
      { payerId: 'commercial-ama' },
    );
    expect(codes(commercial)).not.toContain('POC_MISSING');
  });

  it('timely filing', () => {
    expect(codes(ctx({ asOf: '2026-07-02' }))).toContain('TIMELY_FILING_EXPIRED');
    expect(codes(ctx({ asOf: '2026-06-15' }))).toContain('TIMELY_FILING_NEAR');
  });

  it('duplicates against prior claims; a frequency-7 replacement of that claim is not a duplicate', () => {
    const prior = {
      claimId: 'claim-0',
      patientId: claim.patientId,
      payerId: claim.payerId,
      dos: '2025-07-01',
      status: 'paid' as const,
      frequency: '1' as const,
      payerClaimNumber: 'PAYER-77',
      lines: claim.lines,
    };
    expect(codes(ctx({ priorClaims: [prior] }))).toContain('DUPLICATE_CLAIM');
    const replacement = ctx(
      { priorClaims: [prior], profile: profile('commercial-ama') },
      { frequency: '7', originalClaimNumber: 'PAYER-77' },
    );
    expect(codes(replacement)).not.toContain('DUPLICATE_CLAIM');
  });

  it('replacement claims need REF*F8, and Medicare expects a reopening', () => {
    expect(codes(ctx({}, { frequency: '7' }))).toEqual(
      expect.arrayContaining(['ORIGINAL_CLAIM_NUMBER_MISSING', 'REPLACEMENT_NOT_ACCEPTED']),
    );
  });

  it('errors sort first; messages carry no PHI values', () => {
    const r = scrubClaim(
      ctx({ poc: undefined, asOf: '2026-08-01' }, { billingProvider: { npi: '1' }, diagnoses: ['bad'] }),
    );
    expect(r.submittable).toBe(false);
    const sev = r.findings.map((f) => f.severity);
    expect(
      [...sev].sort(
        (a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b),
      ),
    ).toEqual(sev);
    const text = JSON.stringify(r.findings);
    for (const secret of ['CANARY', 'Jane', '1970', 'PCN-1', '1234567893', '1245319599', 'bad']) {
      expect(text).not.toContain(secret);
    }
  });
});

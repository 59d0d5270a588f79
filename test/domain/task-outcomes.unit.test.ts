// What a task's completion form asks for (domain/task-outcomes.ts): a fix_claim task the correction fields its
// findings name — checked by the same parser the claim workflow applies to the outcome —, a phone verification
// whether the coverage is active, other kinds nothing; errors name the field and never echo a value.
import { describe, expect, it } from 'vitest';
import { correctionFromTaskOutcome } from '../../domain/claims/corrections.js';
import { outcomeFieldsFor, outcomeFromForm, RESOLVED_ELSEWHERE } from '../../domain/task-outcomes.js';

describe('task outcome forms', () => {
  it('a fix_claim task held for a missing referring provider asks for the provider (and offers a write-off)', () => {
    const fields = outcomeFieldsFor('fix_claim', { findings: 'REFERRING_PROVIDER_MISSING' });
    expect(fields.map((f) => [f.key, f.required])).toEqual([
      ['referringProviderNpi', true],
      ['referringProviderName', true],
      ['referringProviderFirstName', false],
      ['writeOff', false],
    ]);
    const ok = outcomeFromForm('fix_claim', fields, {
      referringProviderNpi: ' 1679576722 ',
      referringProviderName: 'Nguyen',
    });
    expect(ok.errors).toEqual({});
    expect(ok.outcome).toEqual({ referringProviderNpi: '1679576722', referringProviderName: 'Nguyen' });
    // What the form produces is exactly what the claim workflow accepts.
    expect(correctionFromTaskOutcome(ok.outcome)).toEqual({
      data: { referringProvider: { npi: '1679576722', name: 'Nguyen' } },
      invalid: [],
    });
  });

  it('names the missing and the invalid fields, never echoing a value', () => {
    const fields = outcomeFieldsFor('fix_claim', {
      findings: 'REFERRING_PROVIDER_MISSING,DIAGNOSIS_MISSING',
    });
    const bad = outcomeFromForm('fix_claim', fields, {
      referringProviderNpi: '12345',
      diagnoses: 'knee pain',
    });
    expect(bad.errors).toEqual({
      referringProviderName: 'Referring provider last name: enter a value.',
      referringProviderNpi: 'Referring provider NPI: the value is not valid (10 digits).',
      diagnoses: 'Diagnosis codes (ICD-10): the value is not valid (Comma-separated, e.g. M54.50, M51.26).',
    });
    expect(JSON.stringify(bad.errors)).not.toContain('knee pain');
    // A write-off needs no correction.
    expect(outcomeFromForm('fix_claim', fields, { writeOff: 'true' })).toEqual({
      outcome: { writeOff: true },
      errors: {},
    });
  });

  it('a finding with alternatives leaves its fields optional; no findings offer every correction field', () => {
    // An unknown finding is cleared by the diagnoses, the lines (not typeable here) or a write-off.
    const some = outcomeFieldsFor('fix_claim', { findings: 'SOMETHING_ELSE' });
    expect(some.map((f) => [f.key, f.required])).toEqual([
      ['diagnoses', false],
      ['writeOff', false],
    ]);
    expect(outcomeFromForm('fix_claim', some, {}).errors).toEqual({
      diagnoses: 'Diagnosis codes (ICD-10): enter a correction, or choose to write the claim off.',
    });
    const all = outcomeFieldsFor('fix_claim', {});
    expect(all.every((f) => !f.required)).toBe(true);
    expect(all.map((f) => f.key)).toContain('priorAuthNumber');
  });

  it('a phone verification asks whether the coverage is active (required) and whether auth is required', () => {
    const fields = outcomeFieldsFor('verify_eligibility_by_phone', { coverageId: 'x' });
    expect(outcomeFromForm('verify_eligibility_by_phone', fields, { coverageActive: 'yes' })).toEqual({
      outcome: { coverageActive: true },
      errors: {},
    });
    expect(
      outcomeFromForm('verify_eligibility_by_phone', fields, {
        coverageActive: 'maybe',
        authorizationRequired: 'no',
      }),
    ).toEqual({
      outcome: { authorizationRequired: false },
      errors: { coverageActive: 'Is the coverage active?: choose yes or no.' },
    });
  });

  it('a failed progress-report delivery offers the e-mail link instead of a retry (unchecked: retry)', () => {
    const fields = outcomeFieldsFor('progress_report_delivery_failed', { reportId: 'x' });
    expect(fields.map((f) => [f.key, f.type, f.required])).toEqual([['sendByEmailLink', 'checkbox', false]]);
    expect(outcomeFromForm('progress_report_delivery_failed', fields, { sendByEmailLink: 'on' })).toEqual({
      outcome: { sendByEmailLink: true },
      errors: {},
    });
    expect(outcomeFromForm('progress_report_delivery_failed', fields, {})).toEqual({
      outcome: {},
      errors: {},
    });
  });

  it('other kinds ask for nothing and complete with an empty outcome', () => {
    expect(outcomeFieldsFor('progress_report_due', {})).toEqual([]);
    expect(outcomeFromForm('progress_report_due', [], { anything: 'x' })).toEqual({
      outcome: {},
      errors: {},
    });
    // An insurance update resumes the onboarding through its coverage route, not the task: the page says so.
    expect(outcomeFieldsFor('update_insurance', {})).toEqual([]);
    expect(RESOLVED_ELSEWHERE.update_insurance).toContain('/v1/onboardings/{id}/coverage');
  });
});

describe('POC signature tasks resume their process with a date', () => {
  it('the escalation asks for the signature date; a malformed date is named, never echoed', () => {
    const fields = outcomeFieldsFor('poc_signature_escalation', {});
    expect(fields.map((f) => [f.key, f.required])).toEqual([['signedDate', true]]);
    expect(outcomeFromForm('poc_signature_escalation', fields, { signedDate: '2026-12-01' })).toEqual({
      outcome: { signedDate: '2026-12-01' },
      errors: {},
    });
    const bad = outcomeFromForm('poc_signature_escalation', fields, { signedDate: '12/01/2026' });
    expect(bad.errors.signedDate).toMatch(/^Date the physician signed: enter a date as YYYY-MM-DD\.$/);
    expect(outcomeFromForm('poc_signature_escalation', fields, {}).errors.signedDate).toMatch(
      /enter a value/,
    );
  });
  it('a failed delivery takes the date it went out another way, or the signature date; one of them is needed', () => {
    const fields = outcomeFieldsFor('poc_delivery_failed', {});
    expect(outcomeFromForm('poc_delivery_failed', fields, { sentDate: '2026-12-02' }).errors).toEqual({});
    expect(outcomeFromForm('poc_delivery_failed', fields, { signedDate: '2026-12-03' }).errors).toEqual({});
    expect(outcomeFromForm('poc_delivery_failed', fields, {}).errors.sentDate).toMatch(/or the date/);
  });
});

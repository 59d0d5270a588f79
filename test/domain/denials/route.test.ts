import { describe, it, expect } from 'vitest';
import { routeDenial } from '../../../domain/denials/route.js';
import { DENIAL_ROUTES } from '../../../domain/denials/table.js';
import { findOverlaps } from '../../../domain/core/effective.js';

const date = '2025-08-01';

describe('denial routing (domain-rules §9)', () => {
  it('PR-1/2/3 → bill the patient, automatically', () => {
    for (const carc of ['1', '2', '3']) {
      expect(routeDenial({ group: 'PR', carc, date })).toMatchObject({
        action: 'bill_patient',
        automatic: true,
      });
    }
  });
  it('CO-4 → corrected claim adding the missing modifier', () => {
    const d = routeDenial({
      group: 'CO',
      carc: '4',
      rarcs: ['N519'],
      date,
      context: { expectedModifiers: ['GP', 'KX'], submittedModifiers: ['KX'] },
    });
    expect(d).toMatchObject({
      action: 'resubmit_corrected',
      automatic: true,
      fix: { kind: 'add_modifiers', modifiers: ['GP'] },
    });
  });
  it('CO-4 when nothing is missing → human review', () => {
    expect(
      routeDenial({
        group: 'CO',
        carc: '4',
        date,
        context: { expectedModifiers: ['GP'], submittedModifiers: ['GP'] },
      }).action,
    ).toBe('human_review');
  });
  it('CO-15 → add the auth number on file', () => {
    expect(
      routeDenial({ group: 'CO', carc: '15', date, context: { authNumberOnFile: 'AUTH-1' } }).fix,
    ).toEqual({
      kind: 'set_prior_auth_number',
      number: 'AUTH-1',
    });
  });
  it('CO-16 + N286 → correct the referring provider; MA130 means a new claim', () => {
    const d = routeDenial({ group: 'CO', carc: '16', rarcs: ['MA130', 'N286'], date });
    expect(d).toMatchObject({
      action: 'resubmit_corrected',
      fix: { kind: 'correct_field', field: 'referringProvider.npi', newClaim: true },
      notAppealable: true,
    });
  });
  it('CO-18 → never resubmit, check the original', () => {
    expect(routeDenial({ group: 'CO', carc: '18', date })).toMatchObject({
      action: 'post_adjustment',
      fix: { kind: 'check_claim_status' },
    });
  });
  it('CO-27 / CO-109 / CO-22 → re-verify coverage', () => {
    for (const carc of ['22', '27', '109'])
      expect(routeDenial({ group: 'CO', carc, date }).action).toBe('reverify_coverage');
  });
  it('CO-29 → write off unless proof of timely filing', () => {
    expect(routeDenial({ group: 'CO', carc: '29', rarcs: ['N211'], date })).toMatchObject({
      action: 'write_off',
      notAppealable: true,
    });
    expect(
      routeDenial({ group: 'CO', carc: '29', date, context: { proofOfTimelyFiling: true } }).action,
    ).toBe('human_review');
  });
  it('CO-45 → post the contractual adjustment', () => {
    expect(routeDenial({ group: 'CO', carc: '45', date })).toMatchObject({
      action: 'post_adjustment',
      automatic: true,
    });
  });
  it('human review is mandatory for CO-50, CO-96, CO-167 and CO-198', () => {
    for (const carc of ['50', '96', '167', '198']) {
      expect(routeDenial({ group: 'CO', carc, date })).toMatchObject({ humanReview: true, automatic: false });
    }
    expect(routeDenial({ group: 'CO', carc: '50', date }).action).toBe('appeal');
  });
  it('CO-97: accept bundling unless indicator 1 with documented distinct service', () => {
    expect(routeDenial({ group: 'CO', carc: '97', date }).action).toBe('post_adjustment');
    const d = routeDenial({
      group: 'CO',
      carc: '97',
      date,
      context: { ncci: { indicator: '1', distinctServiceModifier: 'XS' } },
    });
    expect(d).toMatchObject({ action: 'resubmit_corrected', automatic: false, fix: { modifiers: ['XS'] } });
    expect(routeDenial({ group: 'CO', carc: '236', date }).rule?.verify).toBeDefined();
  });
  it('CO-119 → add KX when supported; PR-119 → a person', () => {
    expect(routeDenial({ group: 'CO', carc: '119', date, context: { kxSupported: true } }).fix).toEqual({
      kind: 'add_modifiers',
      modifiers: ['KX'],
    });
    expect(routeDenial({ group: 'PR', carc: '119', date }).action).toBe('human_review');
  });
  it('bounded automatic attempts, and payers without replacement claims go to a person', () => {
    const base = { group: 'CO' as const, carc: '4', date };
    const ctx = { expectedModifiers: ['GP'], submittedModifiers: [] };
    expect(routeDenial({ ...base, context: { ...ctx, attempts: 2 } })).toMatchObject({
      action: 'human_review',
      fix: { kind: 'add_modifiers' },
    });
    expect(routeDenial({ ...base, context: { ...ctx, acceptsReplacementClaims: false } }).action).toBe(
      'human_review',
    );
  });
  it('unknown codes and group CR → human review', () => {
    expect(routeDenial({ group: 'CO', carc: '999', date }).action).toBe('human_review');
    expect(routeDenial({ group: 'CR', carc: '45', date }).action).toBe('human_review');
  });
  it('a CO amount is never billed to the patient', () => {
    for (const r of DENIAL_ROUTES) {
      if (r.group !== 'CO') continue;
      expect(routeDenial({ group: 'CO', carc: r.carc, date }).action).not.toBe('bill_patient');
    }
  });
  it('the table has no overlapping rows', () => {
    expect(findOverlaps(DENIAL_ROUTES, (r) => `${r.group}-${r.carc}-${r.rarc ?? ''}`)).toEqual([]);
  });
});

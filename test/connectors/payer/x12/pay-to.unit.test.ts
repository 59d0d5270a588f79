// 2010AB pay-to address (issue 17: a practice whose payments go to a lockbox): generated after the billing
// provider's REF*EI as NM1*87 + N3/N4, parsed back into the same billing provider, and absent when the practice
// has none (the committed golden file keeps its bytes).
import { describe, expect, it } from 'vitest';
import { generate837P, parse837P, type Claim837Batch } from '../../../../connectors/payer/x12/index.js';
import { claimBatch, envelope, fixture } from './samples.js';

const payToAddress = { line1: 'PO BOX 1200', city: 'MADISON', state: 'WI', postalCode: '537011200' };

describe('837P 2010AB pay-to address', () => {
  const batch: Claim837Batch = {
    ...claimBatch,
    claims: claimBatch.claims.map((c) => ({ ...c, billingProvider: { ...c.billingProvider, payToAddress } })),
  };

  it('follows the billing provider and parses back to the same batch', () => {
    const x12 = generate837P(batch, envelope());
    const segments = x12.trim().split('~\n');
    const ei = segments.findIndex((s) => s.startsWith('REF*EI*'));
    expect(segments.slice(ei + 1, ei + 4)).toEqual(['NM1*87*2', 'N3*PO BOX 1200', 'N4*MADISON*WI*537011200']);
    expect(parse837P(x12)[0]).toEqual(batch);
  });

  it('is absent without one (the golden 837P is unchanged)', () => {
    expect(generate837P(claimBatch, envelope())).toBe(fixture('837p-generated.x12'));
    expect(generate837P(claimBatch, envelope())).not.toContain('NM1*87');
  });
});

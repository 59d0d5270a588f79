// Mapping between domain objects and X12 models, control-number arithmetic, and the sandbox's scenario and
// adjudication rules (every CARC of the domain denial table can be provoked).
import { describe, expect, it } from 'vitest';
import {
  InMemoryControlNumbers,
  MAX_CONTROL_NUMBER,
  nextControlNumber,
  transactionControlNumber,
} from '../../../connectors/payer/control-numbers.js';
import {
  claimFilingIndicator,
  fromAuthResponse278,
  fromEligibility271,
  statusCategory,
  toClaim837,
  x12Diagnosis,
} from '../../../connectors/payer/mapping.js';
import { adjudicate } from '../../../connectors/payer/sandbox/adjudicate.js';
import { planByX12Id } from '../../../connectors/payer/sandbox/plans.js';
import { scenarioCarcs, scenarioFor } from '../../../connectors/payer/sandbox/scenarios.js';
import { parse271, parse278Response } from '../../../connectors/payer/x12/index.js';
import { readFileSync } from 'node:fs';
import { payerProfileOn } from '../../../domain/rules/payers.js';
import { codedClaim, parties } from './fixtures.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/x12/${name}`, import.meta.url), 'utf8');

describe('control numbers', () => {
  it('increase per sender and wrap inside 1..999999999', async () => {
    expect(nextControlNumber(0)).toBe(1);
    expect(nextControlNumber(41)).toBe(42);
    expect(nextControlNumber(MAX_CONTROL_NUMBER)).toBe(1);
    const src = new InMemoryControlNumbers();
    const a = await src.next('A');
    const b = await src.next('A');
    const other = await src.next('B');
    expect(b.interchange).toBe(a.interchange + 1);
    expect(other).toEqual({ interchange: 1, group: 1 });
    expect(transactionControlNumber()).toBe('0001');
  });
});

describe('domain → 837P', () => {
  it('maps a coded Medicare claim line by line, with REF*6R keys, dot-less ICD-10 and MB filing', () => {
    const claim = codedClaim({ payerId: 'medicare-part-b', pcn: 'PCN-MAP-1', accruedAllowedCents: 300_000 });
    const profile = payerProfileOn('medicare-part-b', '2025-07-01')!;
    const x = toClaim837(
      claim,
      parties('MBR-1'),
      { payerId: 'medicare-part-b', x12PayerId: 'SBXMCR', name: 'MCR' },
      profile,
    );
    expect(x.claimFilingIndicator).toBe('MB');
    expect(x.diagnosisCodes).toEqual(['M5450']);
    expect(x.patientControlNumber).toBe('PCN-MAP-1');
    expect(x.totalChargeCents).toBe(claim.lines.reduce((s, l) => s + l.chargeCents, 0));
    expect(x.lines.map((l) => [l.procedureCode, l.modifiers, l.units, l.lineControlNumber])).toEqual(
      claim.lines.map((l) => [l.code, l.modifiers, l.units, `L${l.lineNumber}`]),
    );
    expect(x.referringProvider?.npi).toBe('1679576722');
    expect(x12Diagnosis('m54.50')).toBe('M5450');
    expect(claimFilingIndicator({ kind: 'commercial' })).toBe('CI');
  });
});

describe('X12 → connector results', () => {
  it('reads cost share, visit limit and auth hints from a 271', () => {
    const r = fromEligibility271(parse271(fixture('271-active.x12'))[0]!);
    expect(r.coverage).toBe('active');
    expect(r.copayCents).toBe(3_000);
    expect(r.coinsuranceBasisPoints).toBe(2_000);
    expect(r.deductibleCents).toBe(150_000);
    expect(r.deductibleRemainingCents).toBe(85_050);
    expect(r.visitLimit).toBe(20);
    expect(r.authorizationRequired).toBe(true);
  });

  it('reads the decision, auth number and visits from a 278 response', () => {
    const d = fromAuthResponse278(parse278Response(fixture('278-response-approved.x12'))[0]!);
    expect(d.status).toBe('approved');
    expect(d.authorizationNumber).toBe('AUTH778899');
    expect(d.visitsApproved).toBe(12);
    expect(d.period).toEqual({ from: '2025-07-01', to: '2025-08-25' });
  });

  it('classifies STC categories', () => {
    expect(statusCategory('F1')).toBe('finalized');
    expect(statusCategory('A2')).toBe('pending');
    expect(statusCategory('A7')).toBe('rejected');
    expect(statusCategory('A4')).toBe('not_found');
  });
});

describe('sandbox scenarios and adjudication', () => {
  const plan = planByX12Id('SBXMCR')!;
  const profile = payerProfileOn('medicare-part-b', '2025-07-01')!;
  const base = {
    plan,
    profile,
    receivedDate: '2025-07-15',
    accruedAllowedCents: 0,
    deductibleMetCents: 25_700,
    priorClaims: [],
    authorizations: [],
  };
  const claim837 = (memberId: string) =>
    toClaim837(
      codedClaim({ payerId: 'medicare-part-b', pcn: `PCN-${memberId}` }),
      parties(memberId),
      { payerId: 'medicare-part-b', x12PayerId: 'SBXMCR', name: 'MCR' },
      profile,
    );

  it.each(scenarioCarcs())('SBX-$group$carc provokes $group-$carc', ({ group, carc }) => {
    const memberId = `SBX-${group}${carc}-0001`;
    const scenario = scenarioFor(memberId);
    expect(scenario).toMatchObject({ kind: 'carc', group, carc });
    const a = adjudicate({ ...base, claim: claim837(memberId), scenario: scenario! });
    const codes = a.lines.flatMap((l) => l.adjustments.map((x) => `${x.group}-${x.reasonCode}`));
    expect(codes).toContain(`${group}-${carc}`);
    // Every line balances: charge − paid = Σ CAS.
    for (const l of a.lines)
      expect(l.line.chargeCents - l.paidCents).toBe(l.adjustments.reduce((s, x) => s + x.amountCents, 0));
  });

  it('pays the fee schedule less 20 % coinsurance once the deductible is met', () => {
    const a = adjudicate({ ...base, claim: claim837('MBR-9') });
    expect(a.statusCode).toBe('1');
    expect(a.allowedCents).toBe(2_900 * 2 + 2_700);
    expect(a.patientResponsibilityCents).toBe(Math.round(a.allowedCents * 0.2));
    expect(a.paidCents).toBe(a.allowedCents - a.patientResponsibilityCents);
  });

  it('puts the first allowed dollars to the Part B deductible (PR-1)', () => {
    const a = adjudicate({ ...base, deductibleMetCents: 0, claim: claim837('MBR-10') });
    expect(a.paidCents).toBe(0);
    expect(a.deductibleCents).toBe(a.allowedCents);
  });
});

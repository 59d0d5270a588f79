// Issue 13 defects in the codec, the mapping and the scrubber, each with the test that would have caught it.
import { describe, expect, it } from 'vitest';
import { sampleVisits } from '../../../bench/billing.js';
import { buildClaim } from '../../../domain/billing/build-claim.js';
import { codeVisit } from '../../../domain/billing/code-visit.js';
import { payerProfileOn } from '../../../domain/rules/payers.js';
import { scrubClaim } from '../../../domain/scrubber/index.js';
import { fromStatus277, toAuthRequest278, toClaim837 } from '../../../connectors/payer/mapping.js';
import { build278, parse277, X12BuildError } from '../../../connectors/payer/x12/index.js';

const visit = { ...sampleVisits(1)[0]!, renderingNpi: '1987654328' };
const profile = payerProfileOn(visit.payerId, visit.dos)!;
const coded = codeVisit(visit, { profile });
const header = {
  id: 'c1',
  patientControlNumber: 'PCN1',
  billingProvider: { npi: '1234567893', taxId: '123456789' },
  referringProvider: { npi: '1679576722' },
  priorAuthNumber: 'AUTH1',
};
const address = { line1: '12 ELM ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62704' };
const codes = (claim: ReturnType<typeof buildClaim>) =>
  scrubClaim({ claim, profile, asOf: visit.dos, visit }).findings.map((f) => [f.code, f.field]);
const parties = {
  billingProvider: { name: 'RIVERSIDE PT', npi: '1234567893', taxId: '123456789', address },
  subscriber: { memberId: 'M1', lastName: 'DOE', firstName: 'JANE', address },
};
const payer = { payerId: visit.payerId, x12PayerId: 'SBXMCR', name: 'SANDBOX' };

describe('subscriber address (2010BA N3/N4)', () => {
  it('a prepared claim without it is held with a finding naming the field', () => {
    const claim = buildClaim(visit, coded, {
      ...header,
      subscriber: {},
      renderingProviderName: { lastName: 'WHITFIELD' },
    });
    expect(codes(claim)).toContainEqual(['SUBSCRIBER_ADDRESS_MISSING', 'subscriber.address']);
  });
  it('with it the claim carries N3/N4 after NM1*IL', () => {
    const claim = buildClaim(visit, coded, {
      ...header,
      subscriber: { address },
      renderingProviderName: { lastName: 'WHITFIELD', firstName: 'DANA' },
    });
    expect(codes(claim).map(([c]) => c)).not.toContain('SUBSCRIBER_ADDRESS_MISSING');
    expect(toClaim837(claim, parties, payer, profile).subscriber.address).toEqual(address);
  });
});

describe('rendering provider (2310B): a name from the directory, never a placeholder', () => {
  it('an NPI the directory does not know holds the claim', () => {
    const claim = buildClaim(visit, coded, { ...header, subscriber: { address } });
    expect(codes(claim)).toContainEqual(['RENDERING_PROVIDER_UNKNOWN', 'renderingProvider.npi']);
    // And the mapping refuses it rather than writing "RENDERING PROVIDER".
    expect(() => toClaim837(claim, parties, payer, profile)).toThrow(X12BuildError);
  });
  it('the directory name goes to NM1*82', () => {
    const claim = buildClaim(visit, coded, {
      ...header,
      subscriber: { address },
      renderingProviderName: { lastName: 'WHITFIELD', firstName: 'DANA' },
    });
    expect(toClaim837(claim, parties, payer, profile).renderingProvider).toEqual({
      lastName: 'WHITFIELD',
      firstName: 'DANA',
      npi: '1987654328',
    });
  });
});

// A 276 answered at provider level (005010X212 2000C/2200C), shaped like LinuxForHealth x12's public
// provider-level-status.277 (whose STC separator typo is corrected here).
const providerLevel277 = [
  'ISA*00*          *00*          *ZZ*PAYER          *ZZ*PTF123456      *250801*0800*^*00501*000000907*0*T*:~',
  'GS*HN*PAYER*PTF123456*20250801*0800*1*X*005010X212~',
  'ST*277*0001*005010X212~',
  'BHT*0010*08*277X212*20250801*0800*DG~',
  'HL*1**20*1~',
  'NM1*PR*2*ABC INSURANCE*****PI*12345~',
  'HL*2*1*21*1~',
  'NM1*41*2*XYZ SERVICE*****46*X67E~',
  'HL*3*2*19*0~',
  'NM1*1P*2*RIVERSIDE PT*****XX*1234567893~',
  'TRN*1*0~',
  'STC*E0:24:85*20250801~',
  'SE*11*0001~',
  'GE*1*1~',
  'IEA*1*000000907~',
].join('\n');

describe('277 provider-level status (loop 2200C)', () => {
  it('a 276 answered at provider level is not "unknown"', () => {
    const [doc] = parse277(providerLevel277);
    expect(doc!.providers[0]).toMatchObject({
      traceNumber: '0',
      statuses: [{ category: 'E0', status: '24' }],
    });
    const result = fromStatus277(doc!, 'PCN1');
    expect(result.level).toBe('provider');
    expect(result.categoryCode).toBe('E0');
    expect(result.providerStatuses).toEqual([{ categoryCode: 'E0', statusCode: '24', entity: '85' }]);
  });
});

describe('278 service unit (005010X217 2000F SV103: UN or MJ only)', () => {
  it('visits go to HSD, SV1 counts units', () => {
    const req = toAuthRequest278(
      {
        payerId: 'p',
        member: { memberId: 'M1', lastName: 'DOE' },
        requester: { name: 'RIVERSIDE PT', npi: '1234567893' },
        traceNumber: 'T1',
        certificationType: 'initial',
        diagnoses: ['M54.50'],
        period: { from: '2025-07-01', to: '2025-08-25' },
        services: [{ code: '97110', visits: 12 }],
      },
      payer,
      { date: '2025-07-01', time: '10:00', originatorId: '9123456789' },
    );
    const segs = build278(req, '0001').segments;
    const sv1 = segs.find((s) => s.id === 'SV1')!;
    expect(['UN', 'MJ']).toContain(sv1.elements[2]);
    expect(segs.find((s) => s.id === 'HSD')!.elements.slice(0, 2)).toEqual(['VS', '12']);
  });
});

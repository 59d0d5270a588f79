// The prior-authorization mapping between the workflow (AuthorizationSubmission / PayerDecision) and the payer
// connector (AuthorizationRequest / AuthorizationDecision). Requests are checked as the X12 278 they become
// (read back by the sandbox payer's parser); decisions are read from 278 responses through the real parser.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  authorizationTraceNumber,
  toAuthorizationRequest,
  toPayerDecision,
  type AuthorizationParties,
} from '../../activities/prior-authorization/mapping.js';
import type { AuthorizationSubmission } from '../../activities/prior-authorization/index.js';
import { fromAuthResponse278, toAuthRequest278 } from '../../connectors/payer/mapping.js';
import { parseRealtimeRequest } from '../../connectors/payer/sandbox/x12-in.js';
import { build278 } from '../../connectors/payer/x12/generate-278.js';
import { X12BuildError } from '../../connectors/payer/x12/errors.js';
import { generate278, parse278Response } from '../../connectors/payer/x12/index.js';

const submission: AuthorizationSubmission = {
  authorizationId: '6f1c2b9e-3a51-4b8e-9d4f-0e1a2b3c4d5e',
  practiceId: '00000000-0000-4000-8000-000000000001',
  patientId: '11111111-2222-4333-8444-555555555555',
  coverageId: '66666666-7777-4888-8999-000000000000',
  payerId: 'ma-fastlane',
  requestedVisits: 6,
  startDate: '2026-03-02',
  urgency: 'standard',
  diagnosisCodes: ['M54.50', 'M62.81'],
};

const parties: AuthorizationParties = {
  member: { memberId: 'SBX-PEND-0001', lastName: 'SYNTHETIC', firstName: 'PAT', dateOfBirth: '1950-01-01' },
  requester: { name: 'RIVERSIDE PHYSICAL THERAPY', npi: '1234567893' },
};

/** The request as the payer receives it: built, generated as X12 and read back by the sandbox's parser. */
function asReceived(sub: AuthorizationSubmission, defaults: string[] = ['97110']) {
  const req = toAuthorizationRequest(sub, parties, authorizationTraceNumber('auth:x:request:1'), defaults);
  const x12 = generate278(
    toAuthRequest278(
      req,
      { payerId: 'ma-fastlane', x12PayerId: 'SBXMAFL', name: 'SANDBOX MEDICARE ADVANTAGE' },
      { date: '2026-03-02', time: '10:00', originatorId: '9123456789' },
    ),
    {
      sender: { qualifier: 'ZZ', id: 'PTFLOWTEST' },
      receiver: { qualifier: 'ZZ', id: 'SBXPAYER' },
      date: '2026-03-02',
      time: '10:00',
      interchangeControlNumber: 1,
      groupControlNumber: 1,
      transactionControlNumber: '0001',
      usage: 'T',
      acknowledgmentRequested: false,
    },
  );
  return { req, received: parseRealtimeRequest(x12) };
}

function failureOf(fn: () => unknown): ApplicationFailure {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }
  throw new Error('expected a failure');
}

describe('authorization trace numbers', () => {
  it('are stable per idempotency key, distinct per request number and safe as TRN02', () => {
    const a = authorizationTraceNumber('auth:6f1c:request:1');
    expect(authorizationTraceNumber('auth:6f1c:request:1')).toBe(a);
    expect(authorizationTraceNumber('auth:6f1c:request:2')).not.toBe(a);
    expect(a).toMatch(/^PA[0-9A-F]{28}$/);
  });
});

describe('submission → 278 request', () => {
  it('an initial request: UM02 I, the period, the diagnoses and the requested visits per code', () => {
    const { req, received } = asReceived(submission);
    expect(req).toMatchObject({
      payerId: 'ma-fastlane',
      certificationType: 'initial',
      diagnoses: ['M54.50', 'M62.81'],
      services: [{ code: '97110', visits: 6 }],
    });
    expect(received).toMatchObject({
      type: '278',
      payerId: 'SBXMAFL',
      certificationType: 'I',
      trace: { number: req.traceNumber },
      subscriber: { id: 'SBX-PEND-0001', name: 'SYNTHETIC' },
      service: { code: '97110', visits: 6 },
    });
  });

  it('without an end date the request spans one 90-day certification interval', () => {
    expect(asReceived(submission).received).toMatchObject({
      period: { from: '2026-03-02', to: '2026-05-30' },
    });
    const withEnd = asReceived({ ...submission, endDate: '2026-04-26' });
    expect(withEnd.received).toMatchObject({ period: { from: '2026-03-02', to: '2026-04-26' } });
  });

  it('an extension request: UM02 4 and the authorization it extends in 2000E REF*BB', () => {
    const { req, received } = asReceived({ ...submission, extendsAuthNumber: 'AUTH1234' });
    expect(req).toMatchObject({ certificationType: 'extension', previousAuthNumber: 'AUTH1234' });
    expect(received).toMatchObject({ certificationType: '4', previousAuthorizationNumber: 'AUTH1234' });
    // An initial request names no earlier authorization.
    expect(asReceived(submission).received).not.toHaveProperty('previousAuthorizationNumber');
  });

  it('REF*BB sits in 2000E between UM and DTP*AAH, and an extension without it cannot be built', () => {
    const req = toAuthorizationRequest(
      { ...submission, extendsAuthNumber: 'AUTH1234' },
      parties,
      authorizationTraceNumber('auth:x:request:2'),
      ['97110'],
    );
    const x12 = toAuthRequest278(
      req,
      { payerId: 'ma-fastlane', x12PayerId: 'SBXMAFL', name: 'SANDBOX MEDICARE ADVANTAGE' },
      { date: '2026-03-02', time: '10:00', originatorId: '9123456789' },
    );
    const body = build278(x12, '0001');
    const ids = body.segments.map((seg) => seg.id);
    const ref = body.segments.findIndex((seg) => seg.id === 'REF');
    expect(body.segments[ref]?.elements.slice(0, 2)).toEqual(['BB', 'AUTH1234']);
    expect(ids[ref - 1]).toBe('UM');
    expect(ids[ref + 1]).toBe('DTP');
    const { previousAuthorizationNumber: _dropped, ...unlinked } = x12;
    expect(() => build278(unlinked, '0001')).toThrow(X12BuildError);
  });

  it('the planned procedure codes replace the default', () => {
    const { req } = asReceived({ ...submission, procedureCodes: ['97140', '97530'] });
    expect(req.services).toEqual([
      { code: '97140', visits: 6 },
      { code: '97530', visits: 6 },
    ]);
  });

  it('a request that cannot be built fails non-retryably as AuthorizationDataMissing', () => {
    // The reason code in the details is what the workflow's staff task shows (codes only, no values).
    const cases: Array<[AuthorizationSubmission, string[], string]> = [
      [{ ...submission, diagnosisCodes: undefined }, ['97110'], 'no_diagnosis'],
      [{ ...submission, diagnosisCodes: [] }, ['97110'], 'no_diagnosis'],
      [{ ...submission, diagnosisCodes: ['not-a-code'] }, ['97110'], 'invalid_diagnosis'],
      [
        { ...submission, diagnosisCodes: Array.from({ length: 13 }, () => 'M54.50') },
        ['97110'],
        'too_many_diagnoses',
      ],
      [submission, [], 'no_procedure'],
      [{ ...submission, procedureCodes: ['97110:59'] }, ['97110'], 'invalid_procedure'],
      [{ ...submission, endDate: '2026-03-01' }, ['97110'], 'invalid_period'],
    ];
    for (const [sub, defaults, reasonCode] of cases) {
      const f = failureOf(() => toAuthorizationRequest(sub, parties, 'PA1', defaults));
      expect(f.type).toBe('AuthorizationDataMissing');
      expect(f.nonRetryable).toBe(true);
      expect(f.details).toEqual([{ reasonCode }]);
    }
  });
});

// ─── 278 responses ──────────────────────────────────────────────────────────────────────────────────

/** A 278 response interchange around the given EV/SS segments (or a rejection without any review). */
function response278(body: string[]): string {
  const st = [
    'ST*278*0001*005010X217',
    'BHT*0007*11*PA1*20260302*1000',
    'HL*1**20*1',
    'NM1*X3*2*SANDBOX MEDICARE ADVANTAGE*****PI*SBXMAFL',
    'HL*2*1*21*1',
    'NM1*1P*2*RIVERSIDE PHYSICAL THERAPY*****XX*1234567893',
    'HL*3*2*22*1',
    'NM1*IL*1*SYNTHETIC*PAT****MI*SBX-PEND-0001',
    ...body,
  ];
  const segments = [...st, `SE*${st.length + 1}*0001`];
  return [
    'ISA*00*          *00*          *ZZ*SBXPAYER       *ZZ*PTFLOWTEST     *260302*1000*^*00501*000000001*0*T*:',
    'GS*HI*SBXPAYER*PTFLOWTEST*20260302*1000*1*X*005010X217',
    ...segments,
    'GE*1*1',
    'IEA*1*000000001',
  ]
    .map((s) => `${s}~`)
    .join('\n');
}

function review(action: string, opts: { ref?: string; hsd?: number; message?: string } = {}): string[] {
  return [
    'HL*4*3*EV*1',
    'TRN*2*PA1*9123456789',
    'UM*HS*I*PT*11:B',
    `HCR*${action}*CERT0001${action === 'A3' ? '*CB' : ''}`,
    ...(opts.ref ? [`REF*BB*${opts.ref}`] : []),
    'DTP*AAH*RD8*20260302-20260426',
    'HL*5*4*SS*0',
    'UM*HS*I',
    `HCR*${action}*CERT0001`,
    'DTP*472*RD8*20260302-20260426',
    'SV1*HC:97110**VS*12',
    ...(opts.hsd !== undefined ? [`HSD*VS*${opts.hsd}***35*8`] : []),
    ...(opts.message ? [`MSG*${opts.message}`] : []),
  ];
}

const decisionOf = (body: string[]) =>
  toPayerDecision(fromAuthResponse278(parse278Response(response278(body))[0]!));

describe('278 response → PayerDecision', () => {
  it('certified (A1): approved with the number, the visits of HSD and the certification period', () => {
    expect(decisionOf(review('A1', { ref: 'AUTH77', hsd: 6 }))).toEqual({
      outcome: 'approved',
      authNumber: 'AUTH77',
      visitsAuthorized: 6,
      startDate: '2026-03-02',
      endDate: '2026-04-26',
    });
  });

  it('partially certified (A2, the fast lane): the approved visits, not the requested ones', () => {
    expect(
      decisionOf(
        review('A2', {
          ref: 'AUTH78',
          hsd: 6,
          message: 'FIRST 6 VISITS APPROVED REMAINDER IN CLINICAL REVIEW',
        }),
      ),
    ).toMatchObject({ outcome: 'partially_approved', authNumber: 'AUTH78', visitsAuthorized: 6 });
  });

  it('pended (A4): no number and no visits, even though SV1 repeats the 12 requested', () => {
    expect(decisionOf(review('A4'))).toEqual({ outcome: 'pended' });
  });

  it('not certified (A3): denied', () => {
    expect(decisionOf(review('A3'))).toEqual({ outcome: 'denied' });
  });

  it('an AAA rejection is a non-retryable failure naming only the reason codes', () => {
    const f = failureOf(() => decisionOf(['AAA*N**75*C']));
    expect(f.type).toBe('AuthorizationRequestRejected');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toBe('The payer rejected the request (AAA 75).');
    expect(f.message).not.toContain('SYNTHETIC');
    expect(f.details).toEqual([{ reasonCode: 'aaa_75', level: 'subscriber' }]);
  });

  it('"no authorization required" (NA) and a response without a decision are typed failures', () => {
    const na = failureOf(() => decisionOf(review('NA')));
    expect(na.type).toBe('AuthorizationNotRequired');
    expect(na.nonRetryable).toBe(true);
    expect(na.details).toEqual([{ reasonCode: 'payer_not_required' }]);
    const none = failureOf(() => decisionOf([]));
    expect(none.type).toBe('AuthorizationDecisionUnreadable');
    expect(none.details).toEqual([{ reasonCode: 'no_decision' }]);
  });
});

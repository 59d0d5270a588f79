import { describe, expect, it } from 'vitest';
import {
  balanceRemittance,
  claimImbalances,
  type BalanceRemittance,
} from '../../../domain/remittance/balance.js';

// One 835: two claims, the second partly denied on a line, plus provider-level adjustments.
function remit(over: Partial<BalanceRemittance> = {}): BalanceRemittance {
  return {
    payment: { amountCents: 12_000, creditDebit: 'C' },
    claims: [
      {
        statusCode: '1',
        chargeCents: 20_000,
        paidCents: 8_000,
        patientResponsibilityCents: 2_000,
        adjustments: [],
        services: [
          {
            chargeCents: 20_000,
            paidCents: 8_000,
            adjustments: [
              { group: 'CO', reasonCode: '45', amountCents: 10_000 },
              { group: 'PR', reasonCode: '2', amountCents: 2_000 },
            ],
          },
        ],
      },
      {
        statusCode: '1',
        chargeCents: 15_000,
        paidCents: 4_000,
        patientResponsibilityCents: 0,
        adjustments: [],
        services: [
          {
            chargeCents: 9_000,
            paidCents: 4_000,
            adjustments: [{ group: 'CO', reasonCode: '45', amountCents: 5_000 }],
          },
          {
            chargeCents: 6_000,
            paidCents: 0,
            adjustments: [{ group: 'CO', reasonCode: '4', amountCents: 6_000 }],
          },
        ],
      },
    ],
    providerAdjustments: [],
    ...over,
  };
}

describe('835 balancing (005010X221A1 §1.10.2)', () => {
  it('a balanced remittance: BPR02 = Σ CLP04, every claim and line balances', () => {
    const r = balanceRemittance(remit());
    expect(r).toMatchObject({
      balanced: true,
      expectedPaymentCents: 12_000,
      paymentCents: 12_000,
      imbalances: [],
    });
  });

  it('BPR02 ≠ Σ CLP04 − Σ PLB is named with both amounts and no identifiers', () => {
    const r = balanceRemittance(remit({ payment: { amountCents: 11_000, creditDebit: 'C' } }));
    expect(r.balanced).toBe(false);
    expect(r.imbalances).toEqual([
      expect.objectContaining({ rule: 'BPR02_TOTAL', expectedCents: 12_000, actualCents: 11_000 }),
    ]);
    expect(r.imbalances[0]?.message).toBe(
      'payment is 110.00 but claims paid less provider adjustments is 120.00',
    );
  });

  it('PLB WO (overpayment recovery) reduces and L6 (interest) increases the payment', () => {
    const r = balanceRemittance(
      remit({
        payment: { amountCents: 12_000 - 2_500 + 130, creditDebit: 'C' },
        providerAdjustments: [
          {
            adjustments: [
              { reasonCode: 'WO', referenceId: 'ORIG123', amountCents: 2_500 },
              { reasonCode: 'L6', amountCents: -130 },
            ],
          },
        ],
      }),
    );
    expect(r.balanced).toBe(true);
    expect(r.providerAdjustments).toEqual([
      { reasonCode: 'WO', meaning: 'overpayment recovery', amountCents: 2_500 },
      { reasonCode: 'L6', meaning: 'interest owed', amountCents: -130 },
    ]);
  });

  it('forward balances (FB) carried into and out of a zero-payment 835, and 72 authorized return, balance', () => {
    // This 835 recovers more than it pays: the rest is carried forward (FB negative here, positive next time).
    const zero = balanceRemittance(
      remit({
        payment: { amountCents: 0, creditDebit: 'C' },
        providerAdjustments: [
          {
            adjustments: [
              { reasonCode: 'WO', amountCents: 15_000 },
              { reasonCode: 'FB', referenceId: 'B1', amountCents: -3_000 },
            ],
          },
        ],
      }),
    );
    expect(zero.balanced).toBe(true);
    const next = balanceRemittance({
      payment: { amountCents: 2_000, creditDebit: 'C' },
      claims: [
        {
          statusCode: '1',
          chargeCents: 5_000,
          paidCents: 5_500,
          adjustments: [{ group: 'CO', reasonCode: '45', amountCents: -500 }],
          services: [],
        },
      ],
      providerAdjustments: [
        {
          adjustments: [
            { reasonCode: 'FB', referenceId: 'B1', amountCents: 3_000 },
            { reasonCode: '72', amountCents: 500 },
          ],
        },
      ],
    });
    expect(next).toMatchObject({ balanced: true, expectedPaymentCents: 2_000 });
  });

  it('a debit BPR counts negative', () => {
    const r = balanceRemittance({
      payment: { amountCents: 1_000, creditDebit: 'D' },
      claims: [],
      providerAdjustments: [{ adjustments: [{ reasonCode: 'WO', amountCents: 1_000 }] }],
    });
    expect(r).toMatchObject({ balanced: true, paymentCents: -1_000 });
  });

  it('a claim whose charge − paid ≠ Σ CAS, and the line that does not balance, are both named', () => {
    const bad = remit();
    const second = bad.claims[1]!;
    const broken = {
      ...second,
      services: [
        second.services[0]!,
        { ...second.services[1]!, adjustments: [{ group: 'CO', reasonCode: '4', amountCents: 5_000 }] },
      ],
    };
    const r = balanceRemittance({ ...bad, claims: [bad.claims[0]!, broken] });
    expect(r.balanced).toBe(false);
    expect(r.imbalances.map((i) => [i.rule, i.claimIndex, i.lineIndex])).toEqual([
      ['CLAIM_CAS', 2, undefined],
      ['LINE_CAS', 2, 2],
    ]);
    expect(r.imbalances[1]?.message).toBe(
      'claim 2 line 2: charge − paid is 60.00 but its adjustments total 50.00',
    );
  });

  it('CLP05 must equal the PR adjustments; claim-level CAS counts toward the claim balance', () => {
    expect(
      claimImbalances(
        {
          statusCode: '1',
          chargeCents: 10_000,
          paidCents: 7_000,
          patientResponsibilityCents: 1_000,
          adjustments: [{ group: 'PR', reasonCode: '3', amountCents: 3_000 }],
          services: [],
        },
        1,
      ).map((i) => i.rule),
    ).toEqual(['CLAIM_PATIENT_RESPONSIBILITY']);
  });

  it('lines that do not balance are named even when the claim total does (money moved between lines)', () => {
    const base = remit();
    const second = base.claims[1]!;
    const moved = {
      ...second,
      services: [
        { ...second.services[0]!, adjustments: [{ group: 'CO', reasonCode: '45', amountCents: 6_000 }] },
        { ...second.services[1]!, adjustments: [{ group: 'CO', reasonCode: '4', amountCents: 5_000 }] },
      ],
    };
    const r = balanceRemittance({ ...base, claims: [base.claims[0]!, moved] });
    expect(
      r.imbalances.map((i) => [i.rule, i.claimIndex, i.lineIndex, i.expectedCents, i.actualCents]),
    ).toEqual([
      ['LINE_CAS', 2, 1, 5_000, 6_000],
      ['LINE_CAS', 2, 2, 6_000, 5_000],
    ]);
  });

  it('a claim whose lines balance but whose claim-level CAS is missing is named alone (CLAIM_CAS)', () => {
    const r = balanceRemittance({
      payment: { amountCents: 7_000, creditDebit: 'C' },
      claims: [
        {
          statusCode: '1',
          chargeCents: 12_000,
          paidCents: 7_000,
          adjustments: [],
          services: [
            {
              chargeCents: 10_000,
              paidCents: 7_000,
              adjustments: [{ group: 'CO', reasonCode: '45', amountCents: 3_000 }],
            },
          ],
        },
      ],
      providerAdjustments: [],
    });
    expect(r.imbalances).toEqual([
      {
        rule: 'CLAIM_CAS',
        claimIndex: 1,
        expectedCents: 5_000,
        actualCents: 3_000,
        message: 'claim 1: charge − paid is 50.00 but its adjustments total 30.00',
      },
    ]);
  });

  it('a denied claim (status 4, nothing paid, claim-level CO) and a reversal (status 22, negative) balance', () => {
    const r = balanceRemittance({
      payment: { amountCents: 0, creditDebit: 'C' },
      claims: [
        {
          statusCode: '4',
          chargeCents: 15_000,
          paidCents: 0,
          patientResponsibilityCents: 0,
          adjustments: [{ group: 'CO', reasonCode: '197', amountCents: 15_000 }],
          services: [],
        },
        {
          statusCode: '22',
          chargeCents: -20_000,
          paidCents: -8_000,
          patientResponsibilityCents: -2_000,
          adjustments: [
            { group: 'CO', reasonCode: '45', amountCents: -10_000 },
            { group: 'PR', reasonCode: '2', amountCents: -2_000 },
          ],
          services: [],
        },
        {
          statusCode: '1',
          chargeCents: 20_000,
          paidCents: 8_000,
          patientResponsibilityCents: 2_000,
          adjustments: [
            { group: 'CO', reasonCode: '45', amountCents: 10_000 },
            { group: 'PR', reasonCode: '2', amountCents: 2_000 },
          ],
          services: [],
        },
      ],
      providerAdjustments: [],
    });
    expect(r).toMatchObject({ balanced: true, expectedPaymentCents: 0, imbalances: [] });
  });

  it('without CLP05 the patient-responsibility rule does not apply; the CAS rules still do', () => {
    const claim = {
      statusCode: '1',
      chargeCents: 10_000,
      paidCents: 7_000,
      adjustments: [{ group: 'PR', reasonCode: '3', amountCents: 3_000 }],
      services: [],
    };
    expect(claimImbalances(claim, 1)).toEqual([]);
    expect(claimImbalances({ ...claim, paidCents: 6_000 }, 1).map((i) => i.rule)).toEqual(['CLAIM_CAS']);
  });

  it('PLB amounts of several PLB segments add up; an interest (L6) sent with the wrong sign unbalances', () => {
    const plb = (l6: number) => [
      { adjustments: [{ reasonCode: 'WO', referenceId: 'ORIG1', amountCents: 1_000 }] },
      {
        adjustments: [
          { reasonCode: 'L6', amountCents: l6 },
          { reasonCode: '72', amountCents: 500 },
        ],
      },
    ];
    // 120.00 paid on claims − 10.00 recovered + 2.00 interest − 5.00 returned = 107.00
    const ok = balanceRemittance(
      remit({ payment: { amountCents: 10_700, creditDebit: 'C' }, providerAdjustments: plb(-200) }),
    );
    expect(ok).toMatchObject({ balanced: true, expectedPaymentCents: 10_700 });
    expect(ok.providerAdjustments.map((a) => a.meaning)).toEqual([
      'overpayment recovery',
      'interest owed',
      'authorized return',
    ]);
    const wrongSign = balanceRemittance(
      remit({ payment: { amountCents: 10_700, creditDebit: 'C' }, providerAdjustments: plb(200) }),
    );
    expect(wrongSign.imbalances).toEqual([
      expect.objectContaining({ rule: 'BPR02_TOTAL', expectedCents: 10_300, actualCents: 10_700 }),
    ]);
  });

  it('a PLB reason outside the named list is still counted and reported as another adjustment', () => {
    const r = balanceRemittance(
      remit({
        payment: { amountCents: 11_000, creditDebit: 'C' },
        providerAdjustments: [{ adjustments: [{ reasonCode: 'ZZ', amountCents: 1_000 }] }],
      }),
    );
    expect(r.balanced).toBe(true);
    expect(r.providerAdjustments).toEqual([
      { reasonCode: 'ZZ', meaning: 'other provider-level adjustment', amountCents: 1_000 },
    ]);
  });
});

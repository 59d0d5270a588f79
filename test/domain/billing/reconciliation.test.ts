// The billing reconciliation's comparison (domain/billing/reconciliation.ts): missed charges after the grace
// period, charges without a signed note, units that differ from what the note's minutes earn by the payer's
// method (8-minute rule), remittances marking an undocumented charge as paid, and stable keys.
import { describe, expect, it } from 'vitest';
import {
  discrepancyKeyMaterial,
  discrepancyTitle,
  documentedUnits,
  reconcileBilling,
  unitDifferences,
  type ChargeFacts,
  type SignedNoteFacts,
} from '../../../domain/billing/reconciliation.js';

const PRACTICE = '00000000-0000-4000-8000-000000000001';
const NOW = '2026-03-10T08:00:00Z';

const note = (
  visitId: string,
  interventions: SignedNoteFacts['interventions'],
  signedAt = '2026-03-09T17:00:00Z',
): SignedNoteFacts => ({
  visitId,
  dateOfService: '2026-03-09',
  signedAt,
  interventions,
});

const charge = (
  visitId: string,
  lines: { code: string; units: number }[] | undefined,
  extra: Partial<ChargeFacts> = {},
): ChargeFacts => ({
  claimId: `claim-${visitId}`,
  visitId,
  serviceDate: '2026-03-09',
  status: 'submitted',
  unitMethod: 'CMS_TOTAL_TIME',
  ...(lines ? { lines } : {}),
  remittances: [],
  ...extra,
});

const run = (notes: SignedNoteFacts[], charges: ChargeFacts[], graceHours = 6) =>
  reconcileBilling({ practiceId: PRACTICE, now: NOW, graceHours, notes, charges });

describe('documentedUnits (8-minute rule through units.ts)', () => {
  it('CMS total time: 38 + 7 timed minutes earn 3 units, the untimed evaluation 1', () => {
    const units = documentedUnits(
      [
        { code: '97110', minutes: 38 },
        { code: '97140', minutes: 7 },
        { code: '97161', minutes: 30 },
      ],
      'CMS_TOTAL_TIME',
    );
    // 45 timed minutes → 3 units; 97110 has 2 whole units, the third goes to the larger leftover (97110: 8 vs 7).
    expect(Object.fromEntries(units)).toEqual({ '97110': 3, '97140': 0, '97161': 1 });
  });

  it('AMA per code: 7 minutes earn nothing on their own', () => {
    const units = documentedUnits(
      [
        { code: '97110', minutes: 38 },
        { code: '97140', minutes: 7 },
      ],
      'AMA_SPM',
    );
    expect(Object.fromEntries(units)).toEqual({ '97110': 3, '97140': 0 });
  });

  it('unknown codes are left out (the scrubber reports them, not the reconciliation)', () => {
    expect(documentedUnits([{ code: '99999', minutes: 30 }], 'CMS_TOTAL_TIME').size).toBe(0);
  });
});

describe('unitDifferences', () => {
  it('names each code whose billed units differ, including codes billed but not documented', () => {
    expect(
      unitDifferences(
        new Map([
          ['97110', 2],
          ['97140', 0],
        ]),
        new Map([
          ['97110', 3],
          ['97530', 1],
        ]),
      ),
    ).toEqual([
      { code: '97110', documented: 2, billed: 3 },
      { code: '97530', documented: 0, billed: 1 },
    ]);
  });
});

describe('reconcileBilling', () => {
  it('a clean visit (units as documented) yields nothing', () => {
    expect(
      run([note('v1', [{ code: '97110', minutes: 30 }])], [charge('v1', [{ code: '97110', units: 2 }])]),
    ).toEqual([]);
  });

  it('one of each kind, each once, with stable keys', () => {
    const found = run(
      [
        note('clean', [{ code: '97110', minutes: 30 }]),
        note('missed', [{ code: '97110', minutes: 30 }]),
        note('units', [{ code: '97110', minutes: 30 }]),
      ],
      [
        charge('clean', [{ code: '97110', units: 2 }]),
        charge('units', [{ code: '97110', units: 3 }]),
        charge('undocumented', [{ code: '97110', units: 2 }], {
          remittances: [{ paidCents: 4200 }],
          status: 'paid',
        }),
      ],
    );
    expect(found.map((d) => [d.kind, d.visitId])).toEqual([
      ['charge_without_documentation', 'undocumented'],
      ['missed_charge', 'missed'],
      ['units_mismatch', 'units'],
    ]);
    expect(found.map((d) => d.keyMaterial)).toEqual([
      discrepancyKeyMaterial(PRACTICE, 'undocumented', 'charge_without_documentation'),
      `${PRACTICE}|missed|missed_charge`,
      `${PRACTICE}|units|units_mismatch`,
    ]);
    expect(found[0]!.details).toEqual({ claimStatus: 'paid', paid: true });
    expect(discrepancyTitle(found[0]!)).toMatch(/refund/);
    expect(found[2]!.details.units).toEqual([{ code: '97110', documented: 2, billed: 3 }]);
    // The same facts again: the same discrepancies with the same keys (what makes a second run raise none).
    expect(
      run(
        [
          note('clean', [{ code: '97110', minutes: 30 }]),
          note('missed', [{ code: '97110', minutes: 30 }]),
          note('units', [{ code: '97110', minutes: 30 }]),
        ],
        [
          charge('clean', [{ code: '97110', units: 2 }]),
          charge('units', [{ code: '97110', units: 3 }]),
          charge('undocumented', [{ code: '97110', units: 2 }], {
            remittances: [{ paidCents: 4200 }],
            status: 'paid',
          }),
        ],
      ).map((d) => d.keyMaterial),
    ).toEqual(found.map((d) => d.keyMaterial));
  });

  it('a note signed within the grace period is not a missed charge yet', () => {
    expect(run([note('fresh', [{ code: '97110', minutes: 30 }], '2026-03-10T05:00:00Z')], [])).toEqual([]);
    expect(run([note('fresh', [{ code: '97110', minutes: 30 }], '2026-03-10T01:59:00Z')], [])).toHaveLength(
      1,
    );
  });

  it('units are not compared without coded lines or without a payer method; a written-off claim is closed', () => {
    expect(run([note('a', [{ code: '97110', minutes: 30 }])], [charge('a', undefined)])).toEqual([]);
    expect(
      run(
        [note('b', [{ code: '97110', minutes: 30 }])],
        [charge('b', [{ code: '97110', units: 9 }], { unitMethod: undefined })],
      ),
    ).toEqual([]);
    expect(
      run(
        [note('c', [{ code: '97110', minutes: 30 }])],
        [charge('c', [{ code: '97110', units: 9 }], { status: 'written_off' })],
      ),
    ).toEqual([]);
    expect(run([], [charge('d', [{ code: '97110', units: 2 }], { status: 'written_off' })])).toEqual([]);
  });

  it('a code split over PT and PTA lines is compared as one code', () => {
    expect(
      run(
        [note('split', [{ code: '97110', minutes: 45 }])],
        [
          charge('split', [
            { code: '97110', units: 2 },
            { code: '97110', units: 1 },
          ]),
        ],
      ),
    ).toEqual([]);
  });
});

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { codeVisit } from '../../../domain/billing/code-visit.js';
import type { PtpRow } from '../../../domain/rules/types.js';
import { profile, visit } from '../helpers.js';

const medicare = profile('medicare-part-b');
const lineSummary = (lines: Array<{ code: string; units: number; modifiers: string[] }>) =>
  lines.map((l) => `${l.code}x${l.units}${l.modifiers.length ? ':' + l.modifiers.join(':') : ''}`);

describe('codeVisit — worked examples (domain-rules §12)', () => {
  it('#1 Medicare: 97110 33 min + 97140 7 min → 97110 × 2, 97140 × 1, each with GP', () => {
    const coded = codeVisit(
      visit({
        interventions: [
          { code: '97110', minutes: 33, furnishedBy: 'PT' },
          { code: '97140', minutes: 7, furnishedBy: 'PT' },
        ],
      }),
      { profile: medicare, kx: { accruedAllowedCents: 0 } },
    );
    expect(coded.totalTimedMinutes).toBe(40);
    expect(lineSummary(coded.lines)).toEqual(['97110x2:GP', '97140x1:GP']);
    expect(coded.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('#2 Medicare 7 + 7 → 1 unit, same code every run; AMA → no timed units', () => {
    const v = visit({
      interventions: [
        { code: '97110', minutes: 7, furnishedBy: 'PT' },
        { code: '97140', minutes: 7, furnishedBy: 'PT' },
      ],
    });
    const a = codeVisit(v, { profile: medicare, kx: { accruedAllowedCents: 0 } });
    const b = codeVisit(v, { profile: medicare, kx: { accruedAllowedCents: 0 } });
    expect(a.lines.reduce((s, l) => s + l.units, 0)).toBe(1);
    expect(a.lines).toEqual(b.lines);
    expect(a.lines[0]!.audit.join(' ')).toMatch(/tie on 7 leftover minutes won by sequence/);

    const ama = codeVisit({ ...v, payerId: 'commercial-ama' }, { profile: profile('commercial-ama') });
    expect(ama.method).toBe('AMA_SPM');
    expect(ama.lines).toEqual([]);
    expect(ama.findings.filter((f) => f.code === 'TIMED_CODE_NOT_BILLABLE')).toHaveLength(2);
  });

  const example3 = visit({
    interventions: [
      { code: '97161', minutes: 25, furnishedBy: 'PT' },
      { code: '97110', minutes: 20, furnishedBy: 'PT' },
      { code: '97140', minutes: 10, furnishedBy: 'PT' },
    ],
  });

  it('#3 evaluation + 97110 20 + 97140 10 → 97161 × 1, 97110 × 1, 97140 × 1; pair flagged without documentation', () => {
    const coded = codeVisit(example3, { profile: medicare, kx: { accruedAllowedCents: 0 } });
    expect(coded.totalTimedMinutes).toBe(30);
    expect(lineSummary(coded.lines)).toEqual(['97161x1:GP', '97110x1:GP', '97140x1:GP']);
    const ncci = coded.findings.find((f) => f.code === 'NCCI_BYPASS_UNDOCUMENTED');
    expect(ncci).toMatchObject({ severity: 'error', field: 'lines.97140' });
    // Never appended silently.
    expect(coded.lines.some((l) => l.modifiers.some((m) => /^(59|X[EPSU])$/.test(m)))).toBe(false);
  });

  it('#3 with a clinician-confirmed distinct service and indicator 1 → 97140 gets the X modifier', () => {
    const coded = codeVisit(
      {
        ...example3,
        distinctServices: [
          { code: '97140', modifier: 'XS', confirmedBy: 'clinician-7', documentation: 'separate site' },
        ],
      },
      { profile: medicare, kx: { accruedAllowedCents: 0 } },
    );
    expect(lineSummary(coded.lines)).toEqual(['97161x1:GP', '97110x1:GP', '97140x1:XS:GP']);
    expect(coded.findings.some((f) => f.code === 'NCCI_BYPASS_UNDOCUMENTED')).toBe(false);
    expect(coded.findings.some((f) => f.code === 'NCCI_EDIT_VERIFY')).toBe(true);
  });

  it('#3 when the current edit has indicator 0 → no bypass even with documentation', () => {
    const indicator0: PtpRow[] = [
      {
        column1: '97161',
        column2: '97140',
        modifierIndicator: '0',
        deletedOn: null,
        effectiveFrom: '2020-10-01',
        effectiveTo: null,
        edition: 'practitioner',
        sourceQuarter: 'test',
        source: 'test',
      },
    ];
    const coded = codeVisit(
      {
        ...example3,
        distinctServices: [
          { code: '97140', modifier: 'XS', confirmedBy: 'clinician-7', documentation: 'separate site' },
        ],
      },
      { profile: medicare, kx: { accruedAllowedCents: 0 }, rules: { ptp: indicator0 } },
    );
    expect(lineSummary(coded.lines)).toContain('97140x1:GP');
    expect(coded.findings.find((f) => f.code === 'NCCI_PTP_NO_BYPASS')?.severity).toBe('error');
  });

  it('the rescinded January 2020 edits apply only to DOS 2020-01-01 … 2020-01-23', () => {
    const v = (dos: string) =>
      visit({
        dos,
        interventions: [
          { code: '97161', minutes: 30, furnishedBy: 'PT' },
          { code: '97530', minutes: 15, furnishedBy: 'PT' },
        ],
      });
    const ctx = { profile: { ...medicare, therapyThresholdKx: false } };
    expect(codeVisit(v('2020-01-23'), ctx).findings.some((f) => f.code === 'NCCI_PTP_NO_BYPASS')).toBe(true);
    expect(codeVisit(v('2020-01-24'), ctx).findings.some((f) => f.code === 'NCCI_PTP_NO_BYPASS')).toBe(false);
  });

  it('documentation for a code in no bypassable pair is not used', () => {
    const coded = codeVisit(
      visit({
        interventions: [{ code: '97110', minutes: 30, furnishedBy: 'PT' }],
        distinctServices: [{ code: '97110', modifier: '59', confirmedBy: 'c', documentation: 'x' }],
      }),
      { profile: medicare, kx: { accruedAllowedCents: 0 } },
    );
    expect(lineSummary(coded.lines)).toEqual(['97110x2:GP']);
    expect(coded.findings.map((f) => f.code)).toContain('DISTINCT_SERVICE_NOT_NEEDED');
  });
});

describe('codeVisit — modifiers, CQ, KX, MUE, bad input', () => {
  it('untimed codes never count toward T', () => {
    const coded = codeVisit(
      visit({
        interventions: [
          { code: '97010', minutes: 15, furnishedBy: 'PT' },
          { code: '97110', minutes: 7, furnishedBy: 'PT' },
        ],
      }),
      { profile: medicare, kx: { accruedAllowedCents: 0 } },
    );
    expect(coded.totalTimedMinutes).toBe(7);
    expect(lineSummary(coded.lines)).toEqual(['97010x1:GP']);
  });

  it('PTA-furnished timed units carry CQ (in first position) on a separate line', () => {
    const coded = codeVisit(
      visit({
        interventions: [
          { code: '97110', minutes: 30, furnishedBy: 'PT' },
          { code: '97530', minutes: 30, furnishedBy: 'PTA' },
        ],
      }),
      { profile: medicare, kx: { accruedAllowedCents: 0 } },
    );
    expect(lineSummary(coded.lines)).toEqual(['97110x2:GP', '97530x2:CQ:GP']);
  });

  it('PT and PTA together counts as the PT service; de minimis PTA share gives no CQ', () => {
    const coded = codeVisit(
      visit({
        interventions: [
          { code: '97110', minutes: 28, furnishedBy: 'PT_AND_PTA' },
          { code: '97110', minutes: 2, furnishedBy: 'PTA' },
        ],
      }),
      { profile: medicare, kx: { accruedAllowedCents: 0 } },
    );
    expect(lineSummary(coded.lines)).toEqual(['97110x2:GP']);
  });

  it('KX on every PT line once the projected allowed amount passes the year threshold; TMR reported', () => {
    const v = visit({ interventions: [{ code: '97110', minutes: 30, furnishedBy: 'PT' }] });
    // 2025 threshold $2,410; this visit's expected allowed is 2 × $29.00. Exactly at the threshold: no KX.
    const atThreshold = codeVisit(v, { profile: medicare, kx: { accruedAllowedCents: 235_200 } });
    expect(atThreshold.kx?.projectedCents).toBe(241_000);
    expect(lineSummary(atThreshold.lines)).toEqual(['97110x2:GP']);
    const above = codeVisit(v, { profile: medicare, kx: { accruedAllowedCents: 235_201 } });
    expect(lineSummary(above.lines)).toEqual(['97110x2:GP:KX']);
    const tmr = codeVisit(v, { profile: medicare, kx: { accruedAllowedCents: 300_000 } });
    expect(tmr.findings.find((f) => f.code === 'TMR_EXPOSURE')?.severity).toBe('info');
  });

  it('MUE caps units and reports it', () => {
    const coded = codeVisit(visit({ interventions: [{ code: '97110', minutes: 120, furnishedBy: 'PT' }] }), {
      profile: medicare,
      kx: { accruedAllowedCents: 0 },
    });
    expect(coded.lines[0]!.units).toBe(6);
    expect(coded.findings.find((f) => f.code === 'MUE_UNITS_CAPPED')?.severity).toBe('warning');
  });

  it('never more than four modifiers; overflow is a blocking finding', () => {
    const coded = codeVisit(
      visit({
        interventions: [
          { code: '97530', minutes: 30, furnishedBy: 'PTA' },
          { code: '97140', minutes: 30, furnishedBy: 'PTA' },
        ],
        distinctServices: [{ code: '97530', modifier: 'XS', confirmedBy: 'c', documentation: 'x' }],
      }),
      { profile: medicare, kx: { accruedAllowedCents: 300_000 } },
    );
    const line = coded.lines.find((l) => l.code === '97530')!;
    expect(line.modifiers).toEqual(['CQ', 'XS', 'GP', 'KX']);
    expect(coded.lines.every((l) => l.modifiers.length <= 4)).toBe(true);
  });

  it('unknown codes, impossible minutes and PTA evaluations become findings, not exceptions', () => {
    const coded = codeVisit(
      visit({
        interventions: [
          { code: '99999', minutes: 10, furnishedBy: 'PT' },
          { code: '97110', minutes: 5000, furnishedBy: 'PT' },
          { code: '97161', minutes: 30, furnishedBy: 'PTA' },
          { code: 'G8978', minutes: 0, furnishedBy: 'PT' },
        ],
      }),
      { profile: medicare, kx: { accruedAllowedCents: 0 } },
    );
    expect(coded.lines).toEqual([]);
    expect(coded.findings.map((f) => f.code)).toEqual([
      'UNKNOWN_CODE',
      'IMPOSSIBLE_MINUTES',
      'ASSISTANT_NOT_PERMITTED',
      'RETIRED_FLR_CODE',
    ]);
  });

  it('charges come from the fee schedule in integer cents', () => {
    const coded = codeVisit(visit({ interventions: [{ code: '97110', minutes: 30, furnishedBy: 'PT' }] }), {
      profile: medicare,
      kx: { accruedAllowedCents: 0 },
    });
    expect(coded.lines[0]!.chargeCents).toBe(13_000);
    expect(coded.lines[0]!.expectedAllowedCents).toBe(5_800);
  });
});

describe('codeVisit — properties', () => {
  it('adding an untimed code never changes timed units; Σ timed units = units(T) under CMS', () => {
    const timedCodes = ['97110', '97112', '97116', '97140', '97530', '97535'] as const;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ code: fc.constantFrom(...timedCodes), minutes: fc.integer({ min: 0, max: 40 }) }),
          {
            maxLength: 5,
          },
        ),
        fc.constantFrom('97010', '97150', '97012'),
        (items, untimed) => {
          const ctx = {
            profile: { ...medicare, appliesMue: false, appliesNcci: false },
            kx: { accruedAllowedCents: 0 },
          };
          const ivs = items.map((i) => ({ ...i, furnishedBy: 'PT' as const }));
          const timedUnits = (c: ReturnType<typeof codeVisit>) =>
            c.lines.filter((l) => l.minutes !== undefined).reduce((s, l) => s + l.units, 0);
          const a = codeVisit(visit({ interventions: ivs }), ctx);
          const b = codeVisit(
            visit({ interventions: [...ivs, { code: untimed, minutes: 15, furnishedBy: 'PT' }] }),
            ctx,
          );
          expect(timedUnits(b)).toBe(timedUnits(a));
          const t = items.reduce((s, i) => s + i.minutes, 0);
          expect(timedUnits(a)).toBe(t < 8 ? 0 : Math.floor((t + 7) / 15));
        },
      ),
    );
  });
});

describe('codeVisit — MUE adjudication indicators', () => {
  const mue = (mai: 1 | 3) => [
    {
      code: '97530',
      maxUnitsPerDos: 2,
      mai,
      rationale: 'test',
      sourceQuarter: 'test',
      effectiveFrom: '2020-01-01',
      effectiveTo: null,
      source: 'test',
    },
  ];
  const v = visit({
    interventions: [
      { code: '97530', minutes: 45, furnishedBy: 'PT' },
      { code: '97530', minutes: 30, furnishedBy: 'PTA' },
    ],
  });
  it('MAI 3: the DOS total is capped, assistant units removed first', () => {
    const c = codeVisit(v, { profile: medicare, kx: { accruedAllowedCents: 0 }, rules: { mue: mue(3) } });
    expect(lineSummary(c.lines)).toEqual(['97530x2:GP']);
  });
  it('MAI 1: each line on its own', () => {
    const c = codeVisit(v, { profile: medicare, kx: { accruedAllowedCents: 0 }, rules: { mue: mue(1) } });
    expect(lineSummary(c.lines)).toEqual(['97530x2:GP', '97530x2:CQ:GP']);
  });
});

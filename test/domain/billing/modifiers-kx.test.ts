import { describe, it, expect } from 'vitest';
import { fitModifiers, orderModifiers } from '../../../domain/billing/modifiers.js';
import { decideKx, kxThresholdOn, tmrThresholdOn } from '../../../domain/billing/kx.js';
import { splitAssistantUnits, exceedsDeMinimis } from '../../../domain/billing/assistant.js';
import { checkMue } from '../../../domain/billing/mue.js';
import { activePtpEdits, allowsBypass } from '../../../domain/billing/ncci.js';

describe('modifier order and slots [ST9]', () => {
  it('orders payment modifiers first and deduplicates', () => {
    expect(orderModifiers(['KX', 'GP', 'CQ', 'XS', 'GP'])).toEqual(['CQ', 'XS', 'GP', 'KX']);
  });
  it('keeps at most four and reports the rest', () => {
    expect(fitModifiers(['GX', 'KX', 'GP', 'CQ', 'XS'])).toEqual({
      modifiers: ['CQ', 'XS', 'GP', 'KX'],
      overflow: ['GX'],
    });
  });
});

describe('KX thresholds by calendar year [R15–R17]', () => {
  it.each([
    ['2021-06-01', 211_000],
    ['2022-06-01', 215_000],
    ['2023-06-01', 223_000],
    ['2024-06-01', 233_000],
    ['2025-06-01', 241_000],
    ['2026-06-01', 248_000],
  ])('%s → %i cents', (dos, cents) => {
    expect(kxThresholdOn(dos)).toBe(cents);
  });
  it('looks up by DOS at year boundaries', () => {
    expect(kxThresholdOn('2024-12-31')).toBe(233_000);
    expect(kxThresholdOn('2025-01-01')).toBe(241_000);
  });
  it('a year without data is reported, never guessed', () => {
    expect(kxThresholdOn('2027-01-01')).toBeUndefined();
    const d = decideKx({ dos: '2027-03-01', accruedAllowedCents: 900_000, visitAllowedCents: 5_000 });
    expect(d.applyKx).toBe(false);
    expect(d.findings[0]).toMatchObject({ code: 'KX_THRESHOLD_MISSING', severity: 'error' });
  });
  it('TMR: $3,000 through 2027, nothing on file from 2028 (MEI-indexed)', () => {
    expect(tmrThresholdOn('2027-12-31')).toBe(300_000);
    expect(tmrThresholdOn('2028-01-01')).toBeUndefined();
  });
  it('staff overrides are honoured and recorded', () => {
    const apply = decideKx({
      dos: '2025-05-01',
      accruedAllowedCents: 0,
      visitAllowedCents: 100,
      override: 'apply',
    });
    expect(apply.applyKx).toBe(true);
    const withhold = decideKx({
      dos: '2025-05-01',
      accruedAllowedCents: 300_000,
      visitAllowedCents: 100,
      override: 'withhold',
    });
    expect(withhold.applyKx).toBe(false);
    expect(withhold.findings.map((f) => f.code)).toContain('KX_OVERRIDE_WITHHELD');
  });
  it('KX without documented medical necessity is blocking', () => {
    const d = decideKx({
      dos: '2025-05-01',
      accruedAllowedCents: 300_000,
      visitAllowedCents: 100,
      medicalNecessityDocumented: false,
    });
    expect(d.findings.find((f) => f.code === 'KX_NECESSITY_UNDOCUMENTED')?.severity).toBe('error');
  });
});

describe('CQ split [R21, R22]', () => {
  const split = (pt: number, pta: number, units: number, timed = true) =>
    splitAssistantUnits({ code: '97110', timed, ptMinutes: pt, ptaMinutes: pta, units });

  it('de minimis: more than 10 % of the service', () => {
    expect(exceedsDeMinimis(90, 10)).toBe(false);
    expect(exceedsDeMinimis(89, 11)).toBe(true);
    expect(split(27, 3, 2)).toMatchObject({ ptUnits: 2, ptaUnits: 0 });
  });
  it('untimed service over de minimis: CQ', () => {
    expect(split(20, 10, 1, false)).toMatchObject({ ptUnits: 0, ptaUnits: 1 });
  });
  it('whole blocks to whoever furnished them; final partial unit to who furnished more of it', () => {
    // PT 15 + PTA 10 = 25 min → 2 units: PT 1 whole, remainder PT 0 vs PTA 10 → PTA.
    expect(split(15, 10, 2)).toMatchObject({ ptUnits: 1, ptaUnits: 1 });
    // PT 20 + PTA 18 = 38 min → 3 units: 1 + 1 whole; remainder PT 5 vs PTA 3 → PT.
    expect(split(20, 18, 3)).toMatchObject({ ptUnits: 2, ptaUnits: 1 });
  });
  it('both furnish 9–14 minutes of a two-unit remainder: one unit each (VERIFY)', () => {
    const s = split(12, 12, 2);
    expect(s).toMatchObject({ ptUnits: 1, ptaUnits: 1 });
    expect(s.verify).toMatch(/VERIFY/);
  });
  it('equal shares of the final unit: CQ, flagged', () => {
    const s = split(5, 5, 1);
    expect(s).toMatchObject({ ptUnits: 0, ptaUnits: 1 });
    expect(s.verify).toMatch(/tie/);
  });
  it('always sums to the billed units', () => {
    for (let pt = 0; pt <= 60; pt++) {
      for (let pta = 0; pta <= 60; pta++) {
        const units = Math.floor((pt + pta + 7) / 15);
        const s = split(pt, pta, units);
        expect(s.ptUnits + s.ptaUnits).toBe(units);
      }
    }
  });
});

describe('NCCI and MUE lookups take the DOS', () => {
  it('finds the reinstated 97530/97164 pair from 2020-10-01 only', () => {
    expect(activePtpEdits(['97164', '97530'], '2020-09-30')).toEqual([]);
    const [edit] = activePtpEdits(['97164', '97530'], '2020-10-01');
    expect(edit).toMatchObject({ column1: '97530', column2: '97164' });
    expect(allowsBypass(edit!)).toBe(true);
    expect(allowsBypass({ modifierIndicator: '9' })).toBe(false);
  });
  it('MUE: within and over', () => {
    expect(checkMue('97161', 1, '2025-01-01')).toBeUndefined();
    expect(checkMue('97161', 2, '2025-01-01')).toMatchObject({ allowed: 1 });
    expect(checkMue('97999', 99, '2025-01-01')).toBeUndefined();
  });
});

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  buildNcciDataset,
  NcciDatasetSchema,
  parseCmsDate,
  parseMueFile,
  parsePtpFile,
  splitFields,
} from '../../../domain/rules/ncci-parser.js';
import { activePtpEdits } from '../../../domain/billing/ncci.js';
import { checkMue } from '../../../domain/billing/mue.js';
import { lookupCode } from '../../../domain/codes/cpt.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/ncci/${name}`, import.meta.url), 'utf8');

describe('CMS PTP practitioner file parser', () => {
  const parsed = parsePtpFile(fixture('ptp-practitioner-sample.txt'), { sourceQuarter: '2025Q4' });

  it('reads data rows, skips header lines, reports malformed rows with line numbers', () => {
    expect(parsed.rows).toHaveLength(7);
    expect(parsed.skipped).toBe(4);
    expect(parsed.issues).toEqual([
      { line: 12, message: 'column 2 is not a procedure code' },
      { line: 13, message: 'effective date is not YYYYMMDD' },
    ]);
  });

  it('maps columns: deletion date → inclusive effectiveTo the day before; indicator 9 flagged', () => {
    const rescinded = parsed.rows.find((r) => r.column1 === '97161' && r.column2 === '97530')!;
    expect(rescinded).toMatchObject({
      effectiveFrom: '2020-01-01',
      deletedOn: '2020-01-24',
      effectiveTo: '2020-01-23',
      modifierIndicator: '0',
      edition: 'practitioner',
      sourceQuarter: '2025Q4',
    });
    const nine = parsed.rows.find((r) => r.modifierIndicator === '9')!;
    expect(nine.verify).toMatch(/no bypass/);
  });

  it('parsed rows drive the same lookups as the curated data', () => {
    expect(activePtpEdits(['97161', '97140'], '2025-07-01', parsed.rows)).toHaveLength(1);
    expect(activePtpEdits(['97161', '97530'], '2025-07-01', parsed.rows)).toHaveLength(0);
  });

  it('never throws on junk and never yields a partial row', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (junk) => {
        const r = parsePtpFile(junk, { sourceQuarter: 'x' });
        for (const row of r.rows) {
          expect(row.column1).toMatch(/^[0-9A-Z]{5}$/);
          expect(row.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
      }),
    );
  });
});

describe('CMS MUE practitioner file parser', () => {
  const parsed = parseMueFile(fixture('mue-practitioner-sample.csv'), {
    sourceQuarter: '2025Q4',
    effectiveFrom: '2025-10-01',
    effectiveTo: '2025-12-31',
  });
  it('reads CSV with quoted fields and MAI text, CRLF line ends', () => {
    expect(parsed.rows).toHaveLength(6);
    expect(parsed.rows[0]).toMatchObject({
      code: '97110',
      maxUnitsPerDos: 6,
      mai: 3,
      effectiveFrom: '2025-10-01',
    });
    expect(parsed.issues).toEqual([{ line: 10, message: 'MUE value is not a whole number' }]);
    expect(checkMue('97161', 2, '2025-11-01', parsed.rows)?.allowed).toBe(1);
    expect(checkMue('97161', 2, '2026-01-01', parsed.rows)).toBeUndefined();
  });
});

describe('helpers and dataset', () => {
  it('splits tabs and quoted CSV', () => {
    expect(splitFields('a\tb\t')).toEqual(['a', 'b', '']);
    expect(splitFields('"a,1","b ""q""",c')).toEqual(['a,1', 'b "q"', 'c']);
  });
  it('CMS dates', () => {
    expect(parseCmsDate('20201001')).toBe('2020-10-01');
    expect(parseCmsDate('*')).toBeNull();
    expect(parseCmsDate('20200230')).toBeUndefined();
  });
  it('builds a valid versioned dataset, optionally limited to the PT code table', () => {
    const ptp = parsePtpFile(fixture('ptp-practitioner-sample.txt'), { sourceQuarter: '2025Q4' }).rows;
    const mue = parseMueFile(fixture('mue-practitioner-sample.csv'), {
      sourceQuarter: '2025Q4',
      effectiveFrom: '2025-10-01',
    }).rows;
    const ds = buildNcciDataset('2025Q4', ['a', 'b'], ptp, mue, (c) => lookupCode(c)?.alwaysTherapy === true);
    expect(NcciDatasetSchema.parse(JSON.parse(JSON.stringify(ds)))).toEqual(ds);
    expect(ds.mue.map((r) => r.code)).not.toContain('99213');
    expect(ds.mue.map((r) => r.code)).not.toContain('20560');
  });
});

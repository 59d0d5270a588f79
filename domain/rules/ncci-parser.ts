// Pure parsers for CMS's quarterly NCCI practitioner files: text in, typed rows out, problems as issues
// (never an exception, never a partial row). I/O lives in scripts/import-ncci.ts.
//
// PTP (practitioner) file: tab-delimited text after a few header/copyright lines, columns
//   Column 1 | Column 2 | * = in existence prior to 1996 | Effective Date (YYYYMMDD) |
//   Deletion Date (YYYYMMDD, * = no data) | Modifier (0 not allowed, 1 allowed, 9 not applicable) | PTP Edit Rationale
// MUE (practitioner) file: CSV after header/copyright lines, columns
//   HCPCS/CPT Code | Practitioner Services MUE Values | MUE Adjudication Indicator ("2 Date of Service Edit: Policy") |
//   MUE Rationale
import { z } from 'zod';
import { addDays, isIsoDate } from '../core/dates.js';
import type { Mai, MueRow, PtpRow } from './types.js';

export interface ParseIssue {
  line: number;
  message: string;
}

export interface ParseResult<T> {
  rows: T[];
  issues: ParseIssue[];
  /** Lines recognised as header/copyright text and skipped. */
  skipped: number;
}

const CODE = /^(\d{4}[0-9A-Z]|[A-Z]\d{4})$/;

/** Splits one line: tab-delimited when it has tabs, else CSV with double-quote escaping. */
export function splitFields(line: string): string[] {
  if (line.includes('\t')) return line.split('\t').map((f) => f.trim());
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** CMS dates are YYYYMMDD; '*' or empty = none. Returns undefined when malformed. */
export function parseCmsDate(value: string): string | null | undefined {
  const v = value.trim();
  if (v === '' || v === '*') return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  return isIsoDate(iso) ? iso : undefined;
}

function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
}

export interface PtpParseOptions {
  sourceQuarter: string;
  edition?: 'practitioner' | 'hospital';
  source?: string;
}

export function parsePtpFile(text: string, options: PtpParseOptions): ParseResult<PtpRow> {
  const rows: PtpRow[] = [];
  const issues: ParseIssue[] = [];
  let skipped = 0;
  lines(text).forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    const f = splitFields(raw);
    const c1 = (f[0] ?? '').toUpperCase();
    if (!CODE.test(c1)) {
      skipped++;
      return;
    }
    if (f.length < 6) {
      issues.push({ line: lineNo, message: `expected at least 6 fields, found ${f.length}` });
      return;
    }
    const c2 = f[1]!.toUpperCase();
    const effective = parseCmsDate(f[3]!);
    const deleted = parseCmsDate(f[4]!);
    const indicator = f[5]!.trim();
    if (!CODE.test(c2))
      return void issues.push({ line: lineNo, message: 'column 2 is not a procedure code' });
    if (!effective) return void issues.push({ line: lineNo, message: 'effective date is not YYYYMMDD' });
    if (deleted === undefined)
      return void issues.push({ line: lineNo, message: 'deletion date is not YYYYMMDD or *' });
    if (!/^\d$/.test(indicator))
      return void issues.push({ line: lineNo, message: 'modifier indicator is not a digit' });
    const row: PtpRow = {
      column1: c1,
      column2: c2,
      modifierIndicator: indicator,
      deletedOn: deleted,
      effectiveFrom: effective,
      // CMS deletes an edit as of the deletion date: the last day it applies is the day before.
      effectiveTo: deleted === null ? null : addDays(deleted, -1),
      edition: options.edition ?? 'practitioner',
      sourceQuarter: options.sourceQuarter,
      source: options.source ?? `CMS NCCI PTP ${options.sourceQuarter}`,
    };
    if (f[6]) row.rationale = f[6];
    if (indicator !== '0' && indicator !== '1') {
      row.verify = `modifier indicator ${indicator}: treated as no bypass; check the file legend`;
    }
    rows.push(row);
  });
  return { rows, issues, skipped };
}

export interface MueParseOptions {
  sourceQuarter: string;
  /** MUE files carry no per-row dates: the quarter's effective window applies to every row. */
  effectiveFrom: string;
  effectiveTo?: string | null;
  source?: string;
}

export function parseMueFile(text: string, options: MueParseOptions): ParseResult<MueRow> {
  const rows: MueRow[] = [];
  const issues: ParseIssue[] = [];
  let skipped = 0;
  lines(text).forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    const f = splitFields(raw);
    const code = (f[0] ?? '').toUpperCase();
    if (!CODE.test(code)) {
      skipped++;
      return;
    }
    if (f.length < 3)
      return void issues.push({ line: lineNo, message: `expected at least 3 fields, found ${f.length}` });
    const value = f[1]!;
    if (!/^\d+$/.test(value))
      return void issues.push({ line: lineNo, message: 'MUE value is not a whole number' });
    const mai = Number(/^\s*(\d)/.exec(f[2]!)?.[1]);
    if (mai !== 1 && mai !== 2 && mai !== 3)
      return void issues.push({ line: lineNo, message: 'MAI is not 1, 2 or 3' });
    rows.push({
      code,
      maxUnitsPerDos: Number(value),
      mai: mai as Mai,
      rationale: f[3] ?? '',
      sourceQuarter: options.sourceQuarter,
      effectiveFrom: options.effectiveFrom,
      effectiveTo: options.effectiveTo ?? null,
      source: options.source ?? `CMS MUE practitioner ${options.sourceQuarter}`,
    });
  });
  return { rows, issues, skipped };
}

const EffectiveShape = {
  effectiveFrom: z.string().refine(isIsoDate),
  effectiveTo: z.string().refine(isIsoDate).nullable(),
  source: z.string(),
  verify: z.string().optional(),
};

/** The versioned data file the importer writes; validated when loaded. */
export const NcciDatasetSchema = z.object({
  kind: z.literal('ncci-dataset'),
  version: z.literal(1),
  sourceQuarter: z.string(),
  importedFrom: z.array(z.string()),
  ptp: z.array(
    z.object({
      ...EffectiveShape,
      column1: z.string().regex(CODE),
      column2: z.string().regex(CODE),
      modifierIndicator: z.string(),
      deletedOn: z.string().nullable(),
      edition: z.enum(['practitioner', 'hospital']),
      sourceQuarter: z.string(),
      rationale: z.string().optional(),
    }),
  ),
  mue: z.array(
    z.object({
      ...EffectiveShape,
      code: z.string().regex(CODE),
      maxUnitsPerDos: z.number().int().min(0),
      mai: z.union([z.literal(1), z.literal(2), z.literal(3)]),
      rationale: z.string(),
      sourceQuarter: z.string(),
    }),
  ),
});

export type NcciDataset = z.infer<typeof NcciDatasetSchema>;

export function buildNcciDataset(
  sourceQuarter: string,
  importedFrom: string[],
  ptp: readonly PtpRow[],
  mue: readonly MueRow[],
  keepCode: (code: string) => boolean = () => true,
): NcciDataset {
  return {
    kind: 'ncci-dataset',
    version: 1,
    sourceQuarter,
    importedFrom,
    ptp: ptp.filter((r) => keepCode(r.column1) && keepCode(r.column2)),
    mue: mue.filter((r) => keepCode(r.code)),
  };
}

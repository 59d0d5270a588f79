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
  if (line.includes('\t')) return line.split('\t').map((field) => field.trim());
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field.trim());
      field = '';
    } else field += ch;
  }
  out.push(field.trim());
  return out;
}

/** CMS dates are YYYYMMDD; '*' or empty = none. Returns undefined when malformed. */
export function parseCmsDate(value: string): string | null | undefined {
  const text = value.trim();
  if (text === '' || text === '*') return null;
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!match) return undefined;
  const iso = `${match[1]}-${match[2]}-${match[3]}`;
  return isIsoDate(iso) ? iso : undefined;
}

function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
}

/**
 * The loop both CMS files share: blank lines are ignored, lines whose first field is not a procedure code are
 * header or copyright text (skipped), and every other line becomes a row or, when `parseRow` answers with a
 * message instead, an issue naming its line.
 */
function parseCodeLines<T extends object>(
  text: string,
  parseRow: (fields: string[], code: string) => T | string,
): ParseResult<T> {
  const rows: T[] = [];
  const issues: ParseIssue[] = [];
  let skipped = 0;
  lines(text).forEach((raw, index) => {
    if (raw.trim() === '') return;
    const fields = splitFields(raw);
    const code = (fields[0] ?? '').toUpperCase();
    if (!CODE.test(code)) {
      skipped++;
      return;
    }
    const parsed = parseRow(fields, code);
    if (typeof parsed === 'string') issues.push({ line: index + 1, message: parsed });
    else rows.push(parsed);
  });
  return { rows, issues, skipped };
}

export interface PtpParseOptions {
  sourceQuarter: string;
  edition?: 'practitioner' | 'hospital';
  source?: string;
}

export function parsePtpFile(text: string, options: PtpParseOptions): ParseResult<PtpRow> {
  return parseCodeLines(text, (fields, column1): PtpRow | string => {
    if (fields.length < 6) return `expected at least 6 fields, found ${fields.length}`;
    const [, column2Text = '', , effectiveText = '', deletedText = '', indicatorText = '', rationale] =
      fields;
    const column2 = column2Text.toUpperCase();
    const effective = parseCmsDate(effectiveText);
    const deleted = parseCmsDate(deletedText);
    const indicator = indicatorText.trim();
    if (!CODE.test(column2)) return 'column 2 is not a procedure code';
    if (!effective) return 'effective date is not YYYYMMDD';
    if (deleted === undefined) return 'deletion date is not YYYYMMDD or *';
    if (!/^\d$/.test(indicator)) return 'modifier indicator is not a digit';
    const row: PtpRow = {
      column1,
      column2,
      modifierIndicator: indicator,
      deletedOn: deleted,
      effectiveFrom: effective,
      // CMS deletes an edit as of the deletion date: the last day it applies is the day before.
      effectiveTo: deleted === null ? null : addDays(deleted, -1),
      edition: options.edition ?? 'practitioner',
      sourceQuarter: options.sourceQuarter,
      source: options.source ?? `CMS NCCI PTP ${options.sourceQuarter}`,
    };
    if (rationale) row.rationale = rationale;
    if (indicator !== '0' && indicator !== '1') {
      row.verify = `modifier indicator ${indicator}: treated as no bypass; check the file legend`;
    }
    return row;
  });
}

export interface MueParseOptions {
  sourceQuarter: string;
  /** MUE files carry no per-row dates: the quarter's effective window applies to every row. */
  effectiveFrom: string;
  effectiveTo?: string | null;
  source?: string;
}

function isMai(value: number): value is Mai {
  return value === 1 || value === 2 || value === 3;
}

export function parseMueFile(text: string, options: MueParseOptions): ParseResult<MueRow> {
  return parseCodeLines(text, (fields, code): MueRow | string => {
    if (fields.length < 3) return `expected at least 3 fields, found ${fields.length}`;
    const [, value = '', indicatorText = '', rationale = ''] = fields;
    if (!/^\d+$/.test(value)) return 'MUE value is not a whole number';
    const mai = Number(/^\s*(\d)/.exec(indicatorText)?.[1]);
    if (!isMai(mai)) return 'MAI is not 1, 2 or 3';
    return {
      code,
      maxUnitsPerDos: Number(value),
      mai,
      rationale,
      sourceQuarter: options.sourceQuarter,
      effectiveFrom: options.effectiveFrom,
      effectiveTo: options.effectiveTo ?? null,
      source: options.source ?? `CMS MUE practitioner ${options.sourceQuarter}`,
    };
  });
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
    ptp: ptp.filter((row) => keepCode(row.column1) && keepCode(row.column2)),
    mue: mue.filter((row) => keepCode(row.code)),
  };
}

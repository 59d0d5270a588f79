// A fee schedule from CSV, validated row by row. The header names the columns — `code`, `charge` and optionally
// `expected_allowed` (dollars, at most two decimals; a leading $ and thousands commas inside quotes are
// accepted) — in any order. Every defect is reported with its line (1 = the header) and column (name and
// 1-based position); a file with any defect yields no rows at all, so an import is all or nothing.
export interface FeeScheduleCsvRow {
  /** The CSV line the row came from. */
  line: number;
  code: string;
  chargeCents: number;
  expectedAllowedCents: number | null;
}

export interface FeeScheduleCsvError {
  line: number;
  /** Column name as the header should have it (or `header`/`row` for defects of the whole line). */
  column: string;
  /** 1-based column position, when the defect is in one cell. */
  columnNumber?: number;
  detail: string;
}

export type FeeScheduleCsvResult =
  { ok: true; rows: FeeScheduleCsvRow[] } | { ok: false; errors: FeeScheduleCsvError[] };

const COLUMNS = ['code', 'charge', 'expected_allowed'] as const;
type Column = (typeof COLUMNS)[number];
/** More rows than any PT chargemaster has: a bigger file is a mistake (or an attack), not a schedule. */
export const MAX_FEE_ROWS = 5_000;
/** At most this many errors are reported; the first ones are what a person fixes first. */
const MAX_ERRORS = 50;
/** CPT (five digits, or four digits + F/T) or HCPCS level II (a letter + four digits). */
const CODE = /^(\d{5}|\d{4}[FT]|[A-V]\d{4})$/;
const MONEY = /^\$?(\d{1,3}(,\d{3})+|\d{1,7})(\.\d{1,2})?$/;

/** Splits one CSV line (RFC 4180 quoting: "a ""b""", commas inside quotes). Undefined on an open quote. */
function splitLine(text: string): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  if (quoted) return undefined;
  cells.push(cell.trim());
  return cells;
}

function cents(text: string): number | undefined {
  if (!MONEY.test(text)) return undefined;
  const [whole, frac = ''] = text.replace(/[$,]/g, '').split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Parses and validates a fee schedule CSV: every row, or every defect with its line and column. */
export function parseFeeScheduleCsv(csv: string): FeeScheduleCsvResult {
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const errors: FeeScheduleCsvError[] = [];
  const fail = (e: FeeScheduleCsvError) => {
    if (errors.length < MAX_ERRORS) errors.push(e);
  };
  const header = lines.length > 0 ? splitLine(lines[0]!) : undefined;
  if (!header || header.every((h) => h === '')) {
    return {
      ok: false,
      errors: [
        { line: 1, column: 'header', detail: 'a header line is required (code,charge[,expected_allowed])' },
      ],
    };
  }
  const position = new Map<Column, number>();
  header.forEach((raw, i) => {
    const name = raw.toLowerCase();
    if (!(COLUMNS as readonly string[]).includes(name)) {
      fail({
        line: 1,
        column: 'header',
        columnNumber: i + 1,
        detail: `unknown column (expected one of ${COLUMNS.join(', ')})`,
      });
    } else if (position.has(name as Column)) {
      fail({ line: 1, column: name, columnNumber: i + 1, detail: 'column appears twice' });
    } else position.set(name as Column, i);
  });
  for (const required of ['code', 'charge'] as const) {
    if (!position.has(required))
      fail({ line: 1, column: required, detail: 'required column is missing from the header' });
  }
  if (errors.length > 0) return { ok: false, errors };
  if (lines.length === 1)
    return { ok: false, errors: [{ line: 2, column: 'row', detail: 'the schedule has no rows' }] };
  if (lines.length - 1 > MAX_FEE_ROWS) {
    return {
      ok: false,
      errors: [{ line: MAX_FEE_ROWS + 2, column: 'row', detail: `at most ${MAX_FEE_ROWS} rows` }],
    };
  }

  const rows: FeeScheduleCsvRow[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const text = lines[i]!;
    if (text.trim() === '') {
      fail({ line, column: 'row', detail: 'empty line inside the schedule' });
      continue;
    }
    const cells = splitLine(text);
    if (!cells) {
      fail({ line, column: 'row', detail: 'unterminated quote' });
      continue;
    }
    if (cells.length !== header.length) {
      fail({ line, column: 'row', detail: `expected ${header.length} cells, found ${cells.length}` });
      continue;
    }
    const cell = (c: Column) => {
      const at = position.get(c);
      return at === undefined ? undefined : { text: cells[at]!, columnNumber: at + 1 };
    };
    const code = cell('code')!;
    const charge = cell('charge')!;
    const allowed = cell('expected_allowed');
    let ok = true;
    const codeText = code.text.toUpperCase();
    if (!CODE.test(codeText)) {
      fail({
        line,
        column: 'code',
        columnNumber: code.columnNumber,
        detail: 'not a CPT or HCPCS code (five characters, e.g. 97110 or G0283)',
      });
      ok = false;
    } else if (seen.has(codeText)) {
      fail({
        line,
        column: 'code',
        columnNumber: code.columnNumber,
        detail: `code repeated (first on line ${seen.get(codeText)})`,
      });
      ok = false;
    } else seen.set(codeText, line);
    const chargeCents = cents(charge.text);
    if (chargeCents === undefined || chargeCents <= 0) {
      fail({
        line,
        column: 'charge',
        columnNumber: charge.columnNumber,
        detail: 'not a positive dollar amount (e.g. 65.00)',
      });
      ok = false;
    }
    let expectedAllowedCents: number | null = null;
    if (allowed && allowed.text !== '') {
      const value = cents(allowed.text);
      if (value === undefined) {
        fail({
          line,
          column: 'expected_allowed',
          columnNumber: allowed.columnNumber,
          detail: 'not a dollar amount (e.g. 29.50), or leave it empty',
        });
        ok = false;
      } else expectedAllowedCents = value;
    }
    if (ok) rows.push({ line, code: codeText, chargeCents: chargeCents!, expectedAllowedCents });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rows };
}

// Imports one quarter of CMS NCCI practitioner files into a versioned data file. All I/O is here; parsing and
// validation are the pure functions in domain/rules/ncci-parser.ts.
//
//   npx tsx scripts/import-ncci.ts --quarter 2025Q4 --effective-from 2025-10-01 --effective-to 2025-12-31 \
//     --ptp ccipra-v314r0-f1.txt --ptp ccipra-v314r0-f2.txt --mue MCR_MUE_PractitionerServices.csv \
//     [--pt-only] [--out domain/rules/data/imported/ncci-2025Q4.json]
//
// Exit codes: 0 ok, 1 bad arguments, 2 parse issues (the file is still written unless --strict).
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lookupCode } from '../domain/codes/cpt.js';
import { isIsoDate } from '../domain/core/dates.js';
import {
  buildNcciDataset,
  parseMueFile,
  parsePtpFile,
  type ParseIssue,
} from '../domain/rules/ncci-parser.js';
import type { MueRow, PtpRow } from '../domain/rules/types.js';

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      quarter: { type: 'string' },
      'effective-from': { type: 'string' },
      'effective-to': { type: 'string' },
      ptp: { type: 'string', multiple: true, default: [] },
      mue: { type: 'string', multiple: true, default: [] },
      'pt-only': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const quarter = values.quarter;
  const from = values['effective-from'];
  const to = values['effective-to'] ?? null;
  if (
    !quarter ||
    !/^\d{4}Q[1-4]$/.test(quarter) ||
    !from ||
    !isIsoDate(from) ||
    (to !== null && !isIsoDate(to))
  ) {
    console.error(
      'usage: import-ncci --quarter YYYYQn --effective-from YYYY-MM-DD [--effective-to YYYY-MM-DD] --ptp FILE… --mue FILE… [--pt-only] [--strict] [--out FILE]',
    );
    return 1;
  }
  if (values.ptp.length === 0 && values.mue.length === 0) {
    console.error('import-ncci: give at least one --ptp or --mue file');
    return 1;
  }
  const report = (file: string, issues: ParseIssue[]) => {
    for (const issue of issues.slice(0, 20)) console.error(`${file}:${issue.line}: ${issue.message}`);
    if (issues.length > 20) console.error(`${file}: … ${issues.length - 20} more issue(s)`);
  };
  let issueCount = 0;
  const ptp: PtpRow[] = [];
  for (const file of values.ptp) {
    const r = parsePtpFile(readFileSync(file, 'latin1'), { sourceQuarter: quarter });
    report(file, r.issues);
    issueCount += r.issues.length;
    ptp.push(...r.rows);
  }
  const mue: MueRow[] = [];
  for (const file of values.mue) {
    const r = parseMueFile(readFileSync(file, 'latin1'), {
      sourceQuarter: quarter,
      effectiveFrom: from,
      effectiveTo: to,
    });
    report(file, r.issues);
    issueCount += r.issues.length;
    mue.push(...r.rows);
  }
  if (values.strict && issueCount > 0) {
    console.error(`import-ncci: ${issueCount} issue(s); nothing written (--strict)`);
    return 2;
  }
  const keep = values['pt-only'] ? (code: string) => lookupCode(code) !== undefined : undefined;
  const dataset = buildNcciDataset(quarter, [...values.ptp, ...values.mue], ptp, mue, keep);
  const out = resolve(values.out ?? `domain/rules/data/imported/ncci-${quarter}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(dataset, null, 1)}\n`);
  console.log(`import-ncci: ${dataset.ptp.length} PTP row(s), ${dataset.mue.length} MUE row(s) → ${out}`);
  return issueCount > 0 ? 2 : 0;
}

process.exitCode = main(process.argv.slice(2));

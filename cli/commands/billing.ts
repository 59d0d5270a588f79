// `ptflow billing export --date YYYY-MM-DD --format csv|837p [--out <file>]` (recon): one date of service's
// charges of the key's practice from the running API (GET /v1/billing/charges), written to a file or stdout.
// Bad options are refused before any request, naming the option; API failures are one line (api-client.ts).
import fs from 'node:fs';
import type { Command } from 'commander';
import { isIsoDate } from '../../domain/core/dates.js';
import type { ApiClientConfig } from '../config.js';
import { ApiCliError, createApiClient, EXIT, type ApiClient } from './api-client.js';

/** Writes text as is (the export's own line ends are kept). */
type Out = (text: string) => void;

export const EXPORT_FORMATS = ['csv', '837p'] as const;

export interface BillingExportOptions {
  date: string;
  format: string;
  out?: string;
}

/** Runs the export; returns what was written (counts from the API's headers). */
export async function runBillingExport(
  config: ApiClientConfig,
  out: Out,
  opts: BillingExportOptions,
  client: ApiClient = createApiClient(config),
): Promise<{ claims: number; lines: number; bytes: number }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.date) || !isIsoDate(opts.date)) {
    throw new ApiCliError('--date must be a calendar date YYYY-MM-DD', EXIT.input);
  }
  if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) {
    throw new ApiCliError(`--format must be one of: ${EXPORT_FORMATS.join(', ')}`, EXIT.input);
  }
  if (!client.getText) throw new ApiCliError('this API client cannot download exports', EXIT.failed);
  const { text, headers } = await client.getText(
    `/v1/billing/charges?date=${opts.date}&format=${opts.format}`,
    opts.format === 'csv' ? 'text/csv' : 'application/edi-x12',
  );
  const claims = Number(headers.get('ptflow-export-claims') ?? '0');
  const lines = Number(headers.get('ptflow-export-lines') ?? '0');
  if (opts.out) {
    fs.writeFileSync(opts.out, text, { mode: 0o600 });
    out(
      `${opts.out}: ${claims} claim(s), ${lines} line(s) of ${opts.date} (${opts.format}); skipped: ${headers.get('ptflow-export-skipped') ?? 'none'}\n`,
    );
  } else {
    out(text);
  }
  return { claims, lines, bytes: Buffer.byteLength(text) };
}

/** `ptflow billing export` on the `billing` command group. */
export function registerBillingCommands(program: Command, config: () => ApiClientConfig, out: Out): void {
  program
    .command('billing')
    .description('billing-system connectivity')
    .command('export')
    .description('charges of one date of service via the API: the documented CSV or an 837P batch')
    .requiredOption('--date <YYYY-MM-DD>', 'date of service')
    .option('--format <csv|837p>', 'csv (one row per claim line) or 837p (X12 005010X222A1 batch)', 'csv')
    .option('--out <file>', 'write to this file (mode 600) instead of stdout')
    .action(async (opts: BillingExportOptions) => {
      await runBillingExport(config(), out, opts);
    });
}

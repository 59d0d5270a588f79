// `ptflow claim preview <visit.json>` and `ptflow x12 parse <file>`: what the billing brain would do with a
// visit (coded lines, scrub findings, the 837P) and what an X12 file says (typed JSON). Expected problems
// (unreadable file, invalid visit, broken X12) are one clear line each, never a stack trace.
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import {
  ClaimPreviewInputError,
  previewClaim,
  type ClaimPreview,
  type ClaimPreviewInput,
} from '../../connectors/payer/preview.js';
import { parseRealtimeRequest } from '../../connectors/payer/sandbox/x12-in.js';
import { X12ParseError, parseX12 } from '../../connectors/payer/x12/index.js';

/** An expected failure: the message is safe to print (no file contents). */
export class PayerCliError extends Error {
  override readonly name = 'PayerCliError';
}

const MAX_FILE_BYTES = 10 * 1024 * 1024;

async function readSmallFile(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new PayerCliError(`${file} is not a file`);
    if (info.size > MAX_FILE_BYTES) throw new PayerCliError(`${file} is larger than ${MAX_FILE_BYTES} bytes`);
    return await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof PayerCliError) throw err;
    throw new PayerCliError(`cannot read ${file} (${(err as { code?: string }).code ?? 'error'})`);
  }
}

/** A bare visit, or a visit with the KX accrual and claim header the preview should use. */
const PreviewFileSchema = z.union([
  z.object({
    visit: z.unknown(),
    kx: z.object({ accruedAllowedCents: z.number().int().min(0) }).optional(),
    patientControlNumber: z.string().min(1).max(38).optional(),
    priorAuthNumber: z.string().min(1).max(50).optional(),
    referringNpi: z.string().optional(),
    episode: z
      .strictObject({
        planOfCare: z.strictObject({
          firstTreatmentDate: z.iso.date(),
          pocEndDate: z.iso.date().optional(),
          signedDate: z.iso.date().optional(),
          verbalOrderDate: z.iso.date().optional(),
          referralSignedAndDated: z.boolean().optional(),
          transmittedToReferrerDate: z.iso.date().optional(),
          delayJustification: z.boolean().optional(),
        }),
        treatmentDays: z.array(z.iso.date()),
        progressReports: z.array(z.iso.date()),
      })
      .optional(),
    asOf: z.iso.date().optional(),
  }),
  z.unknown().transform((visit) => ({ visit })),
]);

const fmtCents = (c: number): string => `$${(c / 100).toFixed(2)}`;

export async function claimPreview(file: string, write: (s: string) => void): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await readSmallFile(file));
  } catch (err) {
    if (err instanceof PayerCliError) throw err;
    throw new PayerCliError(`${file} is not valid JSON`);
  }
  const input = PreviewFileSchema.parse(json) as z.infer<typeof PreviewFileSchema> & {
    kx?: { accruedAllowedCents: number };
    patientControlNumber?: string;
    priorAuthNumber?: string;
    referringNpi?: string;
  };
  let preview: ClaimPreview;
  try {
    preview = await previewClaim(input as ClaimPreviewInput);
  } catch (err) {
    if (err instanceof ClaimPreviewInputError) {
      throw new PayerCliError(`${file} is not a valid visit:\n${err.issues.map((i) => `  ${i}`).join('\n')}`);
    }
    throw err;
  }
  write(
    `Payer ${preview.payer.name} (${preview.payer.payerId}), units by ${preview.method}, ${preview.totalTimedMinutes} timed minutes\n\n`,
  );
  write('Coded lines\n');
  for (const l of preview.lines) {
    const mods = l.modifiers.length ? `-${l.modifiers.join('-')}` : '';
    write(
      `  ${l.lineNumber}. ${l.code}${mods} × ${l.units}  ${fmtCents(l.chargeCents)}  (${l.furnishedBy})\n`,
    );
    for (const a of l.audit) write(`       ${a}\n`);
  }
  write(`\nFindings (${preview.submittable ? 'submittable' : 'BLOCKED'})\n`);
  if (preview.findings.length === 0) write('  none\n');
  for (const f of preview.findings)
    write(`  [${f.severity}] ${f.code} ${f.field}: ${f.message}\n      fix: ${f.fix}\n`);
  if (preview.x12) write(`\n837P\n${preview.x12}`);
  else write(`\n837P not generated: ${preview.x12Error ?? 'unknown reason'}\n`);
}

export async function x12Parse(file: string, write: (s: string) => void): Promise<void> {
  const text = await readSmallFile(file);
  let out: unknown;
  try {
    out = parseX12(text);
  } catch (err) {
    if (!(err instanceof X12ParseError)) throw err;
    // Our own outbound real-time requests (270/276/278) are not inbound transactions of the codec.
    if (err.code !== 'UNSUPPORTED_TRANSACTION') throw new PayerCliError(`${file}: ${err.message}`);
    try {
      out = parseRealtimeRequest(text);
    } catch (inner) {
      if (inner instanceof X12ParseError) throw new PayerCliError(`${file}: ${err.message}`);
      throw inner;
    }
  }
  write(`${JSON.stringify(out, null, 2)}\n`);
}

// `ptflow claim preview <visit.json>` and `ptflow x12 parse <file>`: what the billing brain would do with a
// visit (coded lines, scrub findings, the 837P) and what an X12 file says (typed JSON). Expected problems
// (unreadable file, invalid visit, broken X12) are one clear line each, never a stack trace.
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { buildClaim } from '../../domain/billing/build-claim.js';
import { codeVisit } from '../../domain/billing/code-visit.js';
import { VisitSchema } from '../../domain/model/visit.js';
import { payerProfileOn } from '../../domain/rules/payers.js';
import { scrubClaim } from '../../domain/scrubber/index.js';
import { InMemoryControlNumbers, transactionControlNumber } from '../../connectors/payer/control-numbers.js';
import { toClaim837, toClaimBatch } from '../../connectors/payer/mapping.js';
import { sandboxPayerDirectory } from '../../connectors/payer/sandbox/plans.js';
import { parseRealtimeRequest } from '../../connectors/payer/sandbox/x12-in.js';
import { X12BuildError, X12ParseError, generate837P, parseX12 } from '../../connectors/payer/x12/index.js';

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
  const parsed = VisitSchema.safeParse(input.visit);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PayerCliError(`${file} is not a valid visit:\n${issues.join('\n')}`);
  }
  const visit = parsed.data;
  const profile = payerProfileOn(visit.payerId, visit.dos);
  if (!profile) throw new PayerCliError(`no payer profile for ${visit.payerId} on ${visit.dos}`);
  const coded = codeVisit(visit, { profile, ...(input.kx ? { kx: input.kx } : {}) });
  const claim = buildClaim(visit, coded, {
    id: `preview-${visit.id}`,
    patientControlNumber: input.patientControlNumber ?? `PREVIEW${visit.id}`.slice(0, 38),
    billingProvider: { npi: visit.renderingNpi },
    ...(input.referringNpi ? { referringProvider: { npi: input.referringNpi } } : {}),
    ...(input.priorAuthNumber ? { priorAuthNumber: input.priorAuthNumber } : {}),
  });
  const scrub = scrubClaim({
    claim,
    profile,
    asOf: visit.dos,
    visit,
    kxRequired: coded.kx?.applyKx ?? false,
  });

  write(
    `Payer ${profile.name} (${profile.payerId}), units by ${coded.method}, ${coded.totalTimedMinutes} timed minutes\n\n`,
  );
  write('Coded lines\n');
  for (const l of coded.lines) {
    const mods = l.modifiers.length ? `-${l.modifiers.join('-')}` : '';
    write(
      `  ${l.lineNumber}. ${l.code}${mods} × ${l.units}  ${fmtCents(l.chargeCents)}  (${l.furnishedBy})\n`,
    );
    for (const a of l.audit) write(`       ${a}\n`);
  }
  const findings = [...coded.findings, ...scrub.findings];
  write(`\nFindings (${scrub.submittable ? 'submittable' : 'BLOCKED'})\n`);
  if (findings.length === 0) write('  none\n');
  for (const f of findings)
    write(`  [${f.severity}] ${f.code} ${f.field}: ${f.message}\n      fix: ${f.fix}\n`);

  // The 837P with placeholder parties: the preview shows structure, not a patient.
  const payer = sandboxPayerDirectory().find((p) => p.payerId === visit.payerId) ?? {
    payerId: visit.payerId,
    x12PayerId:
      visit.payerId
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, '')
        .slice(0, 15) || 'PAYER',
    name: profile.name.toUpperCase(),
  };
  const numbers = await new InMemoryControlNumbers().next('PREVIEW');
  try {
    const x12 = generate837P(
      toClaimBatch(
        [
          toClaim837(
            claim,
            {
              billingProvider: {
                name: 'PREVIEW PRACTICE',
                npi: visit.renderingNpi,
                taxId: '000000000',
                address: { line1: '1 PREVIEW ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '62701' },
              },
              subscriber: { memberId: 'PREVIEWMEMBER', lastName: 'PREVIEW', firstName: 'PATIENT' },
            },
            payer,
            profile,
          ),
        ],
        {
          reference: 'PREVIEW',
          createdDate: visit.dos,
          createdTime: '12:00',
          submitter: { name: 'PTFLOW PREVIEW', id: 'PREVIEW', contactName: 'BILLING', phone: '5555550100' },
          receiver: { name: payer.name, id: payer.x12PayerId },
        },
      ),
      {
        sender: { qualifier: 'ZZ', id: 'PREVIEW' },
        receiver: { qualifier: 'ZZ', id: payer.x12PayerId },
        date: visit.dos,
        time: '12:00',
        interchangeControlNumber: numbers.interchange,
        groupControlNumber: numbers.group,
        transactionControlNumber: transactionControlNumber(),
        usage: 'T',
        lineBreaks: true,
      },
    );
    write(`\n837P\n${x12}`);
  } catch (err) {
    if (err instanceof X12BuildError) write(`\n837P not generated: ${err.message}\n`);
    else throw err;
  }
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

// Issue 13: every 837P, 270 and 276 ptflow generates — and what the sandbox payer sends (835, 277CA) — passes
// independent X12 validators with zero errors: pyx12 (5010 maps for 837P, 835, 277CA, 999) and LinuxForHealth
// x12 (270, 271, 276, 277). Public sample files published with LinuxForHealth x12 (test/fixtures/x12/public)
// are parsed by ptflow and by the validator and their totals compared. The 278 has no peer validator: its
// service loop is checked against the implementation guide in clearinghouse-grade.unit.test.ts.
// The validators live in a venv that `npm run setup` provisions (scripts/ensure-x12-validators.sh); this test
// never downloads anything.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { processVisit, sampleVisits } from '../../../bench/billing.js';
import { planByX12Id } from '../../../connectors/payer/sandbox/plans.js';
import { ack277CA, remittance835 } from '../../../connectors/payer/sandbox/x12-out-batch.js';
import {
  buildInterchange,
  generate270,
  generate276,
  generate837P,
  parse271,
  parse277,
  parse835,
  reconcile835,
  type Claim837,
} from '../../../connectors/payer/x12/index.js';
import { claimBatch, eligibilityInquiry, envelope, replacementClaim, statusInquiry } from './x12/samples.js';

const venvPython = join(
  process.env.PTFLOW_CACHE_DIR ?? join(homedir(), '.cache', 'ptflow'),
  'x12-venv',
  'bin',
  'python',
);
const script = fileURLToPath(new URL('../../helpers/x12_validate.py', import.meta.url));
const publicSample = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/x12/public/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ptflow-x12-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Verdict {
  valid: boolean;
  errors: string[];
  models?: Record<string, unknown>[];
}

let n = 0;
function validate(tool: 'pyx12' | 'lfh', x12OrPath: string, isPath = false): Verdict {
  if (!existsSync(venvPython)) {
    throw new Error(`X12 validators missing (${venvPython}): run npm run setup`);
  }
  const path = isPath ? x12OrPath : join(dir, `doc${++n}.x12`);
  if (!isPath) writeFileSync(path, x12OrPath);
  const out = execFileSync(venvPython, [script, tool, path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out) as Verdict;
}

const expectClean = (v: Verdict): void => {
  expect(v.errors).toEqual([]);
  expect(v.valid).toBe(true);
};

describe('pyx12 accepts every 837P ptflow generates', { timeout: 120_000 }, () => {
  it('the golden batch: a frequency-7 replacement with REF*F8 and a dependent claim', () => {
    expectClean(validate('pyx12', generate837P(claimBatch, envelope())));
  });

  it('coded visits of every payer profile: Medicare with KX, commercial, multi-line, CQ', () => {
    const texts = sampleVisits(30).map((v, k) => processVisit(v, k));
    // The sample covers what the issue names; fail loudly if it ever stops doing so.
    expect(texts.some((t) => /SV1\*HC:\d{5}[^~]*:KX/.test(t))).toBe(true);
    expect(texts.some((t) => /SV1\*HC:\d{5}[^~]*:CQ/.test(t))).toBe(true);
    expect(texts.some((t) => t.includes('~SBR*P*18*******CI~') || /SBR\*P\*18\*[^~]*\*CI~/.test(t))).toBe(
      true,
    );
    expect(texts.some((t) => (t.match(/~LX\*/g) ?? []).length > 1)).toBe(true);
    for (const t of texts) expectClean(validate('pyx12', t));
  });
});

describe('LinuxForHealth x12 accepts every 270 and 276 ptflow generates', { timeout: 60_000 }, () => {
  it('270 (one 2110C loop, EQ01 repeating 30^PT)', () => {
    expectClean(validate('lfh', generate270(eligibilityInquiry, envelope({ date: '2025-07-01' }))));
  });
  it('276', () => {
    expectClean(validate('lfh', generate276(statusInquiry, envelope({ date: '2025-08-01' }))));
  });
});

describe('what the sandbox payer sends passes pyx12', { timeout: 60_000 }, () => {
  const env = {
    sender: { qualifier: 'ZZ', id: 'SBXPAYER' },
    receiver: { qualifier: 'ZZ', id: 'PTF123456' },
    date: '2025-07-03',
    time: '10:00',
    interchangeControlNumber: 9001,
    groupControlNumber: 9001,
    usage: 'T' as const,
  };
  const claim: Claim837 = { ...replacementClaim, claimFilingIndicator: 'CI', frequencyCode: '1' };
  delete claim.originalClaimNumber;

  it('835: CLP06 from the 835 code list and PER*BL in loop 1000A', () => {
    const plan = planByX12Id('SBXCOMM')!;
    const paid = claim.lines.map((line) => ({
      line,
      allowedCents: line.chargeCents - 1000,
      paidCents: line.chargeCents - 1000,
      adjustments: [{ group: 'CO' as const, reasonCode: '45', amountCents: 1000 }],
      remarks: [],
    }));
    const total = paid.reduce((s, l) => s + l.paidCents, 0);
    const segments = remittance835(
      {
        plan,
        payee: { name: 'RIVERSIDE PHYSICAL THERAPY', npi: '1234567893', taxId: '123456789' },
        traceNumber: 'EFT0001',
        paymentDate: '2025-07-04',
        claims: [
          {
            claim,
            payerClaimNumber: 'SBX0001',
            frequency: '1',
            adjudication: {
              statusCode: '1',
              lines: paid,
              chargeCents: claim.totalChargeCents,
              allowedCents: total,
              paidCents: total,
              patientResponsibilityCents: 0,
              deductibleCents: 0,
            },
          },
        ],
      },
      { date: '2025-07-03', time: '10:00' },
    );
    const text = buildInterchange(env, [
      {
        functionalIdCode: 'HP',
        version: '005010X221A1',
        // As the sandbox envelopes it: no ST03 (not used in the 835).
        transactions: [
          { transactionSetId: '835', implementationReference: '', controlNumber: '0001', segments },
        ],
      },
    ]);
    expect(text).toMatch(/~CLP\*[^*]+\*1\*[^*]*\*[^*]*\*[^*]*\*12\*/);
    expect(text).toContain('~PER*BL*');
    expectClean(validate('pyx12', text));
  });

  it('277CA: the mandatory 2200C loop, and a provider-level NPI rejection', () => {
    const segments = ack277CA(
      {
        reference: 'CA0001',
        sandbox: { name: 'SANDBOX PAYER', id: 'SBXPAYER' },
        submitter: { name: 'PTFLOW CLINIC BILLING', id: 'PTF123456' },
        batchReference: 'B0001',
        claims: [
          { claim, accepted: true, payerClaimNumber: 'SBX0001' },
          { claim: { ...claim, patientControlNumber: 'PCN2' }, accepted: false, rejection: 'billing_npi' },
        ],
      },
      { date: '2025-07-03', time: '10:00' },
    );
    const text = buildInterchange(env, [
      {
        functionalIdCode: 'HN',
        version: '005010X214',
        transactions: [
          { transactionSetId: '277', implementationReference: '005010X214', controlNumber: '0001', segments },
        ],
      },
    ]);
    expectClean(validate('pyx12', text));
    const [doc] = parse277(text);
    const rejected = doc!.claims.find((c) => c.traceNumber === 'PCN2')!;
    expect(rejected.accepted).toBe(false);
    expect(rejected.providerStatuses?.[0]).toMatchObject({ category: 'A3', status: '562', entity: '85' });
  });
});

describe('public sample files: ptflow and LinuxForHealth x12 agree', { timeout: 60_000 }, () => {
  it('835 Medicare Part A: claims, paid, charges and the BPR balance with a PLB', () => {
    const path = publicSample('lfh-medicare-part-a.835');
    const v = validate('lfh', path, true);
    expectClean(v);
    const model = v.models![0] as { loop_2000: { loop_2100: { clp_segment: Record<string, string> }[] }[] };
    const theirs = model.loop_2000.flatMap((l) => l.loop_2100.map((c) => c.clp_segment));
    const [ours] = parse835(execFileSync('cat', [path], { encoding: 'utf8' }));
    expect(ours!.claims).toHaveLength(theirs.length);
    const cents = (x: unknown) => Math.round(Number(x) * 100);
    expect(ours!.claims.map((c) => c.paidCents)).toEqual(theirs.map((c) => cents(c.claim_payment_amount)));
    expect(ours!.claims.map((c) => c.chargeCents)).toEqual(
      theirs.map((c) => cents(c.total_claim_charge_amount)),
    );
    expect(reconcile835(ours!).balanced).toBe(true);
  });

  it('271 subscriber: the same number of benefits', () => {
    const path = publicSample('lfh-subscriber.271');
    const v = validate('lfh', path, true);
    expectClean(v);
    const json = JSON.stringify(v.models);
    const theirs = (json.match(/"eb_segment"/g) ?? []).length;
    const [ours] = parse271(execFileSync('cat', [path], { encoding: 'utf8' }));
    expect(ours!.benefits.length).toBe(theirs);
  });
});

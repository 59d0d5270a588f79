// `ptflow claim preview` on the shipped example: coded lines, findings and a real 837P, nothing sent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimPreview, PayerCliError, x12Parse } from '../../cli/commands/payer.js';

describe('ptflow claim preview / x12 parse', () => {
  it('codes, scrubs and serializes the example visit', async () => {
    let out = '';
    await claimPreview('examples/http/previewClaim.json', (s) => (out += s));
    expect(out).toContain('units by CMS_TOTAL_TIME, 53 timed minutes');
    expect(out).toMatch(/97110-GP(-KX)? × 2/);
    expect(out).toContain('97530-CQ-GP');
    expect(out).toMatch(/Findings \((BLOCKED|submittable)\)/);
    expect(out).toMatch(/^ISA\*00\*/m);
    expect(out).toContain('CLM*PREVIEW3f1c2a9e');
  });

  it('answers unreadable or invalid input with one clear error', async () => {
    await expect(claimPreview('examples/does-not-exist.json', () => undefined)).rejects.toBeInstanceOf(
      PayerCliError,
    );
    await expect(x12Parse('package.json', () => undefined)).rejects.toThrow(/NOT_X12/);
  });

  it('reads the POST /v1/claims/preview body and names an unknown key without its value', async () => {
    const file = path.join(os.tmpdir(), `ptflow-preview-${process.pid}.json`);
    const body = JSON.parse(fs.readFileSync('examples/http/previewClaim.json', 'utf8')) as {
      visit: object;
    };
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...body,
        kx: { accruedAllowedCents: 1 },
        visit: { ...body.visit, practiceId: 'SECRET-VALUE' },
      }),
    );
    try {
      const err = await claimPreview(file, () => undefined).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(PayerCliError);
      expect(err?.message).toContain('unknown key kx');
      expect(err?.message).toContain('/visit (unknown key practiceId)');
      expect(err?.message).not.toContain('SECRET-VALUE');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('a wrong payer id lists the valid ones; a misspelled visit field is named', async () => {
    const file = path.join(os.tmpdir(), `ptflow-preview-payer-${process.pid}.json`);
    const body = JSON.parse(fs.readFileSync('examples/http/previewClaim.json', 'utf8')) as {
      visit: Record<string, unknown>;
    };
    const failure = async (visit: Record<string, unknown>) => {
      fs.writeFileSync(file, JSON.stringify({ ...body, visit }));
      return claimPreview(file, () => undefined).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    };
    try {
      const wrongPayer = await failure({ ...body.visit, payerId: 'medicare-part-c' });
      expect(wrongPayer).toBeInstanceOf(PayerCliError);
      expect(wrongPayer?.message).toMatch(/payerId: .*valid payer ids: .*medicare-part-b/);
      const { interventions, ...rest } = body.visit;
      const misspelled = await failure({ ...rest, intervention: interventions });
      expect(misspelled).toBeInstanceOf(PayerCliError);
      expect(misspelled?.message).toContain('/visit (unknown key intervention)');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('prints the typed JSON of an 835', async () => {
    let out = '';
    await x12Parse('test/fixtures/x12/835-multi-claim.x12', (s) => (out += s));
    expect(JSON.parse(out)).toMatchObject({ interchange: { version: '00501' } });
  });

  it('--summary: per claim paid / adjusted / patient share, denial codes with meaning, the file balance; no PHI', async () => {
    let out = '';
    await x12Parse('test/fixtures/x12/835-multi-claim.x12', (s) => (out += s), { summary: true });
    expect(out).toMatch(/^835: payment \$346\.61; .* → balances$/m);
    expect(out).toContain(
      'claim 1 (payer claim 2025196000111): status 1, charged $360.00, paid $216.00, adjusted $104.00, patient responsibility $40.00',
    );
    expect(out).toMatch(/claim 2 .*status 4, charged \$150\.00, paid \$0\.00, adjusted \$150\.00/);
    expect(out).toMatch(/ {2}CO-197 \$150\.00: .+ \(denial\)/);
    expect(out).toMatch(/ {2}PR-3 \$40\.00: copay$/m);
    // No patient names, member ids or our account numbers without --full.
    for (const phi of ['DOE', 'ROE', 'POE', 'XYZ123456789', 'PCN20250701A']) expect(out).not.toContain(phi);
    let full = '';
    await x12Parse('test/fixtures/x12/835-multi-claim.x12', (s) => (full += s), {
      summary: true,
      full: true,
    });
    expect(full).toContain('PCN20250701A');
    expect(full).toContain('DOE, JANE');
  });

  it('--summary says when an 835 does not balance', async () => {
    const text = fs
      .readFileSync('test/fixtures/x12/835-multi-claim.x12', 'utf8')
      .replace('BPR*I*346.61*', 'BPR*I*346.60*');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-835-'));
    const file = path.join(dir, 'off.x12');
    fs.writeFileSync(file, text);
    let out = '';
    await x12Parse(file, (s) => (out += s), { summary: true });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(out).toMatch(/DOES NOT BALANCE/);
  });
});

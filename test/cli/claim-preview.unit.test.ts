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
    const body = JSON.parse(fs.readFileSync('examples/http/previewClaim.json', 'utf8')) as { visit: object };
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

  it('prints the typed JSON of an 835', async () => {
    let out = '';
    await x12Parse('test/fixtures/x12/835-multi-claim.x12', (s) => (out += s));
    expect(JSON.parse(out)).toMatchObject({ interchange: { version: '00501' } });
  });
});

// Acceptance (issue 3): our 837P, 270, 276 and 278 parse cleanly with an independent X12 parser (node-x12,
// strict mode), down to the transaction sets and segment counts.
import { readFileSync } from 'node:fs';
import { X12Parser, type X12Interchange } from 'node-x12';
import { describe, expect, it } from 'vitest';
import { sampleVisits, processVisit } from '../../../bench/billing.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/x12/${name}`, import.meta.url), 'utf8');

function parse(text: string): X12Interchange {
  return new X12Parser(true).parse(text) as X12Interchange;
}

describe('node-x12 reads what we generate', () => {
  it.each([
    ['837p-generated.x12', '837'],
    ['270-generated.x12', '270'],
    ['276-generated.x12', '276'],
    ['278-generated.x12', '278'],
  ])('%s', (file, set) => {
    const text = fixture(file);
    const ix = parse(text);
    const group = ix.functionalGroups[0]!;
    const tx = group.transactions[0]!;
    expect(ix.functionalGroups).toHaveLength(1);
    expect(tx.header.valueOf(1)).toBe(set);
    // SE01 counts ST..SE inclusive; node-x12 keeps the body between them.
    expect(Number(tx.trailer.valueOf(1))).toBe(tx.segments.length + 2);
    expect(group.trailer.valueOf(2)).toBe(group.header.valueOf(6));
  });

  it('parses 837Ps generated from coded visits of every payer profile', () => {
    for (const [k, visit] of sampleVisits(30).entries()) {
      const tx = parse(processVisit(visit, k)).functionalGroups[0]!.transactions[0]!;
      expect(tx.header.valueOf(1)).toBe('837');
      expect(Number(tx.trailer.valueOf(1))).toBe(tx.segments.length + 2);
    }
  });
});

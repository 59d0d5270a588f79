import { describe, it, expect } from 'vitest';
import { findOverlaps } from '../../../domain/core/effective.js';
import { NCCI_PTP_CURATED } from '../../../domain/rules/data/ncci-ptp.js';
import { MUE_CURATED } from '../../../domain/rules/data/mue.js';
import { THERAPY_THRESHOLDS } from '../../../domain/rules/data/therapy-thresholds.js';
import { FEE_SCHEDULES } from '../../../domain/rules/data/fee-schedules.js';
import { PAYER_PROFILES } from '../../../domain/rules/data/payer-profiles.js';
import { payerProfileOn, resolveUnitMethod } from '../../../domain/rules/payers.js';
import { feeOn, assistantAllowedCents } from '../../../domain/billing/fees.js';
import { ncciRulesFromDatasets } from '../../../domain/rules/dataset.js';
import * as domain from '../../../domain/index.js';

describe('rule data integrity', () => {
  it('no overlapping effective rows per key', () => {
    expect(findOverlaps(NCCI_PTP_CURATED, (r) => `${r.column1}/${r.column2}`)).toEqual([]);
    expect(findOverlaps(MUE_CURATED, (r) => r.code)).toEqual([]);
    expect(findOverlaps(THERAPY_THRESHOLDS, (r) => r.kind)).toEqual([]);
    expect(findOverlaps(FEE_SCHEDULES, (r) => `${r.practiceId}/${r.payerId}/${r.code}`)).toEqual([]);
    expect(findOverlaps(PAYER_PROFILES, (r) => r.payerId)).toEqual([]);
  });
  it('every row is sourced; VERIFY items ship flagged', () => {
    for (const r of [
      ...NCCI_PTP_CURATED,
      ...MUE_CURATED,
      ...THERAPY_THRESHOLDS,
      ...FEE_SCHEDULES,
      ...PAYER_PROFILES,
    ]) {
      expect(r.source.length).toBeGreaterThan(0);
    }
    expect(NCCI_PTP_CURATED.every((r) => r.verify)).toBe(true);
    expect(MUE_CURATED.every((r) => r.verify)).toBe(true);
    expect(FEE_SCHEDULES.every((r) => Number.isInteger(r.chargeCents))).toBe(true);
  });
  it('payer profiles by DOS, never defaulted silently', () => {
    expect(payerProfileOn('medicare-part-b', '2025-07-01')?.unitMethod).toBe('CMS_TOTAL_TIME');
    expect(payerProfileOn('commercial-ama', '2025-07-01')?.unitMethod).toBe('AMA_SPM');
    expect(payerProfileOn('ma-fastlane', '2024-08-31')).toBeUndefined();
    expect(payerProfileOn('unknown', '2025-07-01')).toBeUndefined();
    expect(payerProfileOn('ma-fastlane', '2026-02-01')?.auth.decisionWindowDays).toBe(7);
  });
  it('unit method: EITHER uses the practice default; secondary conflict per setting', () => {
    const cms = { unitMethod: 'CMS_TOTAL_TIME' as const, secondaryConflict: 'DEFER_TO_PRIMARY' as const };
    const ama = { unitMethod: 'AMA_SPM' as const, secondaryConflict: 'ALWAYS_CMS' as const };
    expect(
      resolveUnitMethod({
        unitMethod: 'EITHER',
        defaultUnitMethod: 'AMA_SPM',
        secondaryConflict: 'DEFER_TO_PRIMARY',
      }),
    ).toBe('AMA_SPM');
    expect(resolveUnitMethod(cms, ama)).toBe('CMS_TOTAL_TIME');
    expect(resolveUnitMethod(ama, cms)).toBe('CMS_TOTAL_TIME');
    expect(resolveUnitMethod({ ...ama, secondaryConflict: 'DEFER_TO_PRIMARY' }, cms)).toBe('AMA_SPM');
  });
  it('fees: payer row first, else chargemaster; CQ at 85 % from 2022', () => {
    expect(feeOn('practice-demo', 'medicare-part-b', '97110', '2026-03-01')?.expectedAllowedCents).toBe(
      2_950,
    );
    expect(feeOn('practice-demo', 'commercial-ama', '97110', '2026-03-01')?.payerId).toBe('*');
    expect(assistantAllowedCents(10_000, '2021-12-31')).toBe(10_000);
    expect(assistantAllowedCents(10_000, '2022-01-01')).toBe(8_500);
  });
  it('imported datasets validate and merge', () => {
    const ds = {
      kind: 'ncci-dataset',
      version: 1,
      sourceQuarter: '2025Q4',
      importedFrom: [],
      ptp: [],
      mue: [],
    };
    expect(ncciRulesFromDatasets([ds, ds])).toEqual({ ptp: [], mue: [] });
    expect(() => ncciRulesFromDatasets([{ kind: 'nope' }])).toThrow();
  });
  it('the barrel exposes the public API', () => {
    expect(typeof domain.codeVisit).toBe('function');
    expect(typeof domain.scrubClaim).toBe('function');
    expect(typeof domain.routeDenial).toBe('function');
  });
});

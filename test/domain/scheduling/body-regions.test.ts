import { describe, expect, it } from 'vitest';
import {
  BODY_REGIONS,
  DIAGNOSIS_REGIONS,
  REGION_SPECIALTIES,
  regionRowForDiagnosis,
  specialtyNeed,
} from '../../../domain/scheduling/index.js';
import { isIcd10CmFormat } from '../../../domain/codes/icd10.js';

describe('ICD-10 → body region → specialties', () => {
  it('low back pain (M54.5 and its 2021 split codes) → lumbar spine → spine, orthopedic', () => {
    for (const code of ['M54.5', 'M54.50', 'm54.59', 'M5451']) {
      expect(specialtyNeed({ diagnosisCode: code })).toEqual({
        region: 'lumbar-spine',
        specialties: ['spine', 'orthopedic'],
      });
    }
  });

  it('knee sprain S83 → knee → orthopedic, sports, plus post-surgical', () => {
    expect(specialtyNeed({ diagnosisCode: 'S83.511A' })).toEqual({
      region: 'knee',
      specialties: ['orthopedic', 'sports', 'post-surgical'],
    });
  });

  it('longest prefix wins (H81.10 BPPV before H81)', () => {
    expect(regionRowForDiagnosis('H81.10')?.prefix).toBe('H811');
    expect(regionRowForDiagnosis('M54.16')?.region).toBe('lumbar-spine');
    expect(regionRowForDiagnosis('M54.12')?.region).toBe('cervical-spine');
  });

  it('an explicit body region wins; code extras only apply when the regions agree', () => {
    expect(specialtyNeed({ diagnosisCode: 'S83.511A', bodyRegion: 'hip' })).toEqual({
      region: 'hip',
      specialties: ['orthopedic', 'sports'],
    });
    expect(specialtyNeed({ bodyRegion: 'vestibular' }).specialties).toEqual(['vestibular', 'neuro']);
  });

  it('an unknown code gives no region and no specialty preference', () => {
    expect(specialtyNeed({ diagnosisCode: 'Z00.00' })).toEqual({ region: undefined, specialties: [] });
  });

  it('data integrity: prefixes are unique, ICD-10-shaped and point at known regions', () => {
    const prefixes = DIAGNOSIS_REGIONS.map((r) => r.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const row of DIAGNOSIS_REGIONS) {
      expect(isIcd10CmFormat(row.prefix), row.prefix).toBe(true);
      expect(BODY_REGIONS).toContain(row.region);
    }
    for (const region of BODY_REGIONS) expect(REGION_SPECIALTIES[region]).toBeDefined();
  });
});

// Diagnosis → body region → therapist specialties. Codes come from the public-domain ICD-10-CM tabular list
// (CMS/NCHS); which specialties fit a region is clinical judgement, so the table is data with a review flag
// rather than logic. Lookup is by longest prefix, so "M54.50", "M54.51" and "M54.59" (the 2021-10-01 split
// of M54.5) all land on the M54.5 row.
import { normalizeIcd10 } from '../codes/icd10.js';
import type { BodyRegion, Specialty } from './types.js';

export interface DiagnosisRegionRow {
  /** ICD-10-CM prefix without the dot. */
  prefix: string;
  region: BodyRegion;
  /** Specialties this diagnosis adds to its region's list (e.g. ligament tears are often operated on). */
  extraSpecialties?: Specialty[];
  note: string;
}

export const REGION_SOURCE =
  'ICD-10-CM FY2025 tabular list (CMS/NCHS, public domain) for code ranges; specialty fit per region is ' +
  'practice clinical policy';
export const REGION_VERIFY = 'VERIFY: specialty lists per region to be confirmed by the clinical director';

/** One region's rows: [ICD-10-CM prefix, note] or [prefix, note, extra specialties]. */
type RegionEntry = readonly [prefix: string, note: string, extraSpecialties?: Specialty[]];

function regionRows(region: BodyRegion, entries: readonly RegionEntry[]): DiagnosisRegionRow[] {
  return entries.map(([prefix, note, extraSpecialties]) =>
    extraSpecialties ? { prefix, region, extraSpecialties, note } : { prefix, region, note },
  );
}

export const DIAGNOSIS_REGIONS: readonly DiagnosisRegionRow[] = [
  ...regionRows('lumbar-spine', [
    ['M545', 'M54.5x low back pain'],
    ['M543', 'M54.3 sciatica'],
    ['M544', 'M54.4 lumbago with sciatica'],
    ['M5416', 'M54.16 radiculopathy, lumbar region'],
    ['M5417', 'M54.17 radiculopathy, lumbosacral region'],
    ['M51', 'M51 thoracic/lumbar disc disorders'],
    ['M48', 'M48 spinal stenosis and other spondylopathies'],
    ['S33', 'S33 lumbar/pelvic joint and ligament injury'],
  ]),
  ...regionRows('cervical-spine', [
    ['M542', 'M54.2 cervicalgia'],
    ['M5412', 'M54.12 radiculopathy, cervical region'],
    ['M50', 'M50 cervical disc disorders'],
    ['S134', 'S13.4 cervical sprain (whiplash)'],
  ]),
  ...regionRows('thoracic-spine', [['M546', 'M54.6 pain in thoracic spine']]),
  ...regionRows('shoulder', [
    ['M2551', 'M25.51 pain in shoulder'],
    ['M75', 'M75 shoulder lesions (rotator cuff, adhesive capsulitis)'],
    ['S43', 'S43 shoulder girdle dislocation/sprain'],
    ['S46', 'S46 rotator cuff and shoulder muscle/tendon injury', ['post-surgical']],
  ]),
  ...regionRows('elbow', [
    ['M2552', 'M25.52 pain in elbow'],
    ['M770', 'M77.0 medial epicondylitis'],
    ['M771', 'M77.1 lateral epicondylitis'],
  ]),
  ...regionRows('wrist-hand', [
    ['M2553', 'M25.53 pain in wrist'],
    ['G560', 'G56.0 carpal tunnel syndrome'],
    ['S52', 'S52 forearm fracture', ['post-surgical']],
    ['S62', 'S62 wrist/hand fracture', ['post-surgical']],
  ]),
  ...regionRows('hip', [
    ['M2555', 'M25.55 pain in hip'],
    ['M16', 'M16 osteoarthritis of hip'],
    ['S72', 'S72 fracture of femur', ['post-surgical']],
  ]),
  ...regionRows('knee', [
    ['M2556', 'M25.56 pain in knee'],
    ['M17', 'M17 osteoarthritis of knee'],
    ['S83', 'S83 knee dislocation/sprain (ACL, meniscus)', ['post-surgical']],
  ]),
  ...regionRows('ankle-foot', [
    ['M2557', 'M25.57 pain in ankle and foot'],
    ['M722', 'M72.2 plantar fasciitis'],
    ['S93', 'S93 ankle/foot dislocation/sprain'],
    ['S82', 'S82 lower leg/ankle fracture', ['post-surgical']],
  ]),
  ...regionRows('vestibular', [
    ['H811', 'H81.1 benign paroxysmal vertigo'],
    ['H81', 'H81 disorders of vestibular function'],
    ['R42', 'R42 dizziness and giddiness'],
  ]),
  ...regionRows('balance-gait', [
    ['R26', 'R26 abnormalities of gait and mobility'],
    ['R296', 'R29.6 repeated falls'],
    ['Z9181', 'Z91.81 history of falling'],
  ]),
  ...regionRows('neurologic', [
    ['I69', 'I69 sequelae of cerebrovascular disease'],
    ['G20', 'G20 Parkinson disease'],
    ['G35', 'G35 multiple sclerosis'],
  ]),
  ...regionRows('pelvic-floor', [
    ['N393', 'N39.3 stress incontinence'],
    ['N81', 'N81 female genital prolapse'],
  ]),
  ...regionRows('post-operative', [
    ['Z471', 'Z47.1 aftercare following joint replacement'],
    ['Z4789', 'Z47.89 other orthopedic aftercare'],
  ]),
  ...regionRows('general', [['M6281', 'M62.81 muscle weakness (generalized)']]),
];

/** Specialties per region, best fit first (the first one earns the full specialty score). */
export const REGION_SPECIALTIES: Readonly<Record<BodyRegion, readonly Specialty[]>> = {
  'lumbar-spine': ['spine', 'orthopedic'],
  'cervical-spine': ['spine', 'orthopedic'],
  'thoracic-spine': ['spine', 'orthopedic'],
  shoulder: ['orthopedic', 'sports'],
  elbow: ['orthopedic', 'sports', 'hand'],
  'wrist-hand': ['hand', 'orthopedic'],
  hip: ['orthopedic', 'sports'],
  knee: ['orthopedic', 'sports'],
  'ankle-foot': ['orthopedic', 'sports'],
  vestibular: ['vestibular', 'neuro'],
  'balance-gait': ['neuro', 'geriatric', 'vestibular'],
  neurologic: ['neuro'],
  'pelvic-floor': ['pelvic-health'],
  'post-operative': ['post-surgical', 'orthopedic'],
  general: [],
};

export function regionRowForDiagnosis(code: string): DiagnosisRegionRow | undefined {
  const normalized = normalizeIcd10(code);
  let best: DiagnosisRegionRow | undefined;
  for (const row of DIAGNOSIS_REGIONS) {
    if (normalized.startsWith(row.prefix) && (best === undefined || row.prefix.length > best.prefix.length))
      best = row;
  }
  return best;
}

export interface SpecialtyNeed {
  region: BodyRegion | undefined;
  /** Ordered best fit first, without duplicates. */
  specialties: Specialty[];
}

/**
 * The specialties wanted for a request. An explicit body region (from the referral) wins over the region
 * derived from the code; the code's extra specialties still apply when both agree on the region.
 */
export function specialtyNeed(input: { diagnosisCode?: string; bodyRegion?: BodyRegion }): SpecialtyNeed {
  const row = input.diagnosisCode !== undefined ? regionRowForDiagnosis(input.diagnosisCode) : undefined;
  const region = input.bodyRegion ?? row?.region;
  if (region === undefined) return { region, specialties: [] };
  const extra = row && row.region === region ? (row.extraSpecialties ?? []) : [];
  return { region, specialties: [...new Set([...REGION_SPECIALTIES[region], ...extra])] };
}

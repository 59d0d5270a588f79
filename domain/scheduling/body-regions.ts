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

export const DIAGNOSIS_REGIONS: readonly DiagnosisRegionRow[] = [
  { prefix: 'M545', region: 'lumbar-spine', note: 'M54.5x low back pain' },
  { prefix: 'M543', region: 'lumbar-spine', note: 'M54.3 sciatica' },
  { prefix: 'M544', region: 'lumbar-spine', note: 'M54.4 lumbago with sciatica' },
  { prefix: 'M5416', region: 'lumbar-spine', note: 'M54.16 radiculopathy, lumbar region' },
  { prefix: 'M5417', region: 'lumbar-spine', note: 'M54.17 radiculopathy, lumbosacral region' },
  { prefix: 'M51', region: 'lumbar-spine', note: 'M51 thoracic/lumbar disc disorders' },
  { prefix: 'M48', region: 'lumbar-spine', note: 'M48 spinal stenosis and other spondylopathies' },
  { prefix: 'S33', region: 'lumbar-spine', note: 'S33 lumbar/pelvic joint and ligament injury' },
  { prefix: 'M542', region: 'cervical-spine', note: 'M54.2 cervicalgia' },
  { prefix: 'M5412', region: 'cervical-spine', note: 'M54.12 radiculopathy, cervical region' },
  { prefix: 'M50', region: 'cervical-spine', note: 'M50 cervical disc disorders' },
  { prefix: 'S134', region: 'cervical-spine', note: 'S13.4 cervical sprain (whiplash)' },
  { prefix: 'M546', region: 'thoracic-spine', note: 'M54.6 pain in thoracic spine' },
  { prefix: 'M2551', region: 'shoulder', note: 'M25.51 pain in shoulder' },
  { prefix: 'M75', region: 'shoulder', note: 'M75 shoulder lesions (rotator cuff, adhesive capsulitis)' },
  { prefix: 'S43', region: 'shoulder', note: 'S43 shoulder girdle dislocation/sprain' },
  {
    prefix: 'S46',
    region: 'shoulder',
    extraSpecialties: ['post-surgical'],
    note: 'S46 rotator cuff and shoulder muscle/tendon injury',
  },
  { prefix: 'M2552', region: 'elbow', note: 'M25.52 pain in elbow' },
  { prefix: 'M770', region: 'elbow', note: 'M77.0 medial epicondylitis' },
  { prefix: 'M771', region: 'elbow', note: 'M77.1 lateral epicondylitis' },
  { prefix: 'M2553', region: 'wrist-hand', note: 'M25.53 pain in wrist' },
  { prefix: 'G560', region: 'wrist-hand', note: 'G56.0 carpal tunnel syndrome' },
  { prefix: 'S52', region: 'wrist-hand', extraSpecialties: ['post-surgical'], note: 'S52 forearm fracture' },
  {
    prefix: 'S62',
    region: 'wrist-hand',
    extraSpecialties: ['post-surgical'],
    note: 'S62 wrist/hand fracture',
  },
  { prefix: 'M2555', region: 'hip', note: 'M25.55 pain in hip' },
  { prefix: 'M16', region: 'hip', note: 'M16 osteoarthritis of hip' },
  { prefix: 'S72', region: 'hip', extraSpecialties: ['post-surgical'], note: 'S72 fracture of femur' },
  { prefix: 'M2556', region: 'knee', note: 'M25.56 pain in knee' },
  { prefix: 'M17', region: 'knee', note: 'M17 osteoarthritis of knee' },
  {
    prefix: 'S83',
    region: 'knee',
    extraSpecialties: ['post-surgical'],
    note: 'S83 knee dislocation/sprain (ACL, meniscus)',
  },
  { prefix: 'M2557', region: 'ankle-foot', note: 'M25.57 pain in ankle and foot' },
  { prefix: 'M722', region: 'ankle-foot', note: 'M72.2 plantar fasciitis' },
  { prefix: 'S93', region: 'ankle-foot', note: 'S93 ankle/foot dislocation/sprain' },
  {
    prefix: 'S82',
    region: 'ankle-foot',
    extraSpecialties: ['post-surgical'],
    note: 'S82 lower leg/ankle fracture',
  },
  { prefix: 'H811', region: 'vestibular', note: 'H81.1 benign paroxysmal vertigo' },
  { prefix: 'H81', region: 'vestibular', note: 'H81 disorders of vestibular function' },
  { prefix: 'R42', region: 'vestibular', note: 'R42 dizziness and giddiness' },
  { prefix: 'R26', region: 'balance-gait', note: 'R26 abnormalities of gait and mobility' },
  { prefix: 'R296', region: 'balance-gait', note: 'R29.6 repeated falls' },
  { prefix: 'Z9181', region: 'balance-gait', note: 'Z91.81 history of falling' },
  { prefix: 'I69', region: 'neurologic', note: 'I69 sequelae of cerebrovascular disease' },
  { prefix: 'G20', region: 'neurologic', note: 'G20 Parkinson disease' },
  { prefix: 'G35', region: 'neurologic', note: 'G35 multiple sclerosis' },
  { prefix: 'N393', region: 'pelvic-floor', note: 'N39.3 stress incontinence' },
  { prefix: 'N81', region: 'pelvic-floor', note: 'N81 female genital prolapse' },
  { prefix: 'Z471', region: 'post-operative', note: 'Z47.1 aftercare following joint replacement' },
  { prefix: 'Z4789', region: 'post-operative', note: 'Z47.89 other orthopedic aftercare' },
  { prefix: 'M6281', region: 'general', note: 'M62.81 muscle weakness (generalized)' },
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
  const c = normalizeIcd10(code);
  let best: DiagnosisRegionRow | undefined;
  for (const row of DIAGNOSIS_REGIONS) {
    if (c.startsWith(row.prefix) && (best === undefined || row.prefix.length > best.prefix.length))
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

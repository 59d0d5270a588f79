// The PT code table. Code values only: CPT descriptions are AMA-copyrighted, so the `label`
// is our own short paraphrase for developers. Whether a code is timed drives every unit rule: untimed
// codes never count toward the total timed minutes T.

export type Discipline = 'PT' | 'OT' | 'SLP';

export type CodeKind =
  | 'evaluation'
  | 'reevaluation'
  | 'timed_procedure'
  | 'attended_modality'
  | 'supervised_modality'
  | 'group'
  | 'dry_needling'
  | 'em_visit'
  | 'functional_limitation_gcode';

export interface CodeInfo {
  code: string;
  label: string;
  kind: CodeKind;
  /** Billed in 15-minute units (timed) or once per encounter (untimed). */
  timed: boolean;
  /** On Medicare's "always therapy" list: needs exactly one of GP/GO/GN [R11]. */
  alwaysTherapy: boolean;
  /** Discipline the code is reserved to, when it is (evaluations). */
  discipline?: Discipline;
  /** Assistants (PTA/OTA) may not furnish it (evaluations, re-evaluations). */
  therapistOnly?: boolean;
  /** Not covered by Medicare: bill only with a voluntary ABN and GX [R20]. */
  medicareNonCovered?: boolean;
  /** Date of service range in which the code may be billed at all (inclusive). */
  validFrom?: string;
  validTo?: string;
  verify?: string;
}

const timed = (code: string, label: string, kind: CodeKind = 'timed_procedure'): CodeInfo => ({
  code,
  label,
  kind,
  timed: true,
  alwaysTherapy: true,
});
const supervised = (code: string, label: string): CodeInfo => ({
  code,
  label,
  kind: 'supervised_modality',
  timed: false,
  alwaysTherapy: true,
});

const TABLE: readonly CodeInfo[] = [
  // Evaluations are complexity-based, not time-based; 97161–97163 replaced 97001 on 2017-01-01 [R6, R7].
  ...(['97161', '97162', '97163'] as const).map((code, i): CodeInfo => ({
    code,
    label: `PT evaluation, ${['low', 'moderate', 'high'][i]} complexity`,
    kind: 'evaluation',
    timed: false,
    alwaysTherapy: true,
    discipline: 'PT',
    therapistOnly: true,
    validFrom: '2017-01-01',
  })),
  {
    code: '97164',
    label: 'PT re-evaluation',
    kind: 'reevaluation',
    timed: false,
    alwaysTherapy: true,
    discipline: 'PT',
    therapistOnly: true,
    validFrom: '2017-01-01',
  },
  ...(['97165', '97166', '97167', '97168'] as const).map((code): CodeInfo => ({
    code,
    label: code === '97168' ? 'OT re-evaluation' : 'OT evaluation',
    kind: code === '97168' ? 'reevaluation' : 'evaluation',
    timed: false,
    alwaysTherapy: true,
    discipline: 'OT',
    therapistOnly: true,
    validFrom: '2017-01-01',
  })),
  {
    code: '97001',
    label: 'PT evaluation (retired)',
    kind: 'evaluation',
    timed: false,
    alwaysTherapy: true,
    discipline: 'PT',
    therapistOnly: true,
    validTo: '2016-12-31',
  },
  timed('97110', 'Therapeutic exercise'),
  timed('97112', 'Neuromuscular re-education'),
  timed('97113', 'Aquatic therapy with exercise'),
  timed('97116', 'Gait training'),
  timed('97124', 'Massage'),
  timed('97140', 'Manual therapy techniques'),
  timed('97530', 'Therapeutic activities'),
  timed('97535', 'Self-care / home management training'),
  timed('97542', 'Wheelchair management'),
  timed('97750', 'Physical performance test or measurement'),
  timed('97755', 'Assistive technology assessment'),
  timed('97760', 'Orthotic management, initial'),
  timed('97761', 'Prosthetic training'),
  timed('97763', 'Orthotic/prosthetic management, subsequent'),
  // Attended modalities are timed; some public lists wrongly mark 97033 untimed [R8].
  timed('97032', 'Attended e-stim, manual', 'attended_modality'),
  timed('97033', 'Iontophoresis', 'attended_modality'),
  timed('97034', 'Contrast bath', 'attended_modality'),
  timed('97035', 'Ultrasound', 'attended_modality'),
  timed('97036', 'Hubbard tank', 'attended_modality'),
  supervised('97010', 'Hot/cold packs'),
  supervised('97012', 'Mechanical traction'),
  supervised('97014', 'Unattended e-stim'),
  {
    ...supervised('G0283', 'Unattended e-stim (Medicare)'),
    verify: 'Medicare uses G0283 for unattended e-stim instead of 97014 (domain-rules §2, §14)',
  },
  supervised('97016', 'Vasopneumatic device'),
  supervised('97018', 'Paraffin bath'),
  supervised('97022', 'Whirlpool'),
  supervised('97024', 'Diathermy'),
  supervised('97026', 'Infrared'),
  supervised('97028', 'Ultraviolet'),
  { code: '97150', label: 'Group therapy, per patient', kind: 'group', timed: false, alwaysTherapy: true },
  ...(['20560', '20561'] as const).map((code): CodeInfo => ({
    code,
    label: 'Dry needling',
    kind: 'dry_needling',
    timed: false,
    alwaysTherapy: false,
    medicareNonCovered: true,
  })),
  // Emergency E/M codes appear only as NCCI column-1 codes against evaluations.
  ...(['99281', '99282', '99283', '99284', '99285'] as const).map((code): CodeInfo => ({
    code,
    label: 'Emergency department visit',
    kind: 'em_visit',
    timed: false,
    alwaysTherapy: false,
  })),
];

const BY_CODE: ReadonlyMap<string, CodeInfo> = new Map(TABLE.map((c) => [c.code, c]));

export const PT_CODE_TABLE: readonly CodeInfo[] = TABLE;

export function lookupCode(code: string): CodeInfo | undefined {
  return BY_CODE.get(code);
}

/** true/false from the table; undefined for a code we do not know (the scrubber reports it). */
export function isTimedCode(code: string): boolean | undefined {
  return BY_CODE.get(code)?.timed;
}

/**
 * Functional-limitation reporting G-codes (G8978–G8999, G9158–G9186) ended for DOS ≥ 2019-01-01 [R9]:
 * we never build them, we only recognise them so the scrubber can reject them.
 */
export function isRetiredFunctionalLimitationCode(code: string): boolean {
  const match = /^G(\d{4})$/.exec(code);
  if (!match) return false;
  const number = Number(match[1]);
  return (number >= 8978 && number <= 8999) || (number >= 9158 && number <= 9186);
}

/** Valid on the date of service according to the table (retired or not-yet-existing codes are not). */
export function isCodeValidOn(info: CodeInfo, dos: string): boolean {
  return (
    (info.validFrom === undefined || dos >= info.validFrom) &&
    (info.validTo === undefined || dos <= info.validTo)
  );
}

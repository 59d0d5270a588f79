// No dead ends for a held claim (after the scrub): every finding that holds a claim names the data that clears it,
// and that data can be supplied — POST /v1/claims/{id}/corrections, the fix_claim task's outcome, or
// `ptflow claim correct` — after which the claim is coded and scrubbed again. Pure (no zod: the claim workflow
// imports it), so the same rules hold in the API, the workflow and the tests.

/** A practitioner a correction names (2310A referring/certifying): not patient data. */
export interface CorrectionProvider {
  name: string;
  firstName?: string;
  npi: string;
}

export interface CorrectionIntervention {
  code: string;
  minutes: number;
  furnishedBy: 'PT' | 'PTA' | 'PT_AND_PTA';
  sequence?: number;
}

export interface CorrectionDistinctService {
  code: string;
  modifier: 'XE' | 'XS' | 'XP' | 'XU' | '59';
  confirmedBy: string;
  documentation: string;
}

/** The subscriber's (= patient's) postal address, 837P loop 2010BA N3/N4. */
export interface CorrectionAddress {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  postalCode: string;
}

/** The data a biller may supply to release a held claim. Every field is optional; absent = unchanged. */
export interface ClaimCorrectionData {
  referringProvider?: CorrectionProvider;
  subscriberAddress?: CorrectionAddress;
  renderingNpi?: string;
  diagnoses?: string[];
  interventions?: CorrectionIntervention[];
  totalTreatmentMinutes?: number;
  placeOfService?: string;
  distinctServices?: CorrectionDistinctService[];
  dos?: string;
  priorAuthNumber?: string;
  kxAccruedAllowedCents?: number;
  /** The claim cannot be billed (timely filing expired, a duplicate): close it as written off. */
  writeOff?: boolean;
}

export type CorrectionField =
  keyof ClaimCorrectionData | 'planOfCare' | 'practitionerDirectory' | 'ruleData' | 'practiceProfile';

/**
 * For every finding code that holds a claim: the correction fields that clear it. `planOfCare` = record the
 * certification / progress report in the episode's plan of care (POST /v1/plans-of-care/{id}/…), then send any
 * correction (even an empty one) to re-check. `practitionerDirectory` = add the rendering practitioner to the
 * practice's directory (PUT /v1/practitioners/{npi}), then send any correction to re-check. `ruleData` = the
 * dated rule data lacks the row (the year's KX threshold, the practice's fee for the code): once a deployment
 * carries it, send any correction to re-check (coding runs in an activity, so it reads the deployed data).
 * `practiceProfile` = an admin completes the practice profile (PATCH /v1/practice): the claims held for it resume
 * by themselves.
 */
export const CLEARED_BY: Readonly<Record<string, readonly CorrectionField[]>> = {
  // Providers: a valid NPI, and the referring/certifying practitioner
  NPI_INVALID: ['renderingNpi', 'referringProvider'],
  REFERRING_PROVIDER_MISSING: ['referringProvider'],
  CERTIFIER_NOT_PERMITTED: ['referringProvider'],
  // 2310B names the rendering provider from the practitioner directory; a claim whose NPI it lacks is held.
  RENDERING_PROVIDER_UNKNOWN: ['practitionerDirectory', 'renderingNpi'],
  // Subscriber (2010BA N3/N4)
  SUBSCRIBER_ADDRESS_MISSING: ['subscriberAddress'],
  // Diagnoses
  DIAGNOSIS_MISSING: ['diagnoses'],
  TOO_MANY_DIAGNOSES: ['diagnoses'],
  ICD10_FORMAT_INVALID: ['diagnoses'],
  POINTER_MISSING: ['diagnoses'],
  POINTER_TOO_MANY: ['diagnoses'],
  POINTER_OUT_OF_RANGE: ['diagnoses'],
  POINTER_DUPLICATE: ['diagnoses'],
  // Lines and coding
  NO_LINES: ['interventions', 'totalTreatmentMinutes'],
  MIXED_DATES_OF_SERVICE: ['dos'],
  PLACE_OF_SERVICE_INVALID: ['placeOfService'],
  RETIRED_FLR_CODE: ['interventions'],
  UNKNOWN_CODE: ['interventions'],
  CODE_NOT_VALID_ON_DOS: ['interventions', 'dos'],
  CHARGE_NOT_POSITIVE: ['interventions', 'ruleData'],
  UNITS_NOT_POSITIVE: ['interventions'],
  UNITS_NOT_SUPPORTED: ['interventions', 'totalTreatmentMinutes'],
  TIMED_UNITS_EXCEED_TOTAL: ['interventions', 'totalTreatmentMinutes'],
  IMPOSSIBLE_MINUTES: ['interventions', 'totalTreatmentMinutes'],
  MINUTES_EXCEED_TREATMENT_TIME: ['interventions', 'totalTreatmentMinutes'],
  ASSISTANT_NOT_PERMITTED: ['interventions'],
  DISCIPLINE_MISMATCH: ['interventions'],
  MODIFIER_OVERFLOW: ['interventions', 'distinctServices'],
  DISCIPLINE_MODIFIER_MISSING: ['interventions'],
  DISCIPLINE_MODIFIER_MULTIPLE: ['interventions'],
  CQ_WITHOUT_GP: ['interventions'],
  NON_COVERED_WITHOUT_ABN: ['interventions', 'totalTreatmentMinutes', 'writeOff'],
  KX_MISSING: ['kxAccruedAllowedCents'],
  // The KX decision needs the year's threshold (rule data: no accrual figure can stand in for it) and
  // documented necessity.
  KX_THRESHOLD_MISSING: ['ruleData'],
  KX_NECESSITY_UNDOCUMENTED: ['planOfCare', 'kxAccruedAllowedCents'],
  BYPASS_MODIFIER_NOT_ALLOWED: ['distinctServices'],
  NCCI_PTP_UNRESOLVED: ['distinctServices', 'interventions'],
  NCCI_PTP_NO_BYPASS: ['distinctServices', 'interventions'],
  NCCI_BYPASS_UNDOCUMENTED: ['distinctServices'],
  MUE_EXCEEDED: ['interventions'],
  FEE_MISSING: ['interventions', 'ruleData'],
  // Authorization and episode
  AUTH_MISSING: ['priorAuthNumber'],
  AUTH_NUMBER_MISSING: ['priorAuthNumber'],
  AUTH_NUMBER_NOT_ON_CLAIM: ['priorAuthNumber'],
  AUTH_NOT_APPROVED: ['priorAuthNumber'],
  AUTH_OUTSIDE_WINDOW: ['priorAuthNumber', 'dos'],
  AUTH_VISITS_EXHAUSTED: ['priorAuthNumber'],
  AUTH_UNITS_EXHAUSTED: ['priorAuthNumber'],
  AUTH_CODE_NOT_AUTHORIZED: ['priorAuthNumber', 'interventions'],
  POC_MISSING: ['planOfCare'],
  POC_NOT_CERTIFIED: ['planOfCare'],
  POC_CERTIFICATION_LATE: ['planOfCare'],
  POC_RECERT_REQUIRED: ['planOfCare'],
  PROGRESS_REPORT_OVERDUE: ['planOfCare'],
  PROGRESS_REPORT_DUE: ['planOfCare'],
  // The practice's own parties (billing provider, pay-to, submitter) come from its profile.
  PRACTICE_PROFILE_MISSING_LEGAL_NAME: ['practiceProfile'],
  PRACTICE_PROFILE_MISSING_NPI: ['practiceProfile'],
  PRACTICE_PROFILE_MISSING_TAX_ID: ['practiceProfile'],
  PRACTICE_PROFILE_MISSING_SERVICE_ADDRESS: ['practiceProfile'],
  PRACTICE_PROFILE_MISSING_PHONE: ['practiceProfile'],
  // Submission
  TIMELY_FILING_EXPIRED: ['writeOff'],
  DUPLICATE_CLAIM: ['writeOff', 'dos', 'interventions'],
  ORIGINAL_CLAIM_NUMBER_MISSING: ['writeOff'],
  REPLACEMENT_NOT_ACCEPTED: ['writeOff'],
};

/** The fields that clear a finding (unknown codes: any visit correction, or a write-off). */
export function clearingFields(code: string): readonly CorrectionField[] {
  return CLEARED_BY[code] ?? ['interventions', 'diagnoses', 'writeOff'];
}

/** The fix_claim task's details: per holding finding, the fields that clear it (e.g. `REFERRING_PROVIDER_MISSING: referringProvider`). */
export function clearingDetails(codes: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    codes.map((c) => [`needs${c.replace(/_/g, '').slice(0, 30)}`, `${c}: ${clearingFields(c).join(' or ')}`]),
  );
}

/** What a claim case looks like to a correction (structural: activities' ClaimCase satisfies it). */
export interface CorrectableCase {
  visit: {
    renderingNpi: string;
    diagnoses: string[];
    interventions: CorrectionIntervention[];
    totalTreatmentMinutes?: number;
    placeOfService?: string;
    distinctServices?: CorrectionDistinctService[];
    dos: string;
  };
  parties: { referringProvider?: CorrectionProvider; subscriber?: { address?: CorrectionAddress } };
  priorAuthNumber?: string;
  kxAccruedAllowedCents?: number;
}

/** The case with the correction applied (absent fields unchanged). */
export function applyCorrection<C extends CorrectableCase>(c: C, fix: ClaimCorrectionData): C {
  const visit = {
    ...c.visit,
    ...(fix.renderingNpi !== undefined ? { renderingNpi: fix.renderingNpi } : {}),
    ...(fix.diagnoses !== undefined ? { diagnoses: [...fix.diagnoses] } : {}),
    ...(fix.interventions !== undefined ? { interventions: fix.interventions.map((i) => ({ ...i })) } : {}),
    ...(fix.totalTreatmentMinutes !== undefined ? { totalTreatmentMinutes: fix.totalTreatmentMinutes } : {}),
    ...(fix.placeOfService !== undefined ? { placeOfService: fix.placeOfService } : {}),
    ...(fix.distinctServices !== undefined
      ? { distinctServices: fix.distinctServices.map((d) => ({ ...d })) }
      : {}),
    ...(fix.dos !== undefined ? { dos: fix.dos } : {}),
  };
  return {
    ...c,
    visit,
    parties: {
      ...c.parties,
      ...(fix.referringProvider ? { referringProvider: { ...fix.referringProvider } } : {}),
      ...(fix.subscriberAddress
        ? { subscriber: { ...c.parties.subscriber, address: { ...fix.subscriberAddress } } }
        : {}),
    },
    ...(fix.priorAuthNumber !== undefined ? { priorAuthNumber: fix.priorAuthNumber } : {}),
    ...(fix.kxAccruedAllowedCents !== undefined ? { kxAccruedAllowedCents: fix.kxAccruedAllowedCents } : {}),
  };
}

type Outcome = Readonly<Record<string, string | number | boolean>>;

const NPI = /^\d{10}$/;
const NAME = /^[A-Za-z][A-Za-z '.-]{0,59}$/;
const ICD10 = /^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/;
const AUTHORIZATION_NUMBER = /^[A-Za-z0-9-]{1,50}$/;
const ADDRESS_KEYS = [
  'subscriberAddressLine1',
  'subscriberAddressLine2',
  'subscriberCity',
  'subscriberState',
  'subscriberPostalCode',
] as const;

/**
 * The correction carried by a completed fix_claim task (its outcome is a flat record of strings, numbers and
 * booleans): `referringProviderNpi` + `referringProviderName` [+ `referringProviderFirstName`], `renderingNpi`,
 * `diagnoses` (comma-separated), `priorAuthNumber`, `kxAccruedAllowedCents`, `totalTreatmentMinutes`,
 * `placeOfService`, `writeOff`, the subscriber's address as `subscriberAddressLine1` [+ `subscriberAddressLine2`],
 * `subscriberCity`, `subscriberState`, `subscriberPostalCode`. Invalid fields are named (never echoed); unknown
 * keys are named too.
 */
export function correctionFromTaskOutcome(outcome: Outcome): {
  data: ClaimCorrectionData;
  invalid: string[];
} {
  const data: ClaimCorrectionData = {};
  const invalid: string[] = [];
  const textField = (key: string): string | undefined => {
    const value = outcome[key];
    return value === undefined ? undefined : String(value).trim();
  };
  const known = new Set([
    'referringProviderNpi',
    'referringProviderName',
    'referringProviderFirstName',
    'renderingNpi',
    'diagnoses',
    'priorAuthNumber',
    'kxAccruedAllowedCents',
    'totalTreatmentMinutes',
    'placeOfService',
    'writeOff',
    ...ADDRESS_KEYS,
  ]);
  for (const key of Object.keys(outcome)) if (!known.has(key)) invalid.push(key);
  const refNpi = textField('referringProviderNpi');
  const refName = textField('referringProviderName');
  const refFirst = textField('referringProviderFirstName');
  if (refNpi !== undefined || refName !== undefined) {
    if (refNpi === undefined || !NPI.test(refNpi)) invalid.push('referringProviderNpi');
    if (refName === undefined || !NAME.test(refName)) invalid.push('referringProviderName');
    if (refFirst !== undefined && !NAME.test(refFirst)) invalid.push('referringProviderFirstName');
    if (refNpi && NPI.test(refNpi) && refName && NAME.test(refName))
      data.referringProvider = { npi: refNpi, name: refName, ...(refFirst ? { firstName: refFirst } : {}) };
  }
  const rendering = textField('renderingNpi');
  if (rendering !== undefined) {
    if (NPI.test(rendering)) data.renderingNpi = rendering;
    else invalid.push('renderingNpi');
  }
  const diagnosisList = textField('diagnoses');
  if (diagnosisList !== undefined) {
    const codes = diagnosisList
      .split(',')
      .map((d) => d.trim().toUpperCase())
      .filter((d) => d !== '');
    if (codes.length > 0 && codes.length <= 12 && codes.every((d) => ICD10.test(d))) data.diagnoses = codes;
    else invalid.push('diagnoses');
  }
  const authorizationNumber = textField('priorAuthNumber');
  if (authorizationNumber !== undefined) {
    if (AUTHORIZATION_NUMBER.test(authorizationNumber)) data.priorAuthNumber = authorizationNumber;
    else invalid.push('priorAuthNumber');
  }
  const integerField = (key: 'kxAccruedAllowedCents' | 'totalTreatmentMinutes', max: number) => {
    const value = outcome[key];
    if (value === undefined) return;
    const number = typeof value === 'number' ? value : Number(value);
    if (Number.isInteger(number) && number >= 0 && number <= max) data[key] = number;
    else invalid.push(key);
  };
  integerField('kxAccruedAllowedCents', 10_000_000);
  integerField('totalTreatmentMinutes', 600);
  const placeOfService = textField('placeOfService');
  if (placeOfService !== undefined) {
    if (/^\d{2}$/.test(placeOfService)) data.placeOfService = placeOfService;
    else invalid.push('placeOfService');
  }
  const line1 = textField('subscriberAddressLine1');
  const line2 = textField('subscriberAddressLine2');
  const city = textField('subscriberCity');
  const state = textField('subscriberState');
  const postalCode = textField('subscriberPostalCode');
  if ([line1, line2, city, state, postalCode].some((v) => v !== undefined)) {
    const bad: string[] = [];
    if (!line1 || line1.length > 55) bad.push('subscriberAddressLine1');
    if (line2 !== undefined && (line2 === '' || line2.length > 55)) bad.push('subscriberAddressLine2');
    if (!city || city.length > 30) bad.push('subscriberCity');
    if (!state || !/^[A-Z]{2}$/.test(state)) bad.push('subscriberState');
    if (!postalCode || !/^\d{5}(\d{4})?$/.test(postalCode)) bad.push('subscriberPostalCode');
    invalid.push(...bad);
    if (bad.length === 0 && line1 && city && state && postalCode)
      data.subscriberAddress = { line1, ...(line2 ? { line2 } : {}), city, state, postalCode };
  }
  const writeOff = outcome.writeOff;
  if (writeOff !== undefined) {
    if (writeOff === true || writeOff === 'true') data.writeOff = true;
    else if (!(writeOff === false || writeOff === 'false')) invalid.push('writeOff');
  }
  return { data, invalid };
}

// Over 350 lines: the seven steps are data (fields, load, save) kept together so the wizard reads as one table.
// The steps of the first-run setup wizard (GET/POST /console/setup/<step>): what each asks, its fields, how it
// loads what is saved and how it saves — through the practice service the admin REST routes (/v1/practice…)
// call, with the same zod schemas (domain/practice/profile.ts), never over HTTP — and which of the profile's
// missing items belong to it. A step is done when the profile has what it asks for; "N of M" counts them.
import { PAYER_PROFILES } from '../../domain/rules/data/payer-profiles.js';
import {
  FeeScheduleImportSchema,
  LocationInputSchema,
  NpiSchema,
  PayerIdSchema,
  PracticeAddressSchema,
  PracticeFieldsSchema,
  PracticePayerInputSchema,
  ReferrerInputSchema,
  TaxonomySchema,
  TherapistInputSchema,
  type ClaimProfileField,
} from '../../domain/practice/profile.js';
import { practiceService, type Actor, type PracticeServiceDeps } from '../practice-service.js';
import { HttpProblem } from '../problem.js';
import { FormRejected, type FormField, type ParsesBody } from './forms.js';
import type { UploadedFile } from './multipart.js';

/** What the wizard needs: the practice service's deps (database, data keyring, Temporal client). */
export type SetupDeps = PracticeServiceDeps;

/** The steps' names, in order (also their URL segment: /console/setup/<key>). */
export const STEP_KEYS = [
  'identity',
  'contact',
  'locations',
  'payers',
  'fee-schedule',
  'therapists',
  'referring-providers',
] as const;
export type StepKey = (typeof STEP_KEYS)[number];

/** What a step's page shows of the saved profile: the form's current values and/or a table of saved rows. */
export interface StepView {
  values?: Record<string, string>;
  table?: { caption: string; columns: string[]; rows: string[][] };
  /** Choices of select fields that depend on the profile (e.g. the practice's payers). */
  options?: Record<string, (readonly [string, string])[]>;
}

export interface SetupStep {
  key: StepKey;
  title: string;
  intro: string;
  /** Heading of the form on list steps ("Add a location"). */
  formHeading?: string;
  submitLabel: string;
  fields: readonly FormField[];
  /** After a successful save: stay on the step (lists: add another) or go on to the next one. */
  after: 'stay' | 'next';
  /** The notice shown after a save. */
  saved: string;
  load(deps: SetupDeps, practiceId: string): Promise<StepView>;
  /** The schema of the posted values (the REST body's). */
  validate: ParsesBody<unknown>;
  /** Saves the validated body; throws HttpProblem (field errors) or FormRejected (e.g. CSV rows). */
  save(deps: SetupDeps, actor: Actor, body: unknown, files: Record<string, UploadedFile>): Promise<void>;
}

/** One step's state in the overview. */
export interface StepProgress {
  key: StepKey;
  title: string;
  done: boolean;
  /** The profile's missing items that this step fills in, in words. */
  missing: string[];
}

/** Where setup stands: "N of M steps done". */
export interface SetupProgress {
  steps: StepProgress[];
  done: number;
  total: number;
}

// --- fields ------------------------------------------------------------------------------------------------

const STATE_HINT = 'Two upper-case letters, e.g. IL.';
const ZIP_HINT = 'Five or nine digits, no dash.';
const PHONE_HINT = 'Ten digits, no spaces or dashes, e.g. 2175550100.';
const NPI_HINT = 'Ten digits; the last one is a check digit (NPPES).';

/** The fields of a postal address under `prefix` (`serviceAddress.line1` …). */
const addressFields = (prefix: string, label: string, required: boolean): FormField[] => [
  { key: `${prefix}.line1`, label: `${label}: street`, required, autocomplete: 'address-line1' },
  { key: `${prefix}.line2`, label: `${label}: suite or floor (optional)`, autocomplete: 'address-line2' },
  { key: `${prefix}.city`, label: `${label}: city`, required, autocomplete: 'address-level2' },
  {
    key: `${prefix}.state`,
    label: `${label}: state`,
    hint: STATE_HINT,
    required,
    autocomplete: 'address-level1',
  },
  {
    key: `${prefix}.postalCode`,
    label: `${label}: ZIP code`,
    hint: ZIP_HINT,
    required,
    autocomplete: 'postal-code',
  },
];

const addressValues = (prefix: string, a: object | null | undefined): Record<string, string> => {
  const parts = (a ?? {}) as Record<string, string | undefined>;
  return Object.fromEntries(
    ['line1', 'line2', 'city', 'state', 'postalCode'].flatMap((k) =>
      parts[k] ? [[`${prefix}.${k}`, parts[k]]] : [],
    ),
  );
};

const oneLine = (a: { line1: string; city: string; state: string; postalCode: string } | null) =>
  a ? `${a.line1}, ${a.city}, ${a.state} ${a.postalCode}` : '—';

const profileOptions = [...new Map(PAYER_PROFILES.map((p) => [p.payerId, p])).values()].map(
  (p) => [p.payerId, p.name] as const,
);

// --- the steps -----------------------------------------------------------------------------------------------

const identity: SetupStep = {
  key: 'identity',
  title: 'Practice identity',
  intro:
    'Who the practice is on every claim: its legal name as registered with NPPES and the IRS, its type-2 ' +
    '(organization) NPI and its federal tax id (EIN).',
  submitLabel: 'Save and continue',
  after: 'next',
  saved: 'Practice identity saved.',
  fields: [
    { key: 'name', label: 'Display name', hint: 'As staff and patients see it.', required: true },
    { key: 'legalName', label: 'Legal name', hint: 'As registered with NPPES and the IRS.', required: true },
    { key: 'npi', label: 'Type-2 NPI', hint: NPI_HINT, required: true, type: 'text' },
    { key: 'taxId', label: 'Tax id (EIN)', hint: 'Nine digits, NN-NNNNNNN. Stored encrypted.' },
    { key: 'taxonomy', label: 'Taxonomy code (optional)', hint: 'NUCC code, e.g. 261QP2000X (PT clinic).' },
  ],
  validate: PracticeFieldsSchema.pick({ name: true, legalName: true, npi: true }).extend({
    taxId: PracticeFieldsSchema.shape.taxId.optional(),
    taxonomy: TaxonomySchema.optional(),
  }),
  async load(deps, practiceId) {
    const p = await practiceService(deps).profile(practiceId);
    return {
      values: {
        name: p.name,
        ...(p.legalName ? { legalName: p.legalName } : {}),
        npi: p.npi,
        ...(p.taxonomy ? { taxonomy: p.taxonomy } : {}),
      },
      ...(p.taxId
        ? {
            table: {
              caption: 'On file',
              columns: ['Tax id'],
              rows: [[`${p.taxId} (leave the field empty to keep it)`]],
            },
          }
        : {}),
    };
  },
  async save(deps, actor, body) {
    const b = body as { taxId?: string };
    const service = practiceService(deps);
    if (b.taxId === undefined && !(await service.profile(actor.principal.practiceId)).taxId) {
      throw new FormRejected(400, { errors: { taxId: 'Tax id (EIN): enter a value.' } });
    }
    await service.updateProfile(actor, body as never);
  },
};

const contact: SetupStep = {
  key: 'contact',
  title: 'Addresses, phone and time zone',
  intro:
    'Where care is given (the billing provider address on claims, never a P.O. box), where payers send ' +
    'payment when that is elsewhere, the phone number on claims, and the time zone every practice date uses.',
  submitLabel: 'Save and continue',
  after: 'next',
  saved: 'Addresses, phone and time zone saved.',
  fields: [
    ...addressFields('serviceAddress', 'Service address', true),
    ...addressFields('payToAddress', 'Pay-to address (optional)', false),
    {
      key: 'phone',
      label: 'Phone',
      hint: PHONE_HINT,
      required: true,
      type: 'tel',
      autocomplete: 'tel-national',
    },
    { key: 'timezone', label: 'Time zone', hint: 'IANA name, e.g. America/Chicago.', required: true },
  ],
  validate: PracticeFieldsSchema.pick({ serviceAddress: true, phone: true, timezone: true }).extend({
    payToAddress: PracticeAddressSchema.optional(),
  }),
  async load(deps, practiceId) {
    const p = await practiceService(deps).profile(practiceId);
    return {
      values: {
        ...addressValues('serviceAddress', p.serviceAddress),
        ...addressValues('payToAddress', p.payToAddress),
        ...(p.phone ? { phone: p.phone } : {}),
        timezone: p.timezone,
      },
    };
  },
  async save(deps, actor, body) {
    await practiceService(deps).updateProfile(actor, body as never);
  },
};

const locations: SetupStep = {
  key: 'locations',
  title: 'Locations',
  intro: 'Each clinic where patients are seen. A location with its own NPI is named on its claims.',
  formHeading: 'Add a location',
  submitLabel: 'Add location',
  after: 'stay',
  saved: 'Location added.',
  fields: [
    { key: 'name', label: 'Location name', required: true },
    ...addressFields('address', 'Address', true),
    { key: 'phone', label: 'Phone (optional)', hint: PHONE_HINT, type: 'tel' },
    { key: 'npi', label: 'Location NPI (optional)', hint: NPI_HINT },
    {
      key: 'placeOfService',
      label: 'Place of service (optional)',
      hint: 'Two digits; 11 (office) when empty.',
    },
  ],
  validate: LocationInputSchema,
  async load(deps, practiceId) {
    const rows = await practiceService(deps).locations(practiceId);
    return {
      table: {
        caption: 'Locations on file',
        columns: ['Name', 'Address', 'NPI', 'Place of service'],
        rows: rows.map((l) => [l.name, oneLine(l.address), l.npi ?? '—', l.placeOfService]),
      },
    };
  },
  async save(deps, actor, body) {
    await practiceService(deps).addLocation(actor, body as never);
  },
};

const payers: SetupStep = {
  key: 'payers',
  title: 'Payers',
  intro:
    'The payers the practice bills: the payer id its coverages and claims carry, the rules it follows ' +
    '(units, KX threshold, authorization, timely filing) and its id at the clearinghouse when that differs.',
  formHeading: 'Add a payer',
  submitLabel: 'Add payer',
  after: 'stay',
  saved: 'Payer saved.',
  fields: [
    {
      key: 'payerId',
      label: 'Payer id',
      hint: 'Letters, digits and -, e.g. medicare-part-b.',
      required: true,
    },
    { key: 'name', label: 'Payer name', required: true },
    { key: 'profileId', label: 'Payer rules', type: 'select', options: profileOptions, required: true },
    { key: 'clearinghousePayerId', label: 'Clearinghouse payer id (optional)', hint: 'Letters and digits.' },
  ],
  validate: PracticePayerInputSchema.extend({ payerId: PayerIdSchema }),
  async load(deps, practiceId) {
    const rows = await practiceService(deps).payers(practiceId);
    const names = new Map(profileOptions);
    return {
      table: {
        caption: 'Payers on file',
        columns: ['Payer id', 'Name', 'Rules', 'Clearinghouse id'],
        rows: rows.map((p) => [
          p.payerId,
          p.name,
          names.get(p.profileId) ?? p.profileId,
          p.clearinghousePayerId ?? '—',
        ]),
      },
    };
  },
  async save(deps, actor, body) {
    const { payerId, ...rest } = body as { payerId: string };
    await practiceService(deps).putPayer(actor, payerId, rest as never);
  },
};

const feeSchedule: SetupStep = {
  key: 'fee-schedule',
  title: 'Fee schedule',
  intro:
    'The charges the practice bills, imported from a CSV file with the header code,charge (and optionally ' +
    'expected_allowed), amounts in dollars. Every row is checked; a file with any error imports nothing.',
  formHeading: 'Upload a fee schedule',
  submitLabel: 'Import fee schedule',
  after: 'stay',
  saved: 'Fee schedule imported.',
  fields: [
    {
      key: 'payerId',
      label: 'Applies to',
      hint: 'The practice chargemaster applies to every payer; a payer’s schedule to that payer only.',
      type: 'select',
      options: [['*', 'Every payer (chargemaster)']],
      required: true,
    },
    { key: 'effectiveFrom', label: 'Effective from', type: 'date', required: true },
    { key: 'effectiveTo', label: 'Effective until (optional)', type: 'date' },
    { key: 'source', label: 'Source (optional)', hint: 'e.g. 2027 chargemaster, or the contract.' },
    { key: 'file', label: 'CSV file', type: 'file', accept: '.csv,text/csv', required: true },
  ],
  validate: FeeScheduleImportSchema.omit({ csv: true }),
  async load(deps, practiceId) {
    const service = practiceService(deps);
    const [rows, payers] = await Promise.all([service.feeSchedules(practiceId), service.payers(practiceId)]);
    return {
      options: {
        payerId: [
          ['*', 'Every payer (chargemaster)'],
          ...payers.map((p) => [p.payerId, `${p.name} (${p.payerId})`] as const),
        ],
      },
      table: {
        caption: 'Fee schedules on file',
        columns: ['Applies to', 'From', 'Until', 'Rows', 'Source'],
        rows: rows.map((s) => [
          s.payerId === '*' ? 'every payer' : s.payerId,
          s.effectiveFrom,
          s.endsOn ?? 'open-ended',
          String(s.rowCount),
          s.source,
        ]),
      },
    };
  },
  async save(deps, actor, body, files) {
    const file = files.file;
    if (!file || file.text.trim() === '') {
      throw new FormRejected(400, { errors: { file: 'CSV file: choose the fee schedule file.' } });
    }
    try {
      await practiceService(deps).importFeeSchedule(actor, { ...(body as object), csv: file.text } as never);
    } catch (err) {
      const rows = err instanceof HttpProblem && Array.isArray(err.problem.errors) ? err.problem.errors : [];
      const lines = (rows as { code?: string; line?: number; column?: string; detail?: string }[]).filter(
        (e) => e.code === 'csv_row',
      );
      if (lines.length === 0) throw err;
      // Each defect by line and column, under the file field (the service imported nothing).
      throw new FormRejected(422, {
        errors: {
          file: `CSV file: ${lines.length === 1 ? 'one error' : `${lines.length} errors`}; nothing was imported. Fix the file and upload it again.`,
        },
        details: { file: lines.map((e) => (e.detail ?? '').replace(/^line/, 'Line')) },
      });
    }
  },
};

const therapists: SetupStep = {
  key: 'therapists',
  title: 'Therapists',
  intro:
    'The physical therapists (PT) and assistants (PTA) on staff: each is the rendering provider of their ' +
    'visits, with credentials and a state license.',
  formHeading: 'Add a therapist',
  submitLabel: 'Add therapist',
  after: 'stay',
  saved: 'Therapist saved.',
  fields: [
    { key: 'npi', label: 'Individual NPI', hint: NPI_HINT, required: true },
    { key: 'lastName', label: 'Last name', required: true, autocomplete: 'off' },
    { key: 'firstName', label: 'First name', autocomplete: 'off' },
    {
      key: 'discipline',
      label: 'Discipline',
      type: 'select',
      options: [
        ['PT', 'PT (physical therapist)'],
        ['PTA', 'PTA (assistant)'],
      ],
      required: true,
    },
    { key: 'credentials', label: 'Credentials (optional)', hint: 'As they sign, e.g. DPT, OCS.' },
    { key: 'licenseState', label: 'License state', hint: STATE_HINT, required: true },
    { key: 'licenseNumber', label: 'License number', hint: 'Letters, digits and -.', required: true },
    { key: 'licenseExpires', label: 'License expires', type: 'date', required: true },
  ],
  validate: TherapistInputSchema.extend({ npi: NpiSchema }),
  async load(deps, practiceId) {
    const rows = await practiceService(deps).therapists(practiceId);
    return {
      table: {
        caption: 'Therapists on file',
        columns: ['Name', 'Discipline', 'NPI', 'License', 'Expires'],
        rows: rows.map((t) => [
          [t.lastName, t.firstName].filter(Boolean).join(', ') + (t.credentials ? `, ${t.credentials}` : ''),
          t.discipline,
          t.npi,
          `${t.licenseState} ${t.licenseNumber}`,
          t.licenseExpires,
        ]),
      },
    };
  },
  async save(deps, actor, body) {
    const { npi, ...rest } = body as { npi: string };
    await practiceService(deps).putTherapist(actor, npi, rest as never);
  },
};

const referrers: SetupStep = {
  key: 'referring-providers',
  title: 'Referring providers',
  intro:
    'The physicians (and NPs/PAs) who refer patients: named on claims, and sent plans of care and progress ' +
    'reports. Providers the EMR names are added by its sync; add the ones it does not know here.',
  formHeading: 'Add a referring provider',
  submitLabel: 'Add referring provider',
  after: 'stay',
  saved: 'Referring provider saved.',
  fields: [
    { key: 'npi', label: 'NPI', hint: NPI_HINT, required: true },
    { key: 'lastName', label: 'Last name', required: true },
    { key: 'firstName', label: 'First name' },
    { key: 'organization', label: 'Organization (optional)' },
    { key: 'phone', label: 'Phone (optional)', hint: PHONE_HINT, type: 'tel' },
    { key: 'fax', label: 'Fax (optional)', hint: PHONE_HINT, type: 'tel' },
  ],
  validate: ReferrerInputSchema.extend({ npi: NpiSchema }),
  async load(deps, practiceId) {
    const rows = await practiceService(deps).referrers(practiceId);
    return {
      table: {
        caption: 'Referring providers on file',
        columns: ['Name', 'NPI', 'Organization', 'Fax', 'From'],
        rows: rows.map((r) => [
          [r.lastName, r.firstName].filter(Boolean).join(', '),
          r.npi,
          r.organization ?? '—',
          r.fax ?? '—',
          r.source === 'emr' ? 'EMR' : 'entered here',
        ]),
      },
    };
  },
  async save(deps, actor, body) {
    const { npi, ...rest } = body as { npi: string };
    await practiceService(deps).putReferrer(actor, npi, rest as never);
  },
};

/** The steps, in order. */
export const SETUP_STEPS: readonly SetupStep[] = [
  identity,
  contact,
  locations,
  payers,
  feeSchedule,
  therapists,
  referrers,
];

/** The step of a URL segment, if there is one. */
export const stepByKey = (key: string): SetupStep | undefined => SETUP_STEPS.find((s) => s.key === key);

/** The claim profile fields (what claims need) in words, with the step that fills each in. */
const PROFILE_FIELD_WORDS: Record<ClaimProfileField, { step: StepKey; text: string }> = {
  legalName: { step: 'identity', text: 'the legal name' },
  npi: { step: 'identity', text: 'a type-2 NPI with a valid check digit' },
  taxId: { step: 'identity', text: 'the tax id (EIN)' },
  serviceAddress: { step: 'contact', text: 'the service address' },
  phone: { step: 'contact', text: 'the phone number' },
};

/**
 * Exactly what the practice still lacks, each with the step that fills it in: the profile fields claims need
 * (the practice service's own `missing`), then at least one active location, payer, fee schedule, therapist and
 * referring provider.
 */
export async function missingItems(
  deps: Pick<SetupDeps, 'db'>,
  practiceId: string,
): Promise<{ step: StepKey; text: string }[]> {
  const service = practiceService(deps);
  const [profile, locs, pays, fees, ther, refs] = await Promise.all([
    service.missingProfileFields(practiceId),
    service.locations(practiceId),
    service.payers(practiceId),
    service.feeSchedules(practiceId),
    service.therapists(practiceId),
    service.referrers(practiceId),
  ]);
  const none = (rows: { active?: boolean }[]) => !rows.some((r) => r.active !== false);
  return [
    ...profile.map((f) => PROFILE_FIELD_WORDS[f]),
    ...(none(locs) ? [{ step: 'locations' as const, text: 'at least one location' }] : []),
    ...(none(pays) ? [{ step: 'payers' as const, text: 'at least one payer' }] : []),
    ...(fees.length === 0 ? [{ step: 'fee-schedule' as const, text: 'a fee schedule' }] : []),
    ...(none(ther) ? [{ step: 'therapists' as const, text: 'at least one therapist' }] : []),
    ...(none(refs)
      ? [{ step: 'referring-providers' as const, text: 'at least one referring provider' }]
      : []),
  ];
}

/** Setup progress of a practice: each step done when nothing it fills in is missing (needs no keyring). */
export async function setupProgress(deps: Pick<SetupDeps, 'db'>, practiceId: string): Promise<SetupProgress> {
  const missing = await missingItems(deps, practiceId);
  const steps = SETUP_STEPS.map((s) => {
    const mine = missing.filter((m) => m.step === s.key).map((m) => m.text);
    return { key: s.key, title: s.title, done: mine.length === 0, missing: mine };
  });
  return { steps, done: steps.filter((s) => s.done).length, total: steps.length };
}

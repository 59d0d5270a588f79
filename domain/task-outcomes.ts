// What completing a task asks for, per task kind: the fields of the task's outcome (the flat record a
// completion carries, see `taskCompletionSchema`), and their validation with the field named. The fields are
// exactly what the waiting workflow reads from the outcome: a fix_claim task the correction fields
// (`correctionFromTaskOutcome`, narrowed to what the claim's findings need), a phone verification whether the
// coverage is active. Kinds whose process reads no outcome are completed with an empty one. Pure.
import { clearingFields, correctionFromTaskOutcome, type CorrectionField } from './claims/corrections.js';
import { isIsoDate } from './core/dates.js';

export type OutcomeValue = string | number | boolean;

export interface OutcomeField {
  /** The outcome key (and form field name). */
  key: string;
  label: string;
  type: 'text' | 'integer' | 'yesno' | 'checkbox';
  required: boolean;
  hint?: string;
  /** Optional fields of a group whose other fields are required (e.g. address line 2). */
  group?: string;
}

const CORRECTION_OUTCOME_FIELDS: Partial<Record<CorrectionField, OutcomeField[]>> = {
  referringProvider: [
    {
      key: 'referringProviderNpi',
      label: 'Referring provider NPI',
      type: 'text',
      required: true,
      hint: '10 digits',
    },
    { key: 'referringProviderName', label: 'Referring provider last name', type: 'text', required: true },
    {
      key: 'referringProviderFirstName',
      label: 'Referring provider first name',
      type: 'text',
      required: false,
    },
  ],
  renderingNpi: [
    { key: 'renderingNpi', label: 'Rendering provider NPI', type: 'text', required: true, hint: '10 digits' },
  ],
  diagnoses: [
    {
      key: 'diagnoses',
      label: 'Diagnosis codes (ICD-10)',
      type: 'text',
      required: true,
      hint: 'Comma-separated, e.g. M54.50, M51.26',
    },
  ],
  priorAuthNumber: [{ key: 'priorAuthNumber', label: 'Authorization number', type: 'text', required: true }],
  kxAccruedAllowedCents: [
    {
      key: 'kxAccruedAllowedCents',
      label: 'KX: allowed amount accrued this year (cents)',
      type: 'integer',
      required: true,
    },
  ],
  totalTreatmentMinutes: [
    { key: 'totalTreatmentMinutes', label: 'Total timed treatment minutes', type: 'integer', required: true },
  ],
  placeOfService: [
    {
      key: 'placeOfService',
      label: 'Place of service code',
      type: 'text',
      required: true,
      hint: '2 digits, e.g. 11',
    },
  ],
  subscriberAddress: [
    { key: 'subscriberAddressLine1', label: 'Subscriber address line 1', type: 'text', required: true },
    { key: 'subscriberAddressLine2', label: 'Subscriber address line 2', type: 'text', required: false },
    { key: 'subscriberCity', label: 'Subscriber city', type: 'text', required: true },
    {
      key: 'subscriberState',
      label: 'Subscriber state',
      type: 'text',
      required: true,
      hint: '2 letters, e.g. NY',
    },
    {
      key: 'subscriberPostalCode',
      label: 'Subscriber ZIP code',
      type: 'text',
      required: true,
      hint: '5 or 9 digits',
    },
  ],
};
const WRITE_OFF: OutcomeField = {
  key: 'writeOff',
  label: 'Write the claim off instead (it cannot be billed)',
  type: 'checkbox',
  required: false,
};

/**
 * Kinds whose process does not resume on the task's completion but on data sent to the process itself (the
 * completion only closes the task): what to send instead, for the task page to say.
 */
export const RESOLVED_ELSEWHERE: Readonly<Record<string, string>> = {
  update_insurance:
    'The onboarding resumes when the updated insurance is recorded: with the form above, through ' +
    'POST /v1/onboardings/{id}/coverage, or by the patient’s insurance form. Completing this task only closes it.',
};

/** The fields a task of this kind asks for (details are the task row's PHI-free details). */
export function outcomeFieldsFor(kind: string, details: Readonly<Record<string, unknown>>): OutcomeField[] {
  if (kind === 'fix_claim') {
    const findings = typeof details.findings === 'string' ? details.findings.split(',').filter(Boolean) : [];
    const invalid = typeof details.invalidFields === 'string' ? details.invalidFields.split(',') : [];
    // A finding cleared by one group of fields only (e.g. the referring provider) makes that group required; one
    // with alternatives (e.g. diagnoses, the lines, or a write-off) leaves its fields optional.
    const wanted = new Map<CorrectionField, boolean>();
    const want = (field: CorrectionField, required: boolean) =>
      wanted.set(field, (wanted.get(field) ?? false) || required);
    for (const code of findings) {
      const clearing = clearingFields(code);
      for (const field of clearing) if (CORRECTION_OUTCOME_FIELDS[field]) want(field, clearing.length === 1);
    }
    for (const key of invalid) {
      for (const [field, list] of Object.entries(CORRECTION_OUTCOME_FIELDS)) {
        if (list?.some((f) => f.key === key)) want(field as CorrectionField, true);
      }
    }
    const fields = [...wanted].flatMap(([w, required]) =>
      (CORRECTION_OUTCOME_FIELDS[w] ?? []).map((f) => ({ ...f, required: f.required && required })),
    );
    // Nothing the findings name can be typed here (or no findings): offer every correction field, optional.
    if (fields.length === 0) {
      return [
        ...Object.values(CORRECTION_OUTCOME_FIELDS).flatMap((l) =>
          (l ?? []).map((f) => ({ ...f, required: false })),
        ),
        WRITE_OFF,
      ];
    }
    return [...fields, WRITE_OFF];
  }
  // pocSignature resumes on these: the signature date (the escalation), or the date the plan of care went out
  // another way (a delivery that failed) — a signature date there too when the copy is already signed.
  if (kind === 'poc_signature_escalation') {
    return [
      {
        key: 'signedDate',
        label: 'Date the physician signed',
        type: 'text',
        required: true,
        hint: 'YYYY-MM-DD',
      },
    ];
  }
  if (kind === 'poc_delivery_failed') {
    return [
      {
        key: 'sentDate',
        label: 'Date it was sent another way',
        type: 'text',
        required: false,
        hint: 'YYYY-MM-DD',
      },
      {
        key: 'signedDate',
        label: 'Or: date the physician signed',
        type: 'text',
        required: false,
        hint: 'YYYY-MM-DD',
      },
    ];
  }
  if (kind === 'verify_eligibility_by_phone') {
    return [
      { key: 'coverageActive', label: 'Is the coverage active?', type: 'yesno', required: true },
      {
        key: 'authorizationRequired',
        label: 'Does the plan require prior authorization for PT?',
        type: 'yesno',
        required: false,
      },
    ];
  }
  // Missed-visit follow-up (issue 18): the front desk calls the patient; the outcome records whether they got
  // through and whether a new visit is booked in the EMR (the process itself has handed over and reads nothing).
  if (kind.startsWith('missed_visit_')) {
    return [
      { key: 'patientReached', label: 'Did you reach the patient?', type: 'yesno', required: true },
      { key: 'rebooked', label: 'Is a new visit booked in the EMR?', type: 'yesno', required: true },
    ];
  }
  if (kind === 'progress_report_delivery_failed') {
    // The progressReportDelivery process reads this: unchecked → the next round retries the usual channel.
    return [
      {
        key: 'sendByEmailLink',
        label: 'Send by e-mail with a secure link instead (leave unchecked to retry fax / Direct)',
        type: 'checkbox',
        required: false,
      },
    ];
  }
  return [];
}

/**
 * Turns submitted form values into the task's outcome. Returns the outcome, or the errors keyed by field (each
 * message names the field; a submitted value is never echoed in a message).
 */
export function outcomeFromForm(
  kind: string,
  fields: readonly OutcomeField[],
  values: Readonly<Record<string, string | undefined>>,
): { outcome: Record<string, OutcomeValue>; errors: Record<string, string> } {
  const outcome: Record<string, OutcomeValue> = {};
  const errors: Record<string, string> = {};
  const writeOff = values.writeOff === 'true' || values.writeOff === 'on';
  for (const f of fields) {
    const raw = (values[f.key] ?? '').trim();
    if (f.type === 'checkbox') {
      if (raw === 'true' || raw === 'on') outcome[f.key] = true;
      continue;
    }
    if (raw === '') {
      if (f.required && !(kind === 'fix_claim' && writeOff)) errors[f.key] = `${f.label}: enter a value.`;
      continue;
    }
    if (f.type === 'yesno') {
      if (raw === 'yes' || raw === 'no') outcome[f.key] = raw === 'yes';
      else errors[f.key] = `${f.label}: choose yes or no.`;
    } else if (f.type === 'integer') {
      if (/^\d{1,9}$/.test(raw)) outcome[f.key] = Number(raw);
      else errors[f.key] = `${f.label}: enter a whole number.`;
    } else if (raw.length > 200) errors[f.key] = `${f.label}: at most 200 characters.`;
    else outcome[f.key] = raw;
  }
  if (kind === 'fix_claim') {
    if (Object.keys(outcome).length === 0 && Object.keys(errors).length === 0 && fields[0]) {
      errors[fields[0].key] = `${fields[0].label}: enter a correction, or choose to write the claim off.`;
    }
    const { invalid } = correctionFromTaskOutcome(outcome);
    for (const key of invalid) {
      const f = fields.find((x) => x.key === key);
      errors[key] ??= `${f?.label ?? key}: the value is not valid${f?.hint ? ` (${f.hint})` : ''}.`;
    }
  }
  if (kind === 'poc_signature_escalation' || kind === 'poc_delivery_failed') {
    for (const key of ['signedDate', 'sentDate']) {
      const value = outcome[key];
      const f = fields.find((x) => x.key === key);
      if (typeof value === 'string' && !isIsoDate(value))
        errors[key] ??= `${f?.label ?? key}: enter a date as YYYY-MM-DD.`;
    }
    if (kind === 'poc_delivery_failed' && outcome.sentDate === undefined && outcome.signedDate === undefined)
      errors.sentDate ??= 'Date it was sent another way: enter it, or the date the physician signed.';
  }
  return { outcome, errors };
}

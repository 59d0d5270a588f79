// The charge export's CSV: one row per claim line, the columns a billing system (e.g. Therabill) imports to
// post charges. Minimum necessary: the patient is referred to by ptflow's opaque patient id and the claim's
// patient control number (CLM01) — never a name, date of birth, member id or address; a billing system that
// needs the patient's demographics imports the 837P batch instead. Columns are documented in
// docs/billing-export.md; this list is the one source of their names and order.
import type { ClaimLine } from '../model/claim.js';

/** The CSV's columns, in order. */
export const CHARGE_CSV_COLUMNS = [
  'date_of_service',
  'claim_id',
  'patient_control_number',
  'patient_ref',
  'payer_id',
  'line_number',
  'cpt',
  'modifiers',
  'units',
  'icd10_pointers',
  'icd10_codes',
  'rendering_npi',
  'charge_amount',
  'claim_status',
] as const;

export type ChargeCsvColumn = (typeof CHARGE_CSV_COLUMNS)[number];

/** One billed claim with its coded lines, as the export reads it. */
export interface ExportClaim {
  claimId: string;
  patientId: string;
  patientControlNumber: string;
  payerId: string;
  status: string;
  /** ICD-10-CM codes of the claim, principal first (the lines point into this list, 1-based). */
  diagnoses: readonly string[];
  renderingNpi: string;
  lines: readonly Pick<
    ClaimLine,
    'lineNumber' | 'code' | 'modifiers' | 'units' | 'chargeCents' | 'diagnosisPointers' | 'dos'
  >[];
}

/** Cents as a decimal amount with two places ("123.45"). */
export function formatAmount(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The rows of the export (one per claim line), sorted by date of service, claim and line. */
export function chargeRows(claims: readonly ExportClaim[]): Record<ChargeCsvColumn, string>[] {
  const rows: Record<ChargeCsvColumn, string>[] = [];
  for (const c of claims) {
    for (const l of c.lines) {
      rows.push({
        date_of_service: l.dos,
        claim_id: c.claimId,
        patient_control_number: c.patientControlNumber,
        patient_ref: c.patientId,
        payer_id: c.payerId,
        line_number: String(l.lineNumber),
        cpt: l.code,
        modifiers: l.modifiers.join(':'),
        units: String(l.units),
        icd10_pointers: l.diagnosisPointers.join(':'),
        icd10_codes: l.diagnosisPointers.map((p) => c.diagnoses[p - 1] ?? '').join(':'),
        rendering_npi: c.renderingNpi,
        charge_amount: formatAmount(l.chargeCents),
        claim_status: c.status,
      });
    }
  }
  return rows.sort(
    (a, b) =>
      a.date_of_service.localeCompare(b.date_of_service) ||
      a.claim_id.localeCompare(b.claim_id) ||
      Number(a.line_number) - Number(b.line_number),
  );
}

/** The CSV text: a header row, then one row per claim line; CRLF line ends (RFC 4180). */
export function chargesCsv(claims: readonly ExportClaim[]): string {
  const lines = [CHARGE_CSV_COLUMNS.join(',')];
  for (const row of chargeRows(claims)) lines.push(CHARGE_CSV_COLUMNS.map((c) => field(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

// Billing reconciliation: what the EMR's signed notes document against what was billed (the claims mirror and
// its coded lines) and what the payers remitted. Three kinds of discrepancy, one per visit and kind:
// - `missed_charge`: a signed note (old enough that its claim should exist) with no charge;
// - `charge_without_documentation`: a charge for a visit the EMR has no signed note for;
// - `units_mismatch`: per procedure code, the units billed differ from the units the note's minutes earn by the
//   payer's unit method (the 8-minute rule of units.ts; untimed codes are one unit).
// Pure: the caller reads the EMR and the database and passes "now"; the discrepancy key is a plain string the
// caller hashes (practice, visit and kind: the same discrepancy found twice has the same key).
import { lookupCode } from '../codes/cpt.js';
import { allocateTimedUnits, type ResolvedUnitMethod } from './units.js';

export type DiscrepancyKind = 'missed_charge' | 'charge_without_documentation' | 'units_mismatch';

/** One signed note as the EMR documents it (minutes per code; who furnished it does not change units). */
export interface SignedNoteFacts {
  /** The visit id as the claim carries it (the EMR's, or its hash for EMRs whose ids are not UUIDs). */
  visitId: string;
  dateOfService: string;
  signedAt: string;
  interventions: readonly { code: string; minutes: number; sequence?: number }[];
}

/** One billed claim: its coded lines and what the payers posted against it. */
export interface ChargeFacts {
  claimId: string;
  visitId: string;
  serviceDate: string | null;
  status: string;
  /** The payer's unit method on the date of service; undefined = no payer profile (units not compared). */
  unitMethod?: ResolvedUnitMethod;
  /** Coded lines; undefined when the claim was billed before its lines were recorded (units not compared). */
  lines?: readonly { code: string; units: number }[];
  /** 835 postings (amounts in cents). */
  remittances: readonly { paidCents: number }[];
}

export interface UnitDifference {
  code: string;
  documented: number;
  billed: number;
}

export interface Discrepancy {
  kind: DiscrepancyKind;
  visitId: string;
  claimId?: string;
  serviceDate: string | null;
  /** `practice|visit|kind`: hash it for the stable key (the same discrepancy always has the same key). */
  keyMaterial: string;
  /** PHI-free facts for the biller's task: codes, units, claim state, whether money was received. */
  details: {
    units?: UnitDifference[];
    claimStatus?: string;
    /** A payer has paid something on this claim (an undocumented paid charge is an overpayment to refund). */
    paid?: boolean;
  };
}

export interface ReconciliationInput {
  practiceId: string;
  now: string;
  /** Notes signed less than this long ago are not called missed charges yet (their claim may be starting). */
  graceHours: number;
  notes: readonly SignedNoteFacts[];
  charges: readonly ChargeFacts[];
}

/** The stable key material of a discrepancy: practice, visit and kind (no dates, codes or amounts). */
export function discrepancyKeyMaterial(practiceId: string, visitId: string, kind: DiscrepancyKind): string {
  return `${practiceId}|${visitId}|${kind}`;
}

/**
 * Units each code of a note earns: timed codes by the payer's method over the note's minutes (CMS total time or
 * AMA per code, units.ts), untimed codes one per code documented. Codes we do not know are left out.
 */
export function documentedUnits(
  interventions: SignedNoteFacts['interventions'],
  method: ResolvedUnitMethod,
): Map<string, number> {
  const out = new Map<string, number>();
  const timed: { code: string; minutes: number; sequence?: number }[] = [];
  interventions.forEach((i, index) => {
    const info = lookupCode(i.code);
    if (!info) return;
    if (info.timed) timed.push({ code: i.code, minutes: i.minutes, sequence: i.sequence ?? index });
    else out.set(i.code, 1);
  });
  for (const a of allocateTimedUnits(method, timed)) out.set(a.code, (out.get(a.code) ?? 0) + a.units);
  return out;
}

/** Billed units per code (a code split over PT and PTA lines is one code). */
function billedUnits(lines: NonNullable<ChargeFacts['lines']>): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) out.set(l.code, (out.get(l.code) ?? 0) + l.units);
  return out;
}

/** Per code where documented and billed units differ (0 documented = billed without documentation). */
export function unitDifferences(
  documented: Map<string, number>,
  billed: Map<string, number>,
): UnitDifference[] {
  const codes = [...new Set([...documented.keys(), ...billed.keys()])].sort();
  return codes
    .map((code) => ({ code, documented: documented.get(code) ?? 0, billed: billed.get(code) ?? 0 }))
    .filter((d) => d.documented !== d.billed && !(d.documented === 0 && d.billed === 0));
}

/**
 * Claims the biller closed without billing (a held claim written off): the visit was looked at, so it is not a
 * missed charge, but nothing was billed either, so units and documentation are not compared.
 */
const CLOSED_UNBILLED = new Set(['written_off']);

/**
 * Compares one practice's signed notes with its charges and remittances. Each visit yields at most one
 * discrepancy per kind; the result is sorted (kind, visit) so runs are comparable.
 */
export function reconcileBilling(input: ReconciliationInput): Discrepancy[] {
  const out: Discrepancy[] = [];
  const chargesByVisit = new Map<string, ChargeFacts>();
  for (const c of input.charges) chargesByVisit.set(c.visitId, c);
  const notesByVisit = new Map(input.notes.map((n) => [n.visitId, n]));
  const nowMs = Date.parse(input.now);
  const key = (visitId: string, kind: DiscrepancyKind) =>
    discrepancyKeyMaterial(input.practiceId, visitId, kind);
  const paid = (c: ChargeFacts) => c.remittances.some((r) => r.paidCents > 0);

  for (const note of input.notes) {
    const charge = chargesByVisit.get(note.visitId);
    if (!charge) {
      const ageHours = (nowMs - Date.parse(note.signedAt)) / 3_600_000;
      if (ageHours < input.graceHours) continue;
      out.push({
        kind: 'missed_charge',
        visitId: note.visitId,
        serviceDate: note.dateOfService,
        keyMaterial: key(note.visitId, 'missed_charge'),
        details: {},
      });
      continue;
    }
    if (CLOSED_UNBILLED.has(charge.status) || !charge.lines || !charge.unitMethod) continue;
    const units = unitDifferences(
      documentedUnits(note.interventions, charge.unitMethod),
      billedUnits(charge.lines),
    );
    if (units.length > 0) {
      out.push({
        kind: 'units_mismatch',
        visitId: note.visitId,
        claimId: charge.claimId,
        serviceDate: note.dateOfService,
        keyMaterial: key(note.visitId, 'units_mismatch'),
        details: { units, claimStatus: charge.status, paid: paid(charge) },
      });
    }
  }
  for (const charge of chargesByVisit.values()) {
    if (notesByVisit.has(charge.visitId) || CLOSED_UNBILLED.has(charge.status)) continue;
    out.push({
      kind: 'charge_without_documentation',
      visitId: charge.visitId,
      claimId: charge.claimId,
      serviceDate: charge.serviceDate,
      keyMaterial: key(charge.visitId, 'charge_without_documentation'),
      details: { claimStatus: charge.status, paid: paid(charge) },
    });
  }
  return out.sort((a, b) =>
    a.kind === b.kind ? a.visitId.localeCompare(b.visitId) : a.kind.localeCompare(b.kind),
  );
}

/** The biller's task title of a discrepancy (no PHI: kind and counts only). */
export function discrepancyTitle(d: Pick<Discrepancy, 'kind' | 'details'>): string {
  switch (d.kind) {
    case 'missed_charge':
      return 'Signed note without a charge: bill the visit or record why it is not billable';
    case 'charge_without_documentation':
      return d.details.paid
        ? 'Paid charge without a signed note: obtain the documentation or refund the payer'
        : 'Charge without a signed note: obtain the documentation or void the claim';
    case 'units_mismatch':
      return 'Billed units differ from the signed note (8-minute rule): correct the claim or the note';
  }
}

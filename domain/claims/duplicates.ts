// Duplicate detection against prior claims (prevents CO-18). The workflow id per visit already prevents a
// second workflow; this catches the same services billed again from another visit record or a re-entry.
import type { IsoDate } from '../core/dates.js';

export interface PriorClaim {
  claimId: string;
  patientId: string;
  payerId: string;
  dos: IsoDate;
  status: 'submitted' | 'accepted' | 'paid' | 'denied' | 'rejected' | 'voided';
  frequency: '1' | '7' | '8';
  /** Payer claim control number (CLP07) when known. */
  payerClaimNumber?: string;
  lines: ReadonlyArray<{ code: string; modifiers: readonly string[]; units: number }>;
}

export interface ClaimKey {
  claimId: string;
  patientId: string;
  payerId: string;
  dos: IsoDate;
  lines: ReadonlyArray<{ code: string; modifiers: readonly string[]; units: number }>;
}

const lineKey = (l: { code: string; modifiers: readonly string[]; units: number }) =>
  `${l.code}|${[...l.modifiers].sort().join(',')}|${l.units}`;

export interface DuplicateMatch {
  prior: PriorClaim;
  kind: 'exact' | 'overlapping';
  /** Codes billed on both. */
  codes: string[];
}

/** Rejected (never filed) and voided claims never count. */
export function findDuplicates(claim: ClaimKey, prior: readonly PriorClaim[]): DuplicateMatch[] {
  const mine = claim.lines.map(lineKey).sort();
  const myCodes = new Set(claim.lines.map((l) => l.code));
  const matches: DuplicateMatch[] = [];
  for (const p of prior) {
    if (p.claimId === claim.claimId) continue;
    if (p.patientId !== claim.patientId || p.payerId !== claim.payerId || p.dos !== claim.dos) continue;
    if (p.status === 'rejected' || p.status === 'voided' || p.frequency === '8') continue;
    const theirs = p.lines.map(lineKey).sort();
    const codes = [...new Set(p.lines.map((l) => l.code).filter((c) => myCodes.has(c)))].sort();
    if (theirs.length === mine.length && theirs.every((k, i) => k === mine[i])) {
      matches.push({ prior: p, kind: 'exact', codes });
    } else if (codes.length > 0) {
      matches.push({ prior: p, kind: 'overlapping', codes });
    }
  }
  return matches;
}

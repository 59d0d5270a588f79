// NCCI procedure-to-procedure edits: data, never hard-coded pairs; evaluated by date of service.
import { effectiveOn } from '../core/effective.js';
import type { IsoDate } from '../core/dates.js';
import { NCCI_PTP_CURATED } from '../rules/data/ncci-ptp.js';
import type { PtpRow } from '../rules/types.js';

export const BYPASS_MODIFIERS = ['59', 'XE', 'XS', 'XP', 'XU'] as const;

export function isBypassModifier(m: string): boolean {
  return (BYPASS_MODIFIERS as readonly string[]).includes(m);
}

/** Only indicator 1 allows a bypass; 0 and any other value (e.g. 9) do not. */
export function allowsBypass(row: Pick<PtpRow, 'modifierIndicator'>): boolean {
  return row.modifierIndicator === '1';
}

/** Active PTP edits among the codes billed together on one DOS (practitioner edition). */
export function activePtpEdits(
  codes: readonly string[],
  dos: IsoDate,
  rows: readonly PtpRow[] = NCCI_PTP_CURATED,
): PtpRow[] {
  const billed = new Set(codes);
  return effectiveOn(rows, dos).filter(
    (r) =>
      r.edition === 'practitioner' &&
      r.column1 !== r.column2 &&
      billed.has(r.column1) &&
      billed.has(r.column2),
  );
}

// NCCI procedure-to-procedure edits: data, never hard-coded pairs; evaluated by date of service.
import { isEffectiveOn } from '../core/effective.js';
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

/** The practitioner-edition rows of a table by their column-1 code, with each row's place in the table. */
const PTP_BY_COLUMN1 = new WeakMap<readonly PtpRow[], Map<string, { row: PtpRow; at: number }[]>>();

/**
 * Built once per table (rule tables are read-only data), so a visit looks only at the pairs whose column-1
 * code it bills instead of scanning every pair (the published practitioner table is far larger than the curated one).
 */
function practitionerPairs(rows: readonly PtpRow[]): Map<string, { row: PtpRow; at: number }[]> {
  const known = PTP_BY_COLUMN1.get(rows);
  if (known) return known;
  const byColumn1 = new Map<string, { row: PtpRow; at: number }[]>();
  rows.forEach((row, at) => {
    if (row.edition !== 'practitioner' || row.column1 === row.column2) return;
    const list = byColumn1.get(row.column1);
    if (list) list.push({ row, at });
    else byColumn1.set(row.column1, [{ row, at }]);
  });
  PTP_BY_COLUMN1.set(rows, byColumn1);
  return byColumn1;
}

/** Active PTP edits among the codes billed together on one DOS (practitioner edition), in table order. */
export function activePtpEdits(
  codes: readonly string[],
  dos: IsoDate,
  rows: readonly PtpRow[] = NCCI_PTP_CURATED,
): PtpRow[] {
  const byColumn1 = practitionerPairs(rows);
  const billed = new Set(codes);
  const found: { row: PtpRow; at: number }[] = [];
  for (const code of billed) {
    for (const pair of byColumn1.get(code) ?? []) {
      if (billed.has(pair.row.column2) && isEffectiveOn(pair.row, dos)) found.push(pair);
    }
  }
  return found.sort((a, b) => a.at - b.at).map((pair) => pair.row);
}

// Every rule value is a row with inclusive effectiveFrom/effectiveTo dates and a source id, and every lookup
// takes the date of service. This is the one generic lookup all rule tables use.
import type { IsoDate } from './dates.js';

export interface Effective {
  /** First date of service the row applies to (inclusive). */
  effectiveFrom: IsoDate;
  /** Last date of service the row applies to (inclusive); null = open-ended. */
  effectiveTo: IsoDate | null;
  /** Source id(s) of the rule reference's source list, e.g. 'R15'. */
  source: string;
  /** Review flag: set when the value is a VERIFY item that must be confirmed against the primary text. */
  verify?: string;
}

export function isEffectiveOn(row: Effective, dos: IsoDate): boolean {
  return row.effectiveFrom <= dos && (row.effectiveTo === null || dos <= row.effectiveTo);
}

/** All rows in force on `dos`. */
export function effectiveOn<T extends Effective>(rows: readonly T[], dos: IsoDate): T[] {
  return rows.filter((r) => isEffectiveOn(r, dos));
}

/**
 * The single row in force on `dos` among rows matching `match`. When rows overlap (a data error), the one
 * that started latest wins so a newer correction supersedes an older open-ended row deterministically.
 */
export function findEffective<T extends Effective>(
  rows: readonly T[],
  dos: IsoDate,
  match: (row: T) => boolean = () => true,
): T | undefined {
  let best: T | undefined;
  for (const row of rows) {
    if (!match(row) || !isEffectiveOn(row, dos)) continue;
    if (best === undefined || row.effectiveFrom > best.effectiveFrom) best = row;
  }
  return best;
}

/** Overlapping rows for the same key are a data error; returns the keys that overlap (for data tests). */
export function findOverlaps<T extends Effective>(rows: readonly T[], key: (row: T) => string): string[] {
  const byKey = new Map<string, T[]>();
  for (const row of rows) {
    const rowKey = key(row);
    byKey.set(rowKey, [...(byKey.get(rowKey) ?? []), row]);
  }
  const overlaps: string[] = [];
  for (const [rowKey, list] of byKey) {
    const sorted = [...list].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
    let previous: T | undefined;
    for (const current of sorted) {
      if (previous && (previous.effectiveTo === null || previous.effectiveTo >= current.effectiveFrom))
        overlaps.push(rowKey);
      previous = current;
    }
  }
  return overlaps;
}

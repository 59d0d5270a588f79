// Medically Unlikely Edits: per-code unit caps per date of service, loaded per quarter.
import { findEffective } from '../core/effective.js';
import type { IsoDate } from '../core/dates.js';
import { MUE_CURATED } from '../rules/data/mue.js';
import type { MueRow } from '../rules/types.js';

export function mueOn(code: string, dos: IsoDate, rows: readonly MueRow[] = MUE_CURATED): MueRow | undefined {
  return findEffective(rows, dos, (r) => r.code === code);
}

export interface MueCap {
  code: string;
  requested: number;
  allowed: number;
  row: MueRow;
}

/** Units over the MUE for a code on one DOS (all lines of that code summed), or undefined when within it. */
export function checkMue(
  code: string,
  units: number,
  dos: IsoDate,
  rows: readonly MueRow[] = MUE_CURATED,
): MueCap | undefined {
  const row = mueOn(code, dos, rows);
  if (!row || units <= row.maxUnitsPerDos) return undefined;
  return { code, requested: units, allowed: row.maxUnitsPerDos, row };
}

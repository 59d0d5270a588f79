// Turns an imported NCCI quarter (the importer's JSON) into rule rows for the coding and scrubbing steps.
// Quarters stack: pass several datasets and the effective dates decide which row applies to a DOS.
import { NcciDatasetSchema } from './ncci-parser.js';
import type { MueRow, PtpRow } from './types.js';

export interface NcciRules {
  ptp: PtpRow[];
  mue: MueRow[];
}

/** Validates (zod) and merges imported datasets; throws on a malformed file (a deployment error). */
export function ncciRulesFromDatasets(datasets: readonly unknown[]): NcciRules {
  const parsed = datasets.map((d) => NcciDatasetSchema.parse(d));
  return { ptp: parsed.flatMap((d) => d.ptp), mue: parsed.flatMap((d) => d.mue) };
}

// Worker-side PHI reads (HIPAA 45 CFR 164.312(b) audit controls cover every access, not only what the API
// discloses). The repositories that decrypt PHI rows report each read here; inside an activity
// (activities/phi-read-audit.ts opens a scope around every activity) the reads are collected, one per table
// and row, and written as audit events in one batch when the activity ends. Outside a scope (the API, which
// audits its own disclosures; scripts) reporting a read does nothing.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface PhiRead {
  /** The PHI table read. */
  table: 'patients' | 'coverages' | 'eligibility_checks' | 'progress_reports';
  /** The row's id (an opaque UUID), never a value from it. */
  rowId: string;
  /** Our patient id, when the row is about one patient. */
  patientRef?: string;
  /** Names of the decrypted columns. */
  fields: string[];
}

interface Scope {
  reads: Map<string, PhiRead>;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Called by a repository after it decrypted a PHI row. */
export function recordPhiRead(read: PhiRead): void {
  const scope = scopes.getStore();
  if (!scope) return;
  const key = `${read.table}|${read.rowId}`;
  const seen = scope.reads.get(key);
  scope.reads.set(
    key,
    seen
      ? { ...seen, fields: [...new Set([...seen.fields, ...read.fields])] }
      : { ...read, fields: [...read.fields] },
  );
}

/**
 * Runs `work` collecting the PHI reads it makes, then hands them (one per table and row, in first-read order)
 * to `flush`. The reads are flushed whether the work succeeded or failed — a read that happened is audited
 * either way — and a flush failure after successful work fails the whole (retried) unit: its result is not
 * reported until its reads are on the log.
 */
export async function collectPhiReads<T>(
  flush: (reads: PhiRead[]) => Promise<void>,
  work: () => Promise<T>,
): Promise<T> {
  const scope: Scope = { reads: new Map() };
  let result: T;
  try {
    result = await scopes.run(scope, work);
  } catch (err) {
    if (scope.reads.size > 0) await flush([...scope.reads.values()]).catch(() => undefined);
    throw err;
  }
  if (scope.reads.size > 0) await flush([...scope.reads.values()]);
  return result;
}

// The sandbox EMR's generic records (coverage, forms, documents, plans of care, outcomes): one table keyed by
// kind and our id, written once or overwritten on each upsert.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { UpsertResult } from '../types.js';
import { UUID, type SandboxDb } from './appointments.js';
import * as t from './schema.js';

export class SandboxRecords {
  constructor(
    private readonly db: SandboxDb,
    private readonly now: () => Date,
    /** Throws EmrNotFound when the EMR has no such patient. */
    private readonly requirePatient: (emrPatientId: string) => Promise<void>,
  ) {}

  async put(
    kind: string,
    ourId: string,
    patientId: string,
    body: unknown,
    overwrite: boolean,
  ): Promise<UpsertResult> {
    await this.requirePatient(patientId);
    const id = randomUUID();
    const inserted = await this.db
      .insert(t.records)
      .values({ id, kind, ourId, patientId, body })
      .onConflictDoNothing({ target: [t.records.kind, t.records.ourId] })
      .returning({ id: t.records.id });
    if (inserted.length > 0) return { emrId: id, created: true };
    const [row] = await this.db
      .select({ id: t.records.id })
      .from(t.records)
      .where(and(eq(t.records.kind, kind), eq(t.records.ourId, ourId)));
    if (overwrite)
      await this.db
        .update(t.records)
        .set({ body, updatedAt: this.now() })
        .where(eq(t.records.id, row?.id ?? id));
    return { emrId: row?.id ?? id, created: false };
  }

  async list<T>(kind: string, patientId: string): Promise<{ id: string; body: T }[]> {
    if (!UUID.test(patientId)) return [];
    const rows = await this.db
      .select()
      .from(t.records)
      .where(and(eq(t.records.kind, kind), eq(t.records.patientId, patientId)));
    return rows.map((r) => ({ id: r.id, body: r.body as T }));
  }

  /** The body of the record of `kind` with our id, if any. */
  async find(kind: string, ourId: string): Promise<unknown> {
    if (!UUID.test(ourId)) return undefined;
    const [row] = await this.db
      .select()
      .from(t.records)
      .where(and(eq(t.records.kind, kind), eq(t.records.ourId, ourId)));
    return row?.body;
  }
}

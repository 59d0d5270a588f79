// Progress reports sent to the referring physician (issue 17 point 3). The rendered PDF is PHI: it is stored
// only as `pdf_enc` (AES-256-GCM under the data keyring, AAD `practice_id|progress_reports|pdf_enc|id`, the key
// id in `key_id`, re-encrypted by `ptflow keys rotate`), and every read of it is recorded as a PHI read (the
// activity wrapper writes it to the audit chain). Every write and read of the column goes through this file.
import { and, eq, sql } from 'drizzle-orm';
import { recordPhiRead } from '../audit/phi-reads.js';
import type { Database } from '../connection.js';
import { fieldContext } from '../crypto/encrypted-tables.js';
import { decryptField, encryptField } from '../crypto/field-encryption.js';
import type { Keyring } from '../crypto/keyring.js';
import { progressReports } from '../schema.js';

export type ProgressReportKind = (typeof progressReports.kind.enumValues)[number];
export type ProgressReportDeliveryState = (typeof progressReports.status.enumValues)[number];

/** A stored report without its content (what status pages and the workflow may see). */
export interface ProgressReportMeta {
  id: string;
  practiceId: string;
  patientId: string;
  kind: ProgressReportKind;
  reportDate: string;
  workflowId: string;
  pageCount: number;
  status: ProgressReportDeliveryState;
  channel: string | null;
  deliveryRounds: number;
  transmissionId: string | null;
  lastFailure: string | null;
  deliveredAt: Date | null;
}

const pdfContext = (row: { practiceId: string; id: string }) =>
  fieldContext('progress_reports', 'pdf_enc', { tenant: row.practiceId, rowId: row.id });

const metaColumns = {
  id: progressReports.id,
  practiceId: progressReports.practiceId,
  patientId: progressReports.patientId,
  kind: progressReports.kind,
  reportDate: progressReports.reportDate,
  workflowId: progressReports.workflowId,
  pageCount: progressReports.pageCount,
  status: progressReports.status,
  channel: progressReports.channel,
  deliveryRounds: progressReports.deliveryRounds,
  transmissionId: progressReports.transmissionId,
  lastFailure: progressReports.lastFailure,
  deliveredAt: progressReports.deliveredAt,
};

export function createProgressReportRepository(db: Database, keyring: Keyring) {
  return {
    /**
     * Stores a rendered report, encrypted. Idempotent on the id: a retried activity keeps the first rendering
     * (returns false), so the physician always receives the bytes that were stored first.
     */
    async insert(row: {
      id: string;
      practiceId: string;
      patientId: string;
      kind: ProgressReportKind;
      reportDate: string;
      workflowId: string;
      pdf: Uint8Array;
      pageCount: number;
    }): Promise<boolean> {
      const field = encryptField(row.pdf, pdfContext(row), keyring);
      const inserted = await db
        .insert(progressReports)
        .values({
          id: row.id,
          practiceId: row.practiceId,
          patientId: row.patientId,
          kind: row.kind,
          reportDate: row.reportDate,
          workflowId: row.workflowId,
          pdfEnc: field.data,
          keyId: field.keyId,
          pageCount: row.pageCount,
        })
        .onConflictDoNothing({ target: progressReports.id })
        .returning({ id: progressReports.id });
      return inserted.length > 0;
    },

    /** The report's metadata (no content), scoped to the practice; undefined when not there. */
    async meta(practiceId: string, id: string): Promise<ProgressReportMeta | undefined> {
      const [row] = await db
        .select(metaColumns)
        .from(progressReports)
        .where(and(eq(progressReports.practiceId, practiceId), eq(progressReports.id, id)));
      return row;
    },

    /** The PDF in clear (a PHI read: recorded for the audit chain). Undefined when there is no such report. */
    async pdf(
      practiceId: string,
      id: string,
    ): Promise<{ meta: ProgressReportMeta; pdf: Buffer } | undefined> {
      const [row] = await db
        .select({ ...metaColumns, pdfEnc: progressReports.pdfEnc })
        .from(progressReports)
        .where(and(eq(progressReports.practiceId, practiceId), eq(progressReports.id, id)));
      if (!row) return undefined;
      const { pdfEnc, ...meta } = row;
      const pdf = decryptField(pdfEnc, pdfContext(row), keyring);
      recordPhiRead({ table: 'progress_reports', rowId: id, patientRef: row.patientId, fields: ['pdf'] });
      return { meta, pdf };
    },

    /** A delivery round went out: its channel and the connector's transmission reference. */
    async markDelivered(
      practiceId: string,
      id: string,
      d: { channel: string; transmissionId: string; at: Date },
    ): Promise<void> {
      await db
        .update(progressReports)
        .set({
          status: 'delivered',
          channel: d.channel,
          transmissionId: d.transmissionId,
          deliveredAt: d.at,
          lastFailure: null,
          deliveryRounds: sql`${progressReports.deliveryRounds} + 1`,
          updatedAt: d.at,
        })
        .where(and(eq(progressReports.practiceId, practiceId), eq(progressReports.id, id)));
    },

    /** A delivery round failed for good (retries exhausted): the failure type only, never a message. */
    async markFailed(
      practiceId: string,
      id: string,
      f: { channel: string; failure: string; at: Date },
    ): Promise<void> {
      await db
        .update(progressReports)
        .set({
          status: 'failed',
          channel: f.channel,
          lastFailure: f.failure.slice(0, 100),
          deliveryRounds: sql`${progressReports.deliveryRounds} + 1`,
          updatedAt: f.at,
        })
        .where(
          and(
            eq(progressReports.practiceId, practiceId),
            eq(progressReports.id, id),
            // A late failure report never undoes a delivery.
            sql`${progressReports.status} <> 'delivered'`,
          ),
        );
    },
  };
}

export type ProgressReportRepository = ReturnType<typeof createProgressReportRepository>;

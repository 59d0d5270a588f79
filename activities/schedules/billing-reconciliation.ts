// The nightly billing reconciliation's read and bookkeeping side (recon): per practice, the EMR's signed notes
// with a date of service in the look-back window against the claims mirror (with its coded lines) and the
// posted 835 remittances, compared by domain/billing/reconciliation.ts. Every discrepancy found is a row of
// `billing_discrepancies` keyed by a hash of practice, visit and kind (unique), so a second run finds the row,
// not a new discrepancy; the biller's task id derives from that key and the row's occurrence. Returned are the
// discrepancies whose task does not exist yet (a run that died after this step raises them next time).
//
// A discrepancy a run no longer finds (the charge was entered, the note signed, the claim corrected) is marked
// resolved. If it comes back later it is a new occurrence with one new task; a task the biller completed while
// the discrepancy is still there is not raised again (the biller's decision stands until the data changes).
import { createHash } from 'node:crypto';
import { and, eq, gte, inArray, lte } from 'drizzle-orm';
import type { Emr, SignedVisit } from '../../connectors/emr/types.js';
import type { Database } from '../../db/connection.js';
import { existingTaskIds } from '../../db/repositories/tasks.js';
import { billingDiscrepancies, claimCodings, claimRemittances, claims, practices } from '../../db/schema.js';
import {
  discrepancyTitle,
  reconcileBilling,
  type ChargeFacts,
  type Discrepancy,
  type DiscrepancyKind,
  type SignedNoteFacts,
} from '../../domain/billing/reconciliation.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import { isUuid } from '../../domain/ids.js';
import { payerProfileOn, resolveUnitMethod } from '../../domain/rules/payers.js';
import { uuidFromKey } from '../shared/derived-ids.js';

export interface BillingReconciliationDeps {
  db: Database;
  /** The EMR whose signed notes are compared (the worker's EMR connector); without one nothing is reconciled. */
  emr?: Emr;
}

export interface BillingReconciliationOptions {
  nowIso: string;
  /** Dates of service from today minus this many days (practice calendar) up to today. */
  lookbackDays: number;
  /** A note signed less than this many hours ago is not a missed charge yet. */
  graceHours: number;
}

/** One discrepancy whose biller task is still to be raised. PHI-free: opaque ids, codes, units. */
export interface DiscrepancyTask {
  practiceId: string;
  patientId?: string;
  taskId: string;
  kind: DiscrepancyKind;
  title: string;
  details: Record<string, string | number | boolean>;
}

export interface BillingReconciliationPlan {
  practices: number;
  /** Practices whose EMR cannot be searched for signed notes (or another practice's EMR): left untouched. */
  notReconciled: number;
  notes: number;
  charges: number;
  /** Discrepancies found this run (new, still open or recurring). */
  found: number;
  /** Found discrepancies that came back after a run had marked them resolved. */
  recurred: number;
  /** Open discrepancies this run no longer found. */
  resolved: number;
  /** Found discrepancies whose task already exists (raised by an earlier run). */
  alreadyRaised: number;
  tasks: DiscrepancyTask[];
}

/** The stable discrepancy key: SHA-256 of practice, visit and kind (opaque; reveals no EMR id). */
export function discrepancyKey(d: Pick<Discrepancy, 'keyMaterial'>): string {
  return createHash('sha256').update(d.keyMaterial).digest('hex');
}

/** The biller task of a discrepancy's occurrence: one per key and occurrence. */
export function discrepancyTaskId(key: string, occurrence: number): string {
  return uuidFromKey('billing-discrepancy', key, String(occurrence));
}

/** The visit id as the claim carries it (activities/emr-events/claims.ts derives it the same way). */
function claimVisitId(practiceId: string, emrVisitId: string): string {
  return isUuid(emrVisitId) ? emrVisitId : uuidFromKey('visit', practiceId, emrVisitId);
}

function noteFacts(practiceId: string, v: SignedVisit): SignedNoteFacts {
  return {
    visitId: claimVisitId(practiceId, v.visitId),
    dateOfService: v.dateOfService,
    signedAt: v.signedAt,
    interventions: v.interventions.map((i) => ({ code: i.code, minutes: i.minutes })),
  };
}

/** Flat, PHI-free task details of a discrepancy (the worklist shows opaque ids and codes only). */
function taskDetails(
  d: Discrepancy,
  emrVisitId: string | undefined,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {
    discrepancy: d.kind,
    visitId: emrVisitId ?? d.visitId,
  };
  if (d.claimId) out.claimId = d.claimId;
  if (d.details.claimStatus) out.claimStatus = d.details.claimStatus;
  if (d.details.paid !== undefined) out.paid = d.details.paid;
  if (d.details.units) {
    out.units = d.details.units
      .map((u) => `${u.code}: documented ${u.documented}, billed ${u.billed}`)
      .join('; ');
  }
  return out;
}

export function createBillingReconciliationActivities(deps: BillingReconciliationDeps) {
  const { db } = deps;

  /** The charges (claims with coded lines and remittances) of a practice with a date of service in range. */
  async function chargesOf(practiceId: string, from: string, to: string) {
    const rows = await db
      .select({
        claimId: claims.id,
        patientId: claims.patientId,
        visitId: claims.visitId,
        payerId: claims.payerId,
        serviceDate: claims.serviceDate,
        status: claims.status,
        lines: claimCodings.lines,
      })
      .from(claims)
      .leftJoin(claimCodings, eq(claimCodings.claimId, claims.id))
      .where(
        and(eq(claims.practiceId, practiceId), gte(claims.serviceDate, from), lte(claims.serviceDate, to)),
      );
    const remits =
      rows.length === 0
        ? []
        : await db
            .select({ claimId: claimRemittances.claimId, paidCents: claimRemittances.paidCents })
            .from(claimRemittances)
            .where(
              inArray(
                claimRemittances.claimId,
                rows.map((r) => r.claimId),
              ),
            );
    const patients = new Map(rows.map((r) => [r.claimId, r.patientId]));
    const charges: ChargeFacts[] = rows.map((r) => {
      const profile = r.serviceDate ? payerProfileOn(r.payerId, r.serviceDate) : undefined;
      return {
        claimId: r.claimId,
        visitId: r.visitId,
        serviceDate: r.serviceDate,
        status: r.status,
        ...(profile ? { unitMethod: resolveUnitMethod(profile) } : {}),
        ...(r.lines ? { lines: r.lines.map((l) => ({ code: l.code, units: l.units })) } : {}),
        remittances: remits.filter((m) => m.claimId === r.claimId),
      };
    });
    return { charges, patients };
  }

  return {
    /**
     * Compares every practice's signed notes with its charges and remittances, records what it found in
     * `billing_discrepancies` (new rows, recurrences, resolutions) and returns the biller tasks still to raise.
     */
    async findBillingDiscrepancies(opts: BillingReconciliationOptions): Promise<BillingReconciliationPlan> {
      const now = new Date(opts.nowIso);
      const plan: BillingReconciliationPlan = {
        practices: 0,
        notReconciled: 0,
        notes: 0,
        charges: 0,
        found: 0,
        recurred: 0,
        resolved: 0,
        alreadyRaised: 0,
        tasks: [],
      };
      const all = await db.select({ id: practices.id, timezone: practices.timezone }).from(practices);
      const candidates: DiscrepancyTask[] = [];
      for (const practice of all) {
        plan.practices++;
        const emr = deps.emr;
        if (!emr?.listSignedVisits || (emr.practiceId !== undefined && emr.practiceId !== practice.id)) {
          plan.notReconciled++;
          continue;
        }
        const to = localDate(now, practice.timezone);
        const from = addDays(to, -opts.lookbackDays);
        const signed = await emr.listSignedVisits({ from, to });
        const emrVisitIds = new Map(signed.map((v) => [claimVisitId(practice.id, v.visitId), v.visitId]));
        const notes = signed.map((v) => noteFacts(practice.id, v));
        const { charges, patients } = await chargesOf(practice.id, from, to);
        plan.notes += notes.length;
        plan.charges += charges.length;
        const found = reconcileBilling({
          practiceId: practice.id,
          now: opts.nowIso,
          graceHours: opts.graceHours,
          notes,
          charges,
        });
        plan.found += found.length;

        await db.transaction(async (tx) => {
          const keys = found.map((d) => discrepancyKey(d));
          const existing =
            keys.length === 0
              ? []
              : await tx
                  .select()
                  .from(billingDiscrepancies)
                  .where(inArray(billingDiscrepancies.discrepancyKey, keys))
                  .for('update');
          const byKey = new Map(existing.map((r) => [r.discrepancyKey, r]));
          for (const [i, d] of found.entries()) {
            const key = keys[i]!;
            const row = byKey.get(key);
            let taskId: string;
            if (!row) {
              taskId = discrepancyTaskId(key, 1);
              await tx
                .insert(billingDiscrepancies)
                .values({
                  id: uuidFromKey('billing-discrepancy-row', key),
                  discrepancyKey: key,
                  practiceId: practice.id,
                  visitId: d.visitId,
                  kind: d.kind,
                  claimId: d.claimId ?? null,
                  serviceDate: d.serviceDate,
                  occurrence: 1,
                  taskId,
                  details: d.details,
                  firstSeenAt: now,
                  lastSeenAt: now,
                })
                .onConflictDoNothing();
            } else if (row.status === 'resolved') {
              plan.recurred++;
              taskId = discrepancyTaskId(key, row.occurrence + 1);
              await tx
                .update(billingDiscrepancies)
                .set({
                  status: 'open',
                  occurrence: row.occurrence + 1,
                  taskId,
                  claimId: d.claimId ?? null,
                  details: d.details,
                  lastSeenAt: now,
                  resolvedAt: null,
                })
                .where(eq(billingDiscrepancies.id, row.id));
            } else {
              taskId = row.taskId;
              await tx
                .update(billingDiscrepancies)
                .set({ claimId: d.claimId ?? null, details: d.details, lastSeenAt: now })
                .where(eq(billingDiscrepancies.id, row.id));
            }
            const patientId = d.claimId ? patients.get(d.claimId) : undefined;
            candidates.push({
              practiceId: practice.id,
              ...(patientId ? { patientId } : {}),
              taskId,
              kind: d.kind,
              title: discrepancyTitle(d),
              details: taskDetails(d, emrVisitIds.get(d.visitId)),
            });
          }
          // Open discrepancies of this window that this run did not find are resolved.
          const open = await tx
            .select({ id: billingDiscrepancies.id, key: billingDiscrepancies.discrepancyKey })
            .from(billingDiscrepancies)
            .where(
              and(
                eq(billingDiscrepancies.practiceId, practice.id),
                eq(billingDiscrepancies.status, 'open'),
                gte(billingDiscrepancies.serviceDate, from),
                lte(billingDiscrepancies.serviceDate, to),
              ),
            );
          const foundKeys = new Set(keys);
          const gone = open.filter((r) => !foundKeys.has(r.key)).map((r) => r.id);
          if (gone.length > 0) {
            await tx
              .update(billingDiscrepancies)
              .set({ status: 'resolved', resolvedAt: now })
              .where(inArray(billingDiscrepancies.id, gone));
            plan.resolved += gone.length;
          }
        });
      }
      const raised = await existingTaskIds(
        db,
        candidates.map((c) => c.taskId),
      );
      plan.alreadyRaised = candidates.filter((c) => raised.has(c.taskId)).length;
      plan.tasks = candidates.filter((c) => !raised.has(c.taskId));
      return plan;
    },
  };
}

// Fee schedules a practice imported (tables `fee_schedules`, `fee_schedule_rows`): one payer (or `*`, the
// chargemaster for every payer) per schedule, effective from a date. A schedule ends where its own end date says
// or the day before the next schedule of the same payer starts, whichever is first: importing next year's
// schedule supersedes this year's from its first day. An import is one transaction — all rows or none.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { addDays } from '../../domain/core/dates.js';
import type { FeeScheduleCsvRow } from '../../domain/practice/fee-schedule-csv.js';
import type { FeeRow } from '../../domain/rules/types.js';
import type { Database } from '../connection.js';
import { feeScheduleRows, feeSchedules } from '../schema.js';

export interface FeeScheduleView {
  id: string;
  payerId: string;
  effectiveFrom: string;
  /** The end date as imported (a later schedule of the same payer ends it earlier; see `endsOn`). */
  effectiveTo: string | null;
  /** The last day it applies, given the schedules after it (null: open-ended). */
  endsOn: string | null;
  source: string;
  rowCount: number;
  importedAt: string;
}

export class FeeScheduleConflict extends Error {
  constructor() {
    super('a schedule for this payer already starts on that date');
    this.name = 'FeeScheduleConflict';
  }
}

type ScheduleRow = typeof feeSchedules.$inferSelect;

/** Each schedule's last day: its own end, or the day before the same payer's next schedule starts. */
function endsOn(rows: readonly ScheduleRow[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const byPayer = new Map<string, ScheduleRow[]>();
  for (const r of rows) byPayer.set(r.payerId, [...(byPayer.get(r.payerId) ?? []), r]);
  for (const list of byPayer.values()) {
    list.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    list.forEach((r, i) => {
      const next = list[i + 1];
      const cut = next ? addDays(next.effectiveFrom, -1) : null;
      const own = r.effectiveTo;
      out.set(r.id, own === null ? cut : cut === null ? own : own < cut ? own : cut);
    });
  }
  return out;
}

export function createFeeScheduleRepository(db: Database) {
  const schedules = (practiceId: string) =>
    db
      .select()
      .from(feeSchedules)
      .where(eq(feeSchedules.practiceId, practiceId))
      .orderBy(asc(feeSchedules.payerId), asc(feeSchedules.effectiveFrom));
  const viewOf = (r: ScheduleRow, ends: Map<string, string | null>): FeeScheduleView => ({
    id: r.id,
    payerId: r.payerId,
    effectiveFrom: r.effectiveFrom,
    effectiveTo: r.effectiveTo,
    endsOn: ends.get(r.id) ?? null,
    source: r.source,
    rowCount: r.rowCount,
    importedAt: r.importedAt.toISOString(),
  });

  return {
    /** Stores a validated schedule in one transaction. FeeScheduleConflict when one starts on the same date. */
    async import(
      practiceId: string,
      s: {
        payerId: string;
        effectiveFrom: string;
        effectiveTo?: string;
        source: string;
        importedBy: string;
        rows: readonly FeeScheduleCsvRow[];
      },
    ): Promise<FeeScheduleView> {
      const id = randomUUID();
      await db.transaction(async (tx) => {
        const inserted = await tx
          .insert(feeSchedules)
          .values({
            id,
            practiceId,
            payerId: s.payerId,
            effectiveFrom: s.effectiveFrom,
            effectiveTo: s.effectiveTo ?? null,
            source: s.source,
            rowCount: s.rows.length,
            importedBy: s.importedBy,
          })
          .onConflictDoNothing()
          .returning({ id: feeSchedules.id });
        if (inserted.length === 0) throw new FeeScheduleConflict();
        for (let i = 0; i < s.rows.length; i += 1000) {
          await tx.insert(feeScheduleRows).values(
            s.rows.slice(i, i + 1000).map((r) => ({
              scheduleId: id,
              code: r.code,
              chargeCents: r.chargeCents,
              expectedAllowedCents: r.expectedAllowedCents,
            })),
          );
        }
      });
      const list = await schedules(practiceId);
      return viewOf(
        list.find((r) => r.id === id)!,
        endsOn(list),
      );
    },

    async list(practiceId: string): Promise<FeeScheduleView[]> {
      const list = await schedules(practiceId);
      const ends = endsOn(list);
      return list.map((r) => viewOf(r, ends));
    },

    /** One schedule of this practice with its rows; undefined for another practice's or an unknown id. */
    async get(
      practiceId: string,
      id: string,
    ): Promise<
      | (FeeScheduleView & {
          rows: { code: string; chargeCents: number; expectedAllowedCents: number | null }[];
        })
      | undefined
    > {
      const list = await schedules(practiceId);
      const found = list.find((r) => r.id === id);
      if (!found) return undefined;
      const rows = await db
        .select({
          code: feeScheduleRows.code,
          chargeCents: feeScheduleRows.chargeCents,
          expectedAllowedCents: feeScheduleRows.expectedAllowedCents,
        })
        .from(feeScheduleRows)
        .where(eq(feeScheduleRows.scheduleId, id))
        .orderBy(asc(feeScheduleRows.code));
      return { ...viewOf(found, endsOn(list)), rows };
    },

    /** The practice's imported schedules as rule rows (domain FeeRow), for coding its claims. */
    async feeRows(practiceId: string): Promise<FeeRow[]> {
      const list = await schedules(practiceId);
      if (list.length === 0) return [];
      const ends = endsOn(list);
      const byId = new Map(list.map((r) => [r.id, r]));
      const rows = await db
        .select()
        .from(feeScheduleRows)
        .where(
          inArray(
            feeScheduleRows.scheduleId,
            list.map((r) => r.id),
          ),
        );
      return rows.map((r) => {
        const s = byId.get(r.scheduleId)!;
        return {
          practiceId,
          payerId: s.payerId,
          code: r.code,
          chargeCents: r.chargeCents,
          expectedAllowedCents: r.expectedAllowedCents,
          effectiveFrom: s.effectiveFrom,
          effectiveTo: ends.get(s.id) ?? null,
          source: `fee schedule ${s.id} (${s.source})`,
        };
      });
    },

    /** Whether this practice imported any schedule (else claims fall back to the built-in demo tables). */
    async any(practiceId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: feeSchedules.id })
        .from(feeSchedules)
        .where(and(eq(feeSchedules.practiceId, practiceId)))
        .limit(1);
      return row !== undefined;
    },
  };
}

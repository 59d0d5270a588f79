// Interchange (ISA13) and group (GS06) control numbers: unique and increasing per sender, persisted across
// restarts (issue 3 item 5). The codec takes them as inputs; this is where they come from.
import { sql as dsql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';

/** ISA13 is 9 digits; after 999 999 999 the counter wraps to 1 (decades of traffic at any real rate). */
export const MAX_CONTROL_NUMBER = 999_999_999;

export interface ControlNumbers {
  interchange: number;
  group: number;
}

export interface ControlNumberSource {
  next(senderId: string): Promise<ControlNumbers>;
}

/** The successor of a control number, wrapping inside 1..MAX. */
export function nextControlNumber(last: number): number {
  return last >= MAX_CONTROL_NUMBER || last < 1 ? 1 : last + 1;
}

/** ST02: four to nine characters, unique within the group; one transaction per interchange here. */
export function transactionControlNumber(n = 1): string {
  return String(n).padStart(4, '0');
}

/** For unit tests and the CLI preview: never for real traffic (not persisted). */
export class InMemoryControlNumbers implements ControlNumberSource {
  private readonly last = new Map<string, ControlNumbers>();
  async next(senderId: string): Promise<ControlNumbers> {
    const prev = this.last.get(senderId) ?? { interchange: 0, group: 0 };
    const n = { interchange: nextControlNumber(prev.interchange), group: nextControlNumber(prev.group) };
    this.last.set(senderId, n);
    return n;
  }
}

/**
 * Postgres-backed source: `INSERT … ON CONFLICT DO UPDATE … RETURNING` takes the row lock, increments and
 * returns in one statement, so two workers can never be handed the same number. Works on any drizzle
 * postgres-js database whose connection has the `payer` migration set applied.
 */
export class PostgresControlNumbers implements ControlNumberSource {
  constructor(private readonly db: PostgresJsDatabase<Record<string, unknown>>) {}

  async next(senderId: string): Promise<ControlNumbers> {
    const max = MAX_CONTROL_NUMBER;
    const rows = await this.db.execute<{ last_interchange: string; last_group: string }>(dsql`
      insert into payer.control_numbers as c (sender_id, last_interchange, last_group)
      values (${senderId}, 1, 1)
      on conflict (sender_id) do update set
        last_interchange = case when c.last_interchange >= ${max} then 1 else c.last_interchange + 1 end,
        last_group = case when c.last_group >= ${max} then 1 else c.last_group + 1 end,
        updated_at = now()
      returning last_interchange, last_group`);
    const row = rows[0];
    if (row === undefined) throw new Error('control number allocation returned no row');
    return { interchange: Number(row.last_interchange), group: Number(row.last_group) };
  }
}

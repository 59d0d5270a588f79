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

/** The envelope of one submission, allocated once per idempotency key (see forKey). */
export interface KeyedControlNumbers extends ControlNumbers {
  /** When the envelope was first allocated: the ISA date and time of every copy. */
  createdAt: Date;
  /** True when the key already had an envelope: this is a retry of an earlier submission. */
  reused: boolean;
}

export interface ControlNumberSource {
  next(senderId: string): Promise<ControlNumbers>;
  /**
   * The same numbers for the same key, every time: a retried submission re-sends the identical
   * interchange. Sources without persistence may omit it; callers then allocate fresh numbers.
   */
  forKey?(senderId: string, key: string, now: Date): Promise<KeyedControlNumbers>;
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

  private readonly keyed = new Map<string, KeyedControlNumbers>();
  async forKey(senderId: string, key: string, now: Date): Promise<KeyedControlNumbers> {
    const id = `${senderId}|${key}`;
    const known = this.keyed.get(id);
    if (known) return { ...known, reused: true };
    const fresh = { ...(await this.next(senderId)), createdAt: now, reused: false };
    this.keyed.set(id, fresh);
    return fresh;
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

  /**
   * Looks the key up first; otherwise allocates and records it before anything is sent. Two racing callers
   * with the same key both end up with the row that won the insert (the loser's numbers are simply unused:
   * control numbers need to be unique, not gapless).
   */
  async forKey(senderId: string, key: string, now: Date): Promise<KeyedControlNumbers> {
    const existing = await this.lookup(senderId, key);
    if (existing) return { ...existing, reused: true };
    const n = await this.next(senderId);
    const inserted = await this.db.execute<{ created_at: string | Date }>(dsql`
      insert into payer.submission_envelopes (sender_id, idempotency_key, interchange, group_number, created_at)
      values (${senderId}, ${key}, ${n.interchange}, ${n.group}, ${now.toISOString()})
      on conflict do nothing
      returning created_at`);
    if (inserted[0] !== undefined) return { ...n, createdAt: now, reused: false };
    const won = await this.lookup(senderId, key);
    if (!won) throw new Error('submission envelope vanished after a conflicting insert');
    return { ...won, reused: true };
  }

  private async lookup(
    senderId: string,
    key: string,
  ): Promise<{ interchange: number; group: number; createdAt: Date } | undefined> {
    const rows = await this.db.execute<{
      interchange: string;
      group_number: string;
      created_at: string | Date;
    }>(
      dsql`select interchange, group_number, created_at from payer.submission_envelopes
           where sender_id = ${senderId} and idempotency_key = ${key}`,
    );
    const r = rows[0];
    return r === undefined
      ? undefined
      : {
          interchange: Number(r.interchange),
          group: Number(r.group_number),
          createdAt: new Date(r.created_at),
        };
  }
}

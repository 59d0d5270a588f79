// Signed webhook delivery of the sandbox EMR, as a real EMR would send it: a transactional outbox (the event
// row is written in the same transaction as the state change), Standard Webhooks signatures computed afresh
// for every attempt over the exact body bytes, retries with backoff, and the table doubling as the delivery
// log (status, attempts, last HTTP status; never the response body).
import { randomUUID } from 'node:crypto';
import { and, asc, eq, lte } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { EmrEventSchema, type EmrEvent, type EmrEventType } from '../../webhooks/emr-events.js';
import { signedWebhookHeaders } from '../../webhooks/standard-webhooks.js';
import { webhookDeliveries } from './schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = PostgresJsDatabase<any>;

/** Standard Webhooks' suggested schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const defaultRetryScheduleMs = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];

export interface WebhookTarget {
  url: string;
  /** `whsec_…`; two during a rotation overlap. */
  secrets: string[];
}

export interface WebhookSenderOptions {
  target?: WebhookTarget;
  fetch?: typeof fetch;
  now?: () => Date;
  retryScheduleMs?: readonly number[];
  timeoutMs?: number;
}

/** Queue an event inside the caller's transaction. The payload is validated against the API's schema. */
export async function enqueueEvent<T extends EmrEventType>(
  tx: Pick<Db, 'insert'>,
  type: T,
  data: Extract<EmrEvent, { type: T }>['data'],
  now: Date,
): Promise<string> {
  const event = EmrEventSchema.parse({ type, timestamp: now.toISOString(), data });
  const id = `msg_${randomUUID().replace(/-/g, '')}`;
  await tx
    .insert(webhookDeliveries)
    .values({ id, eventType: type, body: JSON.stringify(event), nextAttemptAt: now });
  return id;
}

export interface DeliveryReport {
  delivered: number;
  retrying: number;
  failed: number;
}

export class WebhookSender {
  private readonly doFetch: typeof fetch;
  private readonly now: () => Date;
  private readonly schedule: readonly number[];

  constructor(
    private readonly db: Db,
    private readonly opts: WebhookSenderOptions,
  ) {
    this.doFetch = opts.fetch ?? fetch;
    this.now = opts.now ?? (() => new Date());
    this.schedule = opts.retryScheduleMs ?? defaultRetryScheduleMs;
  }

  /** Attempt every due delivery once. Rows are claimed with SKIP LOCKED so parallel senders never double-send. */
  async deliverDue(limit = 100): Promise<DeliveryReport> {
    const report: DeliveryReport = { delivered: 0, retrying: 0, failed: 0 };
    const target = this.opts.target;
    if (!target) return report;
    for (let i = 0; i < limit; i++) {
      const outcome = await this.db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(webhookDeliveries)
          .where(
            and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, this.now())),
          )
          .orderBy(asc(webhookDeliveries.createdAt))
          .limit(1)
          .for('update', { skipLocked: true });
        if (!row) return undefined;
        const result = await this.post(target, row.id, row.body);
        const attempts = row.attempts + 1;
        if (result.ok) {
          await tx
            .update(webhookDeliveries)
            .set({
              status: 'delivered',
              attempts,
              lastStatus: result.status,
              lastError: null,
              deliveredAt: this.now(),
            })
            .where(eq(webhookDeliveries.id, row.id));
          return 'delivered' as const;
        }
        const delay = this.schedule[attempts - 1];
        await tx
          .update(webhookDeliveries)
          .set({
            status: delay === undefined ? 'failed' : 'pending',
            attempts,
            lastStatus: result.status ?? null,
            lastError: result.error,
            nextAttemptAt: new Date(this.now().getTime() + (delay ?? 0)),
          })
          .where(eq(webhookDeliveries.id, row.id));
        return delay === undefined ? ('failed' as const) : ('retrying' as const);
      });
      if (!outcome) break;
      report[outcome]++;
    }
    return report;
  }

  private async post(
    target: WebhookTarget,
    id: string,
    body: string,
  ): Promise<{ ok: boolean; status?: number; error: string | null }> {
    const timestamp = Math.floor(this.now().getTime() / 1000);
    try {
      const res = await this.doFetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signedWebhookHeaders({ id, timestamp, body }, target.secrets),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      await res.body?.cancel().catch(() => undefined);
      const ok = res.status >= 200 && res.status < 300;
      return { ok, status: res.status, error: ok ? null : `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, error: (err as Error).name === 'TimeoutError' ? 'timeout' : 'network error' };
    }
  }

  /** Poll for due deliveries until stopped (for `ptflow dev` and demos). */
  start(intervalMs = 1_000): { stop(): Promise<void> } {
    let stopped = false;
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      if (stopped) return;
      running = running.then(() => this.deliverDue()).catch(() => undefined);
    }, intervalMs);
    return {
      async stop() {
        stopped = true;
        clearInterval(timer);
        await running;
      },
    };
  }
}

// The daily staff digest: per practice, open and overdue worklist tasks by role (our tasks table) and running
// processes flagged NeedsAttention (Temporal visibility), e-mailed through the messaging connector with the
// `staff_digest` template — counts and a sign-in link only, nothing about any patient. The message id is the
// practice, the local day and the recipient's position, so a retried activity or a second trigger the same
// day sends nothing twice.
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { and, count, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { toApplicationFailure } from '../../connectors/messaging/failure.js';
import type { Messaging } from '../../connectors/messaging/types.js';
import type { Database } from '../../db/connection.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import { tasks } from '../../db/schema.js';
import { localDate } from '../../domain/core/zoned.js';
import type { StaffRole } from '../../domain/tasks.js';

export interface StaffDigestCounts {
  practiceId: string;
  /** The practice-local day the digest covers. */
  digestDate: string;
  open: Record<StaffRole, number>;
  overdue: Record<StaffRole, number>;
  needsAttention: number;
}

export interface StaffDigestDeps {
  db: Database;
  temporal?: Client;
  messaging?: Messaging;
  /** Who receives each practice's digest (staff e-mail addresses from configuration). */
  recipients: Readonly<Record<string, readonly string[]>>;
  /** Where staff sign in to see the items (e.g. the Temporal UI filtered to the practice). */
  link?: (practiceId: string) => string | undefined;
}

const zero = (): Record<StaffRole, number> => ({ front_desk: 0, therapist: 0, biller: 0, admin: 0 });

function notConfigured(what: string): never {
  throw ApplicationFailure.nonRetryable(`No ${what} is configured.`, 'ConnectorNotConfigured');
}

export function createStaffDigestActivities(deps: StaffDigestDeps) {
  return {
    /** Practices that have digest recipients configured (and exist). */
    async listDigestPractices(): Promise<string[]> {
      const ids = Object.keys(deps.recipients).filter((id) => (deps.recipients[id]?.length ?? 0) > 0);
      if (ids.length === 0) return [];
      return (await createPracticeRepository(deps.db).existing(ids)).sort();
    },

    async countStaffDigest(practiceId: string, nowIso: string): Promise<StaffDigestCounts> {
      if (!deps.temporal) notConfigured('Temporal client for activities');
      const now = new Date(nowIso);
      const practice = await createPracticeRepository(deps.db).get(practiceId);
      if (!practice) throw ApplicationFailure.nonRetryable('practice not on file', 'PracticeNotFound');
      const rows = await deps.db
        .select({
          role: tasks.assigneeRole,
          open: count(),
          overdue:
            sql<number>`count(*) filter (where ${or(eq(tasks.status, 'escalated'), lt(tasks.dueAt, now))})`.mapWith(
              Number,
            ),
        })
        .from(tasks)
        .where(and(eq(tasks.practiceId, practiceId), inArray(tasks.status, ['open', 'escalated'])))
        .groupBy(tasks.assigneeRole);
      const open = zero();
      const overdue = zero();
      for (const r of rows) {
        open[r.role] = r.open;
        overdue[r.role] = r.overdue;
      }
      // Practice ids are validated UUIDs from our own table, so the query string holds nothing else.
      const attention = await deps.temporal.workflow.count(
        `PracticeId = "${practiceId}" AND NeedsAttention = true AND ExecutionStatus = "Running"`,
      );
      return {
        practiceId,
        digestDate: localDate(now, practice.timezone),
        open,
        overdue,
        needsAttention: attention.count,
      };
    },

    async deliverStaffDigest(counts: StaffDigestCounts): Promise<{ sent: number; skipped: number }> {
      if (!deps.messaging) notConfigured('messaging connector');
      const to = deps.recipients[counts.practiceId] ?? [];
      const practice = await createPracticeRepository(deps.db).get(counts.practiceId);
      if (!practice) throw ApplicationFailure.nonRetryable('practice not on file', 'PracticeNotFound');
      const link = deps.link?.(counts.practiceId);
      const params = {
        practiceName: practice.name.slice(0, 40),
        digestDate: counts.digestDate,
        openFrontDesk: counts.open.front_desk,
        overdueFrontDesk: counts.overdue.front_desk,
        openTherapist: counts.open.therapist,
        overdueTherapist: counts.overdue.therapist,
        openBiller: counts.open.biller,
        overdueBiller: counts.overdue.biller,
        openAdmin: counts.open.admin,
        overdueAdmin: counts.overdue.admin,
        needsAttention: counts.needsAttention,
        ...(link ? { link } : {}),
      };
      let sent = 0;
      let skipped = 0;
      for (const [i, address] of to.entries()) {
        const result = await deps.messaging
          .send({
            messageId: `staff-digest:${counts.practiceId}:${counts.digestDate}:${i}`,
            practiceId: counts.practiceId,
            channel: 'email',
            to: address,
            template: 'staff_digest',
            language: 'en',
            params,
            timeZone: practice.timezone,
          })
          .catch((err: unknown) => {
            throw toApplicationFailure(err);
          });
        if (result.status === 'sent') sent++;
        else skipped++;
      }
      return { sent, skipped };
    },
  };
}

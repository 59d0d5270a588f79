// The timely-filing sweep's read side: claims the claims mirror shows as not yet adjudicated (held by the
// scrubber, rejected at the front end, or submitted without a payment or denial), judged against the payer
// profile in force on their date of service (domain/claims/timely-filing-alert.ts) in the practice's own
// calendar. Claims that already have their timely-filing task are left out, so the sweep raises one per claim.
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { existingTaskIds } from '../../db/repositories/tasks.js';
import { claims, practices } from '../../db/schema.js';
import { timelyFilingAlert } from '../../domain/claims/timely-filing-alert.js';
import { endOfLocalDay, localDate } from '../../domain/core/zoned.js';
import { uuidFromKey } from '../shared/derived-ids.js';

/**
 * Mirror statuses of a claim no payer has adjudicated: `coding`/`held` (never sent), `rejected` (a 999
 * front-end rejection: never filed, the clock keeps running) and `submitted` (sent, no 835 yet).
 */
export const UNADJUDICATED_CLAIM_STATUSES = ['coding', 'held', 'rejected', 'submitted'] as const;

export interface TimelyFilingRisk {
  claimId: string;
  practiceId: string;
  patientId: string;
  claimWorkflowId: string;
  /** Derived from the claim id: one task per claim, however often the sweep runs. */
  taskId: string;
  alert: 'approaching' | 'expired';
  /** Days until the deadline (0 = today is the last day); negative once expired. */
  daysLeft: number;
  /** When the biller's task is due: the end of the deadline day in the practice's zone, or a day from now. */
  dueAt: string;
}

export interface TimelyFilingSweepPlan {
  scanned: number;
  notDue: number;
  /** Payers without a profile on the date of service: no limit is guessed (reported, not tasked). */
  unknownPayer: number;
  alreadyRaised: number;
  risks: TimelyFilingRisk[];
}

export function createTimelyFilingActivities({ db }: { db: Database }) {
  return {
    async findTimelyFilingRisks(nowIso: string): Promise<TimelyFilingSweepPlan> {
      const now = new Date(nowIso);
      const rows = await db
        .select({
          claimId: claims.id,
          practiceId: claims.practiceId,
          patientId: claims.patientId,
          payerId: claims.payerId,
          serviceDate: claims.serviceDate,
          workflowId: claims.workflowId,
          timezone: practices.timezone,
        })
        .from(claims)
        .innerJoin(practices, eq(practices.id, claims.practiceId))
        .where(and(inArray(claims.status, [...UNADJUDICATED_CLAIM_STATUSES]), isNotNull(claims.serviceDate)));

      const plan: TimelyFilingSweepPlan = {
        scanned: rows.length,
        notDue: 0,
        unknownPayer: 0,
        alreadyRaised: 0,
        risks: [],
      };
      const candidates: TimelyFilingRisk[] = [];
      for (const r of rows) {
        const alert = timelyFilingAlert(
          { payerId: r.payerId, serviceDate: r.serviceDate! },
          localDate(now, r.timezone),
        );
        if (alert.kind === 'unknown_payer') plan.unknownPayer++;
        else if (alert.kind === 'not_due') plan.notDue++;
        else {
          const endOfDeadline = endOfLocalDay(alert.deadline, r.timezone).getTime();
          candidates.push({
            claimId: r.claimId,
            practiceId: r.practiceId,
            patientId: r.patientId,
            claimWorkflowId: r.workflowId,
            taskId: uuidFromKey('timely-filing', r.claimId),
            alert: alert.kind,
            daysLeft: alert.kind === 'approaching' ? alert.daysLeft : -alert.daysLate,
            dueAt: new Date(Math.max(endOfDeadline, now.getTime() + 86_400_000)).toISOString(),
          });
        }
      }
      if (candidates.length === 0) return plan;
      // Any status counts: a task the biller already closed is not raised again either.
      const raised = await existingTaskIds(
        db,
        candidates.map((c) => c.taskId),
      );
      plan.alreadyRaised = candidates.filter((c) => raised.has(c.taskId)).length;
      plan.risks = candidates.filter((c) => !raised.has(c.taskId));
      return plan;
    },
  };
}

// Nightly eligibility re-verification, read side: every coverage of a patient with a booked visit in the next
// hours (our appointments mirror), once per coverage per run, for the coverages we believe are good
// (`active`, or `unverified` after an import). Coverages already known to be inactive, not found or waiting
// for a phone verification have a person on them. The 270/271 itself is the onboarding activity
// `verifyEligibility`, reused as is: same trace discipline, same eligibility_checks rows, same coverage status.
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { existingTaskIds } from '../../db/repositories/tasks.js';
import { appointments, coverages, practices } from '../../db/schema.js';
import { localDate } from '../../domain/core/zoned.js';
import { uuidFromKey } from '../shared/derived-ids.js';

export interface ReverificationItem {
  practiceId: string;
  patientId: string;
  coverageId: string;
  /** The earliest booked visit in the window: the date of service asked about and the task's deadline. */
  appointmentId: string;
  startsAt: string;
  /** The visit's calendar date in the practice's zone (the 270's service date). */
  serviceDate: string;
  /** Derived from appointment + coverage: one task per visit and coverage, however often the run repeats. */
  taskId: string;
  /** That task exists already (any status): verify again, but raise nothing new. */
  taskRaised: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createReverificationActivities({ db, temporal }: { db: Database; temporal?: Client }) {
  return {
    /**
     * Tell the patient's own running processes (onboarding, plan of care) what the re-verification found for one
     * coverage, with the `coverageChecked` signal: inactive / not found marks them NeedsAttention; active clears
     * the mark, so only the processes marked now are told (NeedsAttention = true). Found through visibility by
     * practice and patient id (opaque ids). Returns how many were signalled; a process that closed between the
     * listing and the signal is skipped.
     */
    async signalCoverageChecked(q: {
      practiceId: string;
      patientId: string;
      coverageId: string;
      outcome: 'active' | 'inactive' | 'not_found';
    }): Promise<{ signalled: number }> {
      if (!temporal) {
        throw ApplicationFailure.nonRetryable('No Temporal client for activities.', 'ConnectorNotConfigured');
      }
      if (!UUID.test(q.practiceId) || !UUID.test(q.patientId)) return { signalled: 0 };
      const query =
        `PracticeId = '${q.practiceId}' AND PatientId = '${q.patientId}' AND ExecutionStatus = 'Running' ` +
        `AND ProcessKind IN ('onboarding', 'planOfCare')` +
        (q.outcome === 'active' ? ' AND NeedsAttention = true' : '');
      let signalled = 0;
      for await (const wf of temporal.workflow.list({ query })) {
        try {
          await temporal.workflow
            .getHandle(wf.workflowId, wf.runId)
            .signal('coverageChecked', { coverageId: q.coverageId, outcome: q.outcome });
          signalled++;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      return { signalled };
    },

    async findVisitsToReverify(input: { now: string; windowHours: number }): Promise<ReverificationItem[]> {
      const from = new Date(input.now);
      const to = new Date(from.getTime() + input.windowHours * 3_600_000);
      const rows = await db
        .select({
          practiceId: appointments.practiceId,
          patientId: appointments.patientId,
          appointmentId: appointments.id,
          startsAt: appointments.startsAt,
          coverageId: coverages.id,
          timezone: practices.timezone,
        })
        .from(appointments)
        .innerJoin(
          coverages,
          and(
            eq(coverages.patientId, appointments.patientId),
            eq(coverages.practiceId, appointments.practiceId),
          ),
        )
        .innerJoin(practices, eq(practices.id, appointments.practiceId))
        .where(
          and(
            eq(appointments.status, 'booked'),
            gte(appointments.startsAt, from),
            lt(appointments.startsAt, to),
            inArray(coverages.status, ['active', 'unverified']),
          ),
        )
        .orderBy(asc(appointments.startsAt), asc(coverages.id));

      const seen = new Set<string>();
      const items: ReverificationItem[] = [];
      for (const r of rows) {
        if (seen.has(r.coverageId)) continue; // once per coverage: the earliest visit decides
        seen.add(r.coverageId);
        items.push({
          practiceId: r.practiceId,
          patientId: r.patientId,
          coverageId: r.coverageId,
          appointmentId: r.appointmentId,
          startsAt: r.startsAt.toISOString(),
          serviceDate: localDate(r.startsAt, r.timezone),
          taskId: uuidFromKey('reverify-eligibility', r.appointmentId, r.coverageId),
          taskRaised: false,
        });
      }
      if (items.length === 0) return items;
      const raised = await existingTaskIds(
        db,
        items.map((i) => i.taskId),
      );
      return items.map((i) => ({ ...i, taskRaised: raised.has(i.taskId) }));
    },
  };
}

// reverifyEligibility: run nightly by a Temporal Schedule. Every coverage of a patient with a
// booked visit in the next `windowHours` (48 by default) is asked again with a 270 — the onboarding activity
// `verifyEligibility`, which records the eligibility_checks row and the coverage status. A coverage the payer
// now reports inactive or unknown raises a front-desk task due before the visit; a payer that does not answer
// after its retries leaves a phone-verification task (as in onboarding). Task ids derive from visit + coverage,
// so a repeated run re-checks but never raises the same task twice. An unanswered task escalates at its due
// time and then shows as NeedsAttention in the Temporal UI. The patient's own running processes (onboarding, plan
// of care) hear the answer through the `coverageChecked` signal: inactive / not found marks them NeedsAttention,
// active clears a mark set earlier.
import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { wholeHoursBetween } from '../../domain/core/hours.js';
import type { ReverificationItem } from '../../activities/schedules/index.js';
import { eligibilityActivityOptions, onboardingActivityOptions } from '../onboarding/activity-options.js';
import { raiseTaskOnce } from '../tasks/raise-task.js';
import { NeedsAttention, ProcessKind, ProcessStatus } from '../shared/search-attributes.js';
import { SCHEDULE_NEEDS_ATTENTION_PATCH } from './patches.js';
import type { ReverifyEligibilityInput, ReverifyEligibilityResult } from './messages.js';

/** Runs from before this patch told no patient process what they found (issue #20 item 4). */
export const SIGNAL_PATIENT_PROCESSES_PATCH = 'reverify-signals-patient-processes';

const eligibility = proxyActivities<Activities>(onboardingActivityOptions);
const payer = proxyActivities<Activities>(eligibilityActivityOptions);

/** Hours from `now` until `hoursBefore` the visit, at least one. */
function hoursUntil(now: string, startsAt: string, hoursBefore: number): number {
  return Math.max(1, wholeHoursBetween(now, startsAt, 'floor') - hoursBefore);
}

export async function reverifyEligibility(
  input: ReverifyEligibilityInput = {},
): Promise<ReverifyEligibilityResult> {
  upsertSearchAttributes([
    { key: ProcessKind, value: 'reverifyEligibility' },
    { key: ProcessStatus, value: 'running' },
    ...(patched(SCHEDULE_NEEDS_ATTENTION_PATCH) ? [{ key: NeedsAttention, value: false }] : []),
  ]);
  // One clock reading for the search and the tasks' due times.
  const now = new Date().toISOString();
  const items = await eligibility.findVisitsToReverify({
    now,
    windowHours: input.windowHours ?? 48,
  });
  const result: ReverifyEligibilityResult = {
    coverages: items.length,
    active: 0,
    inactive: 0,
    unreachable: 0,
    tasksRaised: 0,
  };

  const raise = async (item: ReverificationItem, kind: string, title: string) => {
    if (item.taskRaised) return;
    const created = await raiseTaskOnce(
      {
        practiceId: item.practiceId,
        patientId: item.patientId,
        processKind: 'reverifyEligibility',
        details: { coverageId: item.coverageId, appointmentId: item.appointmentId },
      },
      // Due two hours before the visit, so the front desk reaches the patient before they arrive.
      { taskId: item.taskId, kind, title, role: 'front_desk', dueInHours: hoursUntil(now, item.startsAt, 2) },
    );
    if (created) result.tasksRaised++;
  };

  for (const item of items) {
    const checkId = uuid4();
    let outcome: 'active' | 'inactive' | 'not_found' | 'unreachable';
    try {
      const verdict = await payer.verifyEligibility({
        practiceId: item.practiceId,
        patientId: item.patientId,
        coverageId: item.coverageId,
        checkId,
        // TRN02 from the check id: unique per question, the same on every retry of it.
        traceNumber: `RV${checkId.replace(/-/g, '').toUpperCase()}`,
        serviceDate: item.serviceDate,
      });
      outcome = verdict.outcome;
    } catch (err) {
      // A worker without a payer connector is a deployment error, not an unreachable payer: fail loudly.
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === 'ConnectorNotConfigured') throw err;
      }
      // Retries exhausted: a person verifies by phone.
      outcome = 'unreachable';
    }
    if (outcome !== 'unreachable' && patched(SIGNAL_PATIENT_PROCESSES_PATCH)) {
      try {
        const { signalled } = await eligibility.signalCoverageChecked({
          practiceId: item.practiceId,
          patientId: item.patientId,
          coverageId: item.coverageId,
          outcome,
        });
        result.processesSignalled = (result.processesSignalled ?? 0) + signalled;
      } catch (err) {
        if (isCancellation(err)) throw err;
        // The task below still reaches the front desk; one patient's processes must not stop the run.
        log.warn('coverageChecked not delivered', { coverageId: item.coverageId });
      }
    }
    if (outcome === 'active') {
      result.active++;
    } else if (outcome === 'unreachable') {
      result.unreachable++;
      await eligibility.setCoverageStatus(item.practiceId, item.coverageId, 'needs_phone_verification');
      await raise(
        item,
        'verify_eligibility_by_phone',
        'Verify coverage by phone before the upcoming visit: the payer did not answer electronically',
      );
    } else {
      result.inactive++;
      await raise(
        item,
        'coverage_inactive_before_visit',
        'Coverage no longer active for an upcoming visit: update insurance or arrange self-pay',
      );
    }
  }
  upsertSearchAttributes([{ key: ProcessStatus, value: 'completed' }]);
  setCurrentDetails(
    `${result.coverages} coverage(s) re-checked: ${result.active} active, ${result.inactive} inactive, ${result.unreachable} unreachable; ${result.tasksRaised} task(s) raised`,
  );
  return result;
}

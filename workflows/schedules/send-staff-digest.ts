// sendStaffDigest: run daily by a Temporal Schedule. For each practice with digest recipients:
// count its open and overdue tasks by role and its running processes that need attention, and e-mail the
// counts (the `staff_digest` template: numbers and a sign-in link, no patient data). One practice failing does
// not stop the others' digests; the run reports which failed (by id) and then fails so the schedule shows it.
import {
  ApplicationFailure,
  patched,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { NeedsAttention, ProcessKind, ProcessStatus } from '../shared/search-attributes.js';
import { SCHEDULE_NEEDS_ATTENTION_PATCH } from './patches.js';
import type { SendStaffDigestResult } from './messages.js';

/** Database counts, a visibility count and an e-mail per recipient: quick calls, bounded retries. */
export const digestActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 6,
    nonRetryableErrorTypes: ['ConnectorNotConfigured', 'PracticeNotFound'] as string[],
  },
} as const;

const digest = proxyActivities<Activities>(digestActivityOptions);

export async function sendStaffDigest(): Promise<SendStaffDigestResult> {
  const attention = patched(SCHEDULE_NEEDS_ATTENTION_PATCH);
  upsertSearchAttributes([
    { key: ProcessKind, value: 'sendStaffDigest' },
    { key: ProcessStatus, value: 'running' },
    ...(attention ? [{ key: NeedsAttention, value: false }] : []),
  ]);
  const practiceIds = await digest.listDigestPractices();
  const result: SendStaffDigestResult = {
    practices: practiceIds.length,
    sent: 0,
    skipped: 0,
    failedPractices: [],
  };
  const now = new Date().toISOString();
  for (const practiceId of practiceIds) {
    try {
      const counts = await digest.countStaffDigest(practiceId, now);
      const delivered = await digest.deliverStaffDigest(counts);
      result.sent += delivered.sent;
      result.skipped += delivered.skipped;
    } catch {
      result.failedPractices.push(practiceId);
    }
  }
  upsertSearchAttributes([
    { key: ProcessStatus, value: result.failedPractices.length ? 'failed' : 'completed' },
    ...(attention ? [{ key: NeedsAttention, value: result.failedPractices.length > 0 }] : []),
  ]);
  setCurrentDetails(
    `${result.sent} digest(s) sent, ${result.skipped} skipped, ${result.failedPractices.length} practice(s) failed`,
  );
  if (result.failedPractices.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `staff digest failed for ${result.failedPractices.length} practice(s): ${result.failedPractices.join(', ')}`,
      'StaffDigestFailed',
    );
  }
  return result;
}

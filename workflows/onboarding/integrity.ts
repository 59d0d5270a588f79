// A record the onboarding needs failed its integrity check (activities/integrity.ts): the onboarding holds until
// the admin's security task about it is closed (OnboardingRun.held), then tries the step once more.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { IntegrityHold } from './messages.js';

/** The typed failure of activities/integrity.ts, as the workflow sees it (ids only). */
export function unreadableRecord(err: unknown): IntegrityHold | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type !== 'EncryptedRecordUnreadable') return undefined;
  const details = (err.cause.details?.[0] ?? {}) as { table?: unknown; rowId?: unknown; taskId?: unknown };
  return {
    table: typeof details.table === 'string' ? details.table : 'unknown',
    rowId: typeof details.rowId === 'string' ? details.rowId : 'unknown',
    ...(typeof details.taskId === 'string' ? { taskId: details.taskId } : {}),
  };
}

// Patch ids of the onboarding workflow: executions recorded before a change replay with the old behaviour.

/**
 * Executions from before this patch held their state on a message waiting out the patient's quiet hours (issue
 * #19 item 5): the state after check-in waited for the deferred SMS, and so did the coverage update. With it the
 * state moves first, and a deferred message that became moot meanwhile is dropped instead of sent late.
 */
export const MESSAGES_DO_NOT_HOLD_STATE_PATCH = 'messages-do-not-hold-state';

/**
 * Executions from before this patch never met the non-retryable `EncryptedRecordUnreadable` (the activity retried
 * a plain error): with it the onboarding holds with NeedsAttention until the row's security task is closed.
 */
export const RECORD_INTEGRITY_HOLD_PATCH = 'record-integrity-hold';

/**
 * Executions from before this patch failed when the booking activity spent its retries (an EMR outage of more than
 * a few minutes): with it the front desk gets the `schedule_evaluation` task, as when no slot was found.
 */
export const BOOKING_FAILURE_TO_FRONT_DESK_PATCH = 'booking-failure-to-front-desk';

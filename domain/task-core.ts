// The zod-free part of human tasks: roles, states and due-date arithmetic. Workflows import this (or types
// only from tasks.ts) so the workflow bundle's modules stay light: every cached workflow evaluates them anew.
export const staffRoles = ['admin', 'front_desk', 'therapist', 'biller'] as const;
export type StaffRole = (typeof staffRoles)[number];

export type TaskState = 'open' | 'escalated' | 'completed' | 'cancelled';

/** Milliseconds from `now` until the task is due (0 when already overdue). */
export function msUntilDue(task: { dueAt: string }, now: Date): number {
  return Math.max(0, Date.parse(task.dueAt) - now.getTime());
}

// Human tasks: the work ptflow hands to people (call a payer, sign a plan of care, fix a claim). Each task
// has a role that works it, a due date, and a link to the process waiting for it.
import { z } from 'zod';
import { staffRoles } from './task-core.js';

export { msUntilDue, staffRoles, type StaffRole, type TaskState } from './task-core.js';

const uuid = z.uuid();
/** Details shown on the worklist: opaque ids and codes only, never free-text PHI. */
const taskDetails = z.record(
  z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,39}$/),
  z.union([z.string().max(200), z.number(), z.boolean()]),
);

export const humanTaskInputSchema = z.strictObject({
  taskId: uuid,
  practiceId: uuid,
  patientId: uuid.optional(),
  kind: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/),
  assigneeRole: z.enum(staffRoles),
  /** Short description with no PHI, e.g. "Verify coverage by phone". */
  title: z.string().min(3).max(200),
  dueAt: z.iso.datetime({ offset: true }),
  /** The process that raised it (workflow id) and its kind. */
  parentWorkflowId: z.string().max(200),
  processKind: z.string().max(64),
  details: taskDetails.default({}),
});
export type HumanTaskInput = z.input<typeof humanTaskInputSchema>;
export type HumanTask = z.output<typeof humanTaskInputSchema>;

export const taskCompletionSchema = z.strictObject({
  completedBy: z.string().min(1).max(200),
  /** Structured outcome chosen by the person (e.g. { coverageActive: true }); no free-text PHI. */
  outcome: taskDetails.default({}),
});
export type TaskCompletion = z.output<typeof taskCompletionSchema>;

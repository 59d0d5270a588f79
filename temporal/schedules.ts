// The Temporal Schedules of ptflow: nightly eligibility re-verification before visits, the daily
// staff digest, the timely-filing sweep and the nightly billing reconciliation. Declared here once; `ensureSchedules` makes the server match the
// declarations idempotently — created when missing, updated when the declaration (or configuration: zone,
// task queue, paused flag) changed, left alone otherwise. Unchanged declarations are not rewritten, so an
// operator who paused a schedule in the Web UI keeps it paused across worker restarts until the
// configuration itself changes. The fingerprint of the declaration travels in the action's memo.
//
// Times are wall-clock times in one configured zone (the practices' zone; each job computes "today" per
// practice from the practice's own zone). Overlap SKIP: a run still going when the next is due means the next
// is skipped, never two sweeps at once. The catch-up window decides which runs missed during an outage are
// still worth taking when the server is back.
import { describeScheduledRun } from '../domain/process-summaries.js';
import { createHash } from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
} from '@temporalio/client';
import {
  PLAN_EQUIPMENT_MAINTENANCE_WORKFLOW_TYPE,
  RECONCILE_BILLING_WORKFLOW_TYPE,
  REVERIFY_ELIGIBILITY_WORKFLOW_TYPE,
  SEND_STAFF_DIGEST_WORKFLOW_TYPE,
  SWEEP_TIMELY_FILING_WORKFLOW_TYPE,
} from '../workflows/schedules/messages.js';
import { PayloadDecryptionError } from './codec/encryption-codec.js';

export interface ScheduleSettings {
  taskQueue: string;
  /** IANA zone the wall-clock times are in. */
  timeZone: string;
  /** Create/keep the schedules paused (nothing runs until unpaused or triggered). */
  paused: boolean;
}

export interface ScheduleDeclaration {
  /** Short name for `ptflow schedules trigger <name>`. */
  name: string;
  scheduleId: string;
  workflowType:
    | typeof PLAN_EQUIPMENT_MAINTENANCE_WORKFLOW_TYPE
    | typeof RECONCILE_BILLING_WORKFLOW_TYPE
    | typeof REVERIFY_ELIGIBILITY_WORKFLOW_TYPE
    | typeof SEND_STAFF_DIGEST_WORKFLOW_TYPE
    | typeof SWEEP_TIMELY_FILING_WORKFLOW_TYPE;
  args: unknown[];
  /** Local wall-clock time of the daily run. */
  at: { hour: number; minute: number };
  catchupWindow: string;
  description: string;
}

export const scheduleDeclarations: readonly ScheduleDeclaration[] = [
  {
    name: 'reverify-eligibility',
    scheduleId: 'ptflow-reverify-eligibility',
    workflowType: REVERIFY_ELIGIBILITY_WORKFLOW_TYPE,
    args: [{ windowHours: 48 }],
    at: { hour: 2, minute: 0 },
    // Worth running late until the clinics open; after that the front desk checks at arrival anyway.
    catchupWindow: '5 hours',
    description: 'Nightly 270/271 for every coverage of patients with a booked visit in the next 48 h',
  },
  {
    name: 'timely-filing-sweep',
    scheduleId: 'ptflow-timely-filing-sweep',
    workflowType: SWEEP_TIMELY_FILING_WORKFLOW_TYPE,
    args: [],
    at: { hour: 3, minute: 0 },
    // Deadlines are days away: a sweep a day late still helps.
    catchupWindow: '1 day',
    description: 'One biller task per unadjudicated claim near or past its payer timely-filing limit',
  },
  {
    name: 'staff-digest',
    scheduleId: 'ptflow-staff-digest',
    workflowType: SEND_STAFF_DIGEST_WORKFLOW_TYPE,
    args: [],
    at: { hour: 7, minute: 0 },
    // A morning digest arriving in the afternoon is noise.
    catchupWindow: '3 hours',
    description: 'Morning e-mail per practice: open/overdue tasks by role and processes needing attention',
  },
  {
    name: 'billing-reconciliation',
    scheduleId: 'ptflow-billing-reconciliation',
    workflowType: RECONCILE_BILLING_WORKFLOW_TYPE,
    args: [{ lookbackDays: 14, graceHours: 6 }],
    at: { hour: 1, minute: 30 },
    // Discrepancies are days old by nature: a run a day late still finds them, once.
    catchupWindow: '1 day',
    description:
      'Signed notes vs billed charges and remittances: one biller task per missed charge, undocumented charge or unit difference',
  },
  {
    name: 'equipment-maintenance',
    scheduleId: 'ptflow-equipment-maintenance',
    workflowType: PLAN_EQUIPMENT_MAINTENANCE_WORKFLOW_TYPE,
    args: [{ days: 100 }],
    at: { hour: 0, minute: 30 },
    // Windows are reserved 100 days ahead: a run a day late loses nothing.
    catchupWindow: '1 day',
    description:
      "Devices' weekly maintenance windows reserved 100 days ahead, so no visit is booked on a device then",
  },
];

const FINGERPRINT = 'ptflowScheduleFingerprint';

/** A hung run must not block its schedule forever (overlap SKIP would skip every later run). */
const RUN_TIMEOUT = '6 hours';

function fingerprint(declaration: ScheduleDeclaration, settings: ScheduleSettings): string {
  const material = JSON.stringify([
    declaration,
    settings.taskQueue,
    settings.timeZone,
    settings.paused,
    RUN_TIMEOUT,
    // The runs' user metadata (summary and details): a schedule made before it had any is updated once.
    'user-metadata-v1',
  ]);
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}

export function scheduleOptions(
  declaration: ScheduleDeclaration,
  settings: ScheduleSettings,
): ScheduleOptions {
  return {
    scheduleId: declaration.scheduleId,
    spec: {
      calendars: [
        { hour: declaration.at.hour, minute: declaration.at.minute, comment: declaration.description },
      ],
      timezone: settings.timeZone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: declaration.workflowType,
      // Temporal appends the scheduled time, so each run has its own id; nothing in it identifies anyone.
      workflowId: declaration.scheduleId,
      taskQueue: settings.taskQueue,
      args: declaration.args,
      workflowExecutionTimeout: RUN_TIMEOUT,
      memo: { [FINGERPRINT]: fingerprint(declaration, settings) },
      // What each run is, for the Temporal UI (user metadata: payloads, so encrypted by the codec).
      staticSummary: describeScheduledRun(declaration.name, declaration.description).summary,
      staticDetails: describeScheduledRun(declaration.name, declaration.description).details,
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: declaration.catchupWindow,
      pauseOnFailure: false,
    },
    state: {
      paused: settings.paused,
      note: settings.paused ? 'paused by configuration (PTFLOW_SCHEDULES_PAUSED)' : '',
    },
  };
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged' | 'replaced';

async function describeOrUndefined(client: Client, id: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/** Make the server's schedules match the declarations; safe to call from every worker at start. */
export async function ensureSchedules(
  client: Client,
  settings: ScheduleSettings,
  declarations: readonly ScheduleDeclaration[] = scheduleDeclarations,
): Promise<Record<string, EnsureOutcome>> {
  const outcomes: Record<string, EnsureOutcome> = {};
  for (const d of declarations) {
    const options = scheduleOptions(d, settings);
    let current: ScheduleDescription | undefined;
    try {
      current = await describeOrUndefined(client, d.scheduleId);
    } catch (err) {
      // The stored action was encrypted under a payload key this worker no longer holds (retired after a
      // rotation, or another deployment's keyring): it can be neither compared nor updated in place, so it is
      // replaced by the declaration. Its run history stays in the started workflows.
      if (!(err instanceof PayloadDecryptionError)) throw err;
      await client.schedule
        .getHandle(d.scheduleId)
        .delete()
        .catch((e: unknown) => {
          if (!(e instanceof ScheduleNotFoundError)) throw e;
        });
      await client.schedule.create(options);
      outcomes[d.name] = 'replaced';
      continue;
    }
    if (!current) {
      try {
        await client.schedule.create(options);
        outcomes[d.name] = 'created';
        continue;
      } catch (err) {
        // Another worker created it between our describe and create: compare with theirs instead.
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        current = await client.schedule.getHandle(d.scheduleId).describe();
      }
    }
    if (current.action.memo?.[FINGERPRINT] === fingerprint(d, settings)) {
      outcomes[d.name] = 'unchanged';
      continue;
    }
    await client.schedule.getHandle(d.scheduleId).update(() => ({
      spec: options.spec,
      action: options.action,
      ...(options.policies ? { policies: options.policies } : {}),
      state: {
        paused: settings.paused,
        ...(options.state?.note !== undefined ? { note: options.state.note } : {}),
      },
    }));
    outcomes[d.name] = 'updated';
  }
  return outcomes;
}

export function findDeclaration(name: string): ScheduleDeclaration | undefined {
  return scheduleDeclarations.find((d) => d.name === name || d.scheduleId === name);
}

export interface ScheduleState {
  name: string;
  scheduleId: string;
  exists: boolean;
  paused?: boolean;
  nextRun?: Date;
  lastRun?: Date;
  runsTaken?: number;
}

/** What `ptflow schedules list` shows. */
export async function listSchedules(client: Client): Promise<ScheduleState[]> {
  const out: ScheduleState[] = [];
  for (const d of scheduleDeclarations) {
    const desc = await describeOrUndefined(client, d.scheduleId);
    if (!desc) {
      out.push({ name: d.name, scheduleId: d.scheduleId, exists: false });
      continue;
    }
    const last = desc.info.recentActions.at(-1);
    out.push({
      name: d.name,
      scheduleId: d.scheduleId,
      exists: true,
      paused: desc.state.paused,
      ...(desc.info.nextActionTimes[0] ? { nextRun: desc.info.nextActionTimes[0] } : {}),
      ...(last ? { lastRun: last.takenAt } : {}),
      runsTaken: desc.info.numActionsTaken,
    });
  }
  return out;
}

/** Run a schedule's action now (overlap policy of the schedule applies). */
export async function triggerSchedule(client: Client, name: string): Promise<ScheduleDeclaration> {
  const d = findDeclaration(name);
  if (!d) throw new UnknownScheduleError(name);
  await client.schedule.getHandle(d.scheduleId).trigger();
  return d;
}

export class UnknownScheduleError extends Error {
  constructor(name: string) {
    super(`unknown schedule "${name}" (one of: ${scheduleDeclarations.map((d) => d.name).join(', ')})`);
    this.name = 'UnknownScheduleError';
  }
}

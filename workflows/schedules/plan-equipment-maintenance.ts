// planEquipmentMaintenance: run by a Temporal Schedule (temporal/schedules.ts, nightly). Every device's weekly
// maintenance rules become reservations for the coming days, so no booking can take the device then (the
// reservations table refuses overlaps); windows of changed or removed rules are freed. A window that collides
// with a visit booked before it was known is counted and flags the run (NeedsAttention) for staff to move the
// visit. Idempotent: reservation ids derive from rule and date.
import { proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { NeedsAttention, ProcessKind, ProcessStatus } from '../shared/search-attributes.js';
import type { PlanEquipmentMaintenanceInput, PlanEquipmentMaintenanceResult } from './messages.js';
import { sweepActivityOptions } from './sweep-timely-filing.js';

const equipment = proxyActivities<Activities>(sweepActivityOptions);

export async function planEquipmentMaintenance(
  input: PlanEquipmentMaintenanceInput = {},
): Promise<PlanEquipmentMaintenanceResult> {
  upsertSearchAttributes([
    { key: ProcessKind, value: 'planEquipmentMaintenance' },
    { key: ProcessStatus, value: 'running' },
    { key: NeedsAttention, value: false },
  ]);
  const result = await equipment.reserveMaintenanceWindows({
    now: new Date().toISOString(),
    days: input.days ?? 100,
  });
  upsertSearchAttributes([
    { key: ProcessStatus, value: 'completed' },
    { key: NeedsAttention, value: result.conflicts > 0 },
  ]);
  setCurrentDetails(
    `${result.windows} maintenance window(s), ${result.reserved} new, ${result.conflicts} colliding with visits`,
  );
  return result;
}

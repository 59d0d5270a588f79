// Activities of the scheduled jobs: eligibility re-verification before visits, the staff digest,
// the timely-filing sweep, the billing reconciliation (recon). The 270/271 and the worklist writes are the existing onboarding and task activities.
import type { Emr } from '../../connectors/emr/types.js';
import { createBillingReconciliationActivities } from './billing-reconciliation.js';
import { createReverificationActivities } from './reverification.js';
import { createStaffDigestActivities, type StaffDigestDeps } from './staff-digest.js';
import { createTimelyFilingActivities } from './timely-filing.js';

export type { ReverificationItem } from './reverification.js';
export type { StaffDigestCounts, StaffDigestDeps } from './staff-digest.js';
export type { TimelyFilingRisk, TimelyFilingSweepPlan } from './timely-filing.js';
export type { BillingReconciliationPlan, DiscrepancyTask } from './billing-reconciliation.js';

export function createScheduleActivities(deps: StaffDigestDeps & { emr?: Emr }) {
  return {
    ...createBillingReconciliationActivities(deps),
    ...createReverificationActivities(deps),
    ...createStaffDigestActivities(deps),
    ...createTimelyFilingActivities(deps),
  };
}

// The scheduled processes' contract: their workflow type names (what temporal/schedules.ts declares the
// Temporal Schedules with), inputs and results.

export const REVERIFY_ELIGIBILITY_WORKFLOW_TYPE = 'reverifyEligibility' as const;
export const SEND_STAFF_DIGEST_WORKFLOW_TYPE = 'sendStaffDigest' as const;
export const SWEEP_TIMELY_FILING_WORKFLOW_TYPE = 'sweepTimelyFiling' as const;

export interface ReverifyEligibilityInput {
  /** How far ahead to look for booked visits (hours). */
  windowHours?: number;
}

export interface ReverifyEligibilityResult {
  coverages: number;
  active: number;
  inactive: number;
  unreachable: number;
  tasksRaised: number;
  /** Patient processes told through `coverageChecked` (absent on runs from before the patch). */
  processesSignalled?: number;
}

export type ReverifyEligibilityWorkflow = (
  input?: ReverifyEligibilityInput,
) => Promise<ReverifyEligibilityResult>;

export interface SendStaffDigestResult {
  practices: number;
  sent: number;
  skipped: number;
  failedPractices: string[];
}

export type SendStaffDigestWorkflow = () => Promise<SendStaffDigestResult>;

export interface SweepTimelyFilingResult {
  scanned: number;
  notDue: number;
  unknownPayer: number;
  alreadyRaised: number;
  raised: number;
}

export type SweepTimelyFilingWorkflow = () => Promise<SweepTimelyFilingResult>;

export const RECONCILE_BILLING_WORKFLOW_TYPE = 'reconcileBilling' as const;

export interface ReconcileBillingInput {
  /** Dates of service from today minus this many days (each practice's calendar) up to today (default 14). */
  lookbackDays?: number;
  /** A note signed less than this many hours ago is not a missed charge yet (default 6). */
  graceHours?: number;
}

export interface ReconcileBillingResult {
  practices: number;
  notReconciled: number;
  notes: number;
  charges: number;
  found: number;
  recurred: number;
  resolved: number;
  alreadyRaised: number;
  raised: number;
}

export type ReconcileBillingWorkflow = (input?: ReconcileBillingInput) => Promise<ReconcileBillingResult>;

export const PLAN_EQUIPMENT_MAINTENANCE_WORKFLOW_TYPE = 'planEquipmentMaintenance' as const;

export interface PlanEquipmentMaintenanceInput {
  /** How many days ahead maintenance windows are reserved (default 100: beyond any series or search horizon). */
  days?: number;
}

export interface PlanEquipmentMaintenanceResult {
  rules: number;
  windows: number;
  reserved: number;
  conflicts: number;
  released: number;
}

export type PlanEquipmentMaintenanceWorkflow = (
  input?: PlanEquipmentMaintenanceInput,
) => Promise<PlanEquipmentMaintenanceResult>;

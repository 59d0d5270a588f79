// Which unfiled claims need a biller before the payer's timely-filing limit runs out. The
// limit and the lead time both come from the payer profile in force on the date of service — dated rows in
// domain/rules/data/payer-profiles.ts (`timelyFiling`, `timelyFilingWarningDays`) — so a payer policy change
// is a new row, never an edit here. A payer without a profile is reported, never given a default limit.
import type { IsoDate } from '../core/dates.js';
import type { PayerProfile } from '../model/payer-profile.js';
import { payerProfileOn } from '../rules/payers.js';
import { PAYER_PROFILES } from '../rules/data/payer-profiles.js';
import { timelyFilingStatus } from './timely-filing.js';

export interface UnfiledClaim {
  payerId: string;
  /** Date of service: the clock runs from it (Part B: the line "From" date). */
  serviceDate: IsoDate;
}

export type TimelyFilingAlert =
  /** Inside the lead time: raise the task now; `deadline` is the last day the payer must receive it. */
  | { kind: 'approaching'; deadline: IsoDate; daysLeft: number; leadDays: number }
  /** Past the limit: proof of timely filing or a write-off (CO-29 is not appealable at Medicare). */
  | { kind: 'expired'; deadline: IsoDate; daysLate: number }
  /** Still outside the lead time: nothing to do yet. */
  | { kind: 'not_due'; deadline: IsoDate; daysLeft: number; leadDays: number }
  | { kind: 'unknown_payer' };

export function timelyFilingAlert(
  claim: UnfiledClaim,
  asOf: IsoDate,
  profiles: readonly PayerProfile[] = PAYER_PROFILES,
): TimelyFilingAlert {
  const profile = payerProfileOn(claim.payerId, claim.serviceDate, profiles);
  if (!profile) return { kind: 'unknown_payer' };
  // No submissions: the claims swept are the ones no payer has accepted into adjudication yet.
  const status = timelyFilingStatus(profile.timelyFiling, claim.serviceDate, asOf);
  const leadDays = profile.timelyFilingWarningDays;
  if (status.status === 'expired') {
    return { kind: 'expired', deadline: status.deadline, daysLate: status.daysLate };
  }
  if (status.status === 'filed') return { kind: 'not_due', deadline: status.deadline, daysLeft: 0, leadDays };
  return status.daysLeft <= leadDays
    ? { kind: 'approaching', deadline: status.deadline, daysLeft: status.daysLeft, leadDays }
    : { kind: 'not_due', deadline: status.deadline, daysLeft: status.daysLeft, leadDays };
}

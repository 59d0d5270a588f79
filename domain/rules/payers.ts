import { findEffective } from '../core/effective.js';
import type { IsoDate } from '../core/dates.js';
import type { PayerProfile, UnitMethod } from '../model/payer-profile.js';
import { PAYER_PROFILES } from './data/payer-profiles.js';

/** The payer's profile in force on the date of service; undefined = no profile (never default silently). */
export function payerProfileOn(
  payerId: string,
  dos: IsoDate,
  profiles: readonly PayerProfile[] = PAYER_PROFILES,
): PayerProfile | undefined {
  return findEffective(profiles, dos, (profile) => profile.payerId === payerId);
}

/** Payer ids with a profile in force on the date (what a wrong payer id is answered with). */
export function payerIdsOn(dos: IsoDate, profiles: readonly PayerProfile[] = PAYER_PROFILES): string[] {
  return [
    ...new Set(
      profiles.filter((p) => payerProfileOn(p.payerId, dos, profiles) !== undefined).map((p) => p.payerId),
    ),
  ].sort();
}

/** A profile's method as billed: EITHER → the practice default (CMS when unset). */
function billedMethod(
  method: UnitMethod,
  practiceDefault?: 'CMS_TOTAL_TIME' | 'AMA_SPM',
): 'CMS_TOTAL_TIME' | 'AMA_SPM' {
  return method === 'EITHER' ? (practiceDefault ?? 'CMS_TOTAL_TIME') : method;
}

/**
 * The unit method actually billed. EITHER → the practice default (CMS when unset). With a secondary payer
 * whose method differs, ALWAYS_CMS bills CMS units; DEFER_TO_PRIMARY keeps the primary's method [W14, X1].
 */
export function resolveUnitMethod(
  primary: Pick<PayerProfile, 'unitMethod' | 'defaultUnitMethod' | 'secondaryConflict'>,
  secondary?: Pick<PayerProfile, 'unitMethod' | 'defaultUnitMethod'>,
): 'CMS_TOTAL_TIME' | 'AMA_SPM' {
  const primaryMethod = billedMethod(primary.unitMethod, primary.defaultUnitMethod);
  if (!secondary) return primaryMethod;
  const secondaryMethod = billedMethod(secondary.unitMethod, secondary.defaultUnitMethod);
  if (secondaryMethod === primaryMethod) return primaryMethod;
  return primary.secondaryConflict === 'ALWAYS_CMS' ? 'CMS_TOTAL_TIME' : primaryMethod;
}

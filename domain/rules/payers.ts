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
  return findEffective(profiles, dos, (p) => p.payerId === payerId);
}

/** Payer ids with a profile in force on the date (what a wrong payer id is answered with). */
export function payerIdsOn(dos: IsoDate, profiles: readonly PayerProfile[] = PAYER_PROFILES): string[] {
  return [
    ...new Set(
      profiles.filter((p) => payerProfileOn(p.payerId, dos, profiles) !== undefined).map((p) => p.payerId),
    ),
  ].sort();
}

/**
 * The unit method actually billed. EITHER → the practice default (CMS when unset). With a secondary payer
 * whose method differs, ALWAYS_CMS bills CMS units; DEFER_TO_PRIMARY keeps the primary's method [W14, X1].
 */
export function resolveUnitMethod(
  primary: Pick<PayerProfile, 'unitMethod' | 'defaultUnitMethod' | 'secondaryConflict'>,
  secondary?: Pick<PayerProfile, 'unitMethod' | 'defaultUnitMethod'>,
): 'CMS_TOTAL_TIME' | 'AMA_SPM' {
  const resolve = (m: UnitMethod, d?: 'CMS_TOTAL_TIME' | 'AMA_SPM') =>
    m === 'EITHER' ? (d ?? 'CMS_TOTAL_TIME') : m;
  const p = resolve(primary.unitMethod, primary.defaultUnitMethod);
  if (!secondary) return p;
  const s = resolve(secondary.unitMethod, secondary.defaultUnitMethod);
  if (s === p) return p;
  return primary.secondaryConflict === 'ALWAYS_CMS' ? 'CMS_TOTAL_TIME' : p;
}

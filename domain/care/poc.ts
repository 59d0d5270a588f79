// Plan-of-care certification (Medicare outpatient therapy): the physician/NPP certifies the POC within 30
// days of the first treatment; a verbal order needs its signature within 14 days; a late certification
// stands with evidence of diligence; from 2025 a signed and dated referral plus documented transmission of
// the POC to the referring practitioner certifies the initial POC.
// Day-count convention, encoded once: the first treatment day (the evaluation counts) is DAY 0, and
// "within N days" means on or before day N. So with a first treatment on 2025-03-03 the initial certification
// is due by 2025-04-02 and the certification interval ends at the latest on 2025-06-01 (worked example 4).
import { addDays, type IsoDate } from '../core/dates.js';

export const INITIAL_CERT_DAYS = 30;
export const VERBAL_ORDER_SIGNATURE_DAYS = 14;
export const MAX_CERT_INTERVAL_DAYS = 90;
/** The 2025 referral-and-transmission rule applies to dates of service from this day. */
export const REFERRAL_TRANSMISSION_RULE_FROM = '2025-01-01';

export function initialCertificationDueBy(firstTreatmentDate: IsoDate): IsoDate {
  return addDays(firstTreatmentDate, INITIAL_CERT_DAYS);
}

/** End of the certification interval: ≤ 90 days from the first treatment, and ≤ the POC's own duration. */
export function certificationIntervalEnd(firstTreatmentDate: IsoDate, pocEndDate?: IsoDate): IsoDate {
  const max = addDays(firstTreatmentDate, MAX_CERT_INTERVAL_DAYS);
  return pocEndDate !== undefined && pocEndDate < max ? pocEndDate : max;
}

export interface Recertification {
  signedDate: IsoDate;
  certifiedFrom: IsoDate;
  certifiedThrough: IsoDate;
}

export interface PocCertificationInput {
  firstTreatmentDate: IsoDate;
  /** Last day of the POC's planned duration, if shorter than 90 days. */
  pocEndDate?: IsoDate;
  /** Physician/NPP signature date on the initial POC. */
  signedDate?: IsoDate;
  /** Documented verbal order; the signature must follow within 14 days. */
  verbalOrderDate?: IsoDate;
  /** The patient came with a signed and dated order/referral. */
  referralSignedAndDated?: boolean;
  /** Documented proof the POC was sent to the referring practitioner (2025 rule). */
  transmittedToReferrerDate?: IsoDate;
  /** Diligence evidence (e.g. fax log) for a delayed certification. */
  delayJustification?: boolean;
  recertifications?: readonly Recertification[];
}

export type PocCertificationState =
  | {
      status: 'certified';
      basis: 'signature' | 'referral_transmission' | 'delayed_signature' | 'recertification';
    }
  | { status: 'pending'; dueBy: IsoDate }
  | { status: 'late'; dueBy: IsoDate }
  | { status: 'recertification_required'; intervalEnded: IsoDate };

/**
 * Is the service on `dos` covered by a certification, judged on `asOf` (the day we would submit)?
 * `pending` = not yet certified but still inside the 30-day window.
 */
export function pocCertificationState(
  input: PocCertificationInput,
  dos: IsoDate,
  asOf: IsoDate,
): PocCertificationState {
  const intervalEnd = certificationIntervalEnd(input.firstTreatmentDate, input.pocEndDate);
  if (dos > intervalEnd) {
    // Recertifications always need a signature (the 2025 transmission rule is read as covering
    // initial certifications only: an assumption still to be confirmed).
    const recert = (input.recertifications ?? []).find(
      (r) => r.certifiedFrom <= dos && dos <= r.certifiedThrough && r.signedDate <= asOf,
    );
    return recert
      ? { status: 'certified', basis: 'recertification' }
      : { status: 'recertification_required', intervalEnded: intervalEnd };
  }
  const dueBy = initialCertificationDueBy(input.firstTreatmentDate);
  if (input.signedDate !== undefined && input.signedDate <= asOf) {
    if (input.signedDate <= dueBy) return { status: 'certified', basis: 'signature' };
    return input.delayJustification
      ? { status: 'certified', basis: 'delayed_signature' }
      : { status: 'late', dueBy };
  }
  if (
    dos >= REFERRAL_TRANSMISSION_RULE_FROM &&
    input.referralSignedAndDated === true &&
    input.transmittedToReferrerDate !== undefined &&
    input.transmittedToReferrerDate <= dueBy &&
    input.transmittedToReferrerDate <= asOf
  ) {
    return { status: 'certified', basis: 'referral_transmission' };
  }
  if (
    input.verbalOrderDate !== undefined &&
    asOf > addDays(input.verbalOrderDate, VERBAL_ORDER_SIGNATURE_DAYS)
  ) {
    return { status: 'late', dueBy: addDays(input.verbalOrderDate, VERBAL_ORDER_SIGNATURE_DAYS) };
  }
  return asOf <= dueBy ? { status: 'pending', dueBy } : { status: 'late', dueBy };
}

// What the physician's side sends back for a plan of care — a signature, a verbal order, the transmission
// proof of the POC (the 2025 rule), a recertification — whether the episode can accept it, and what it records.
import { addDays, type IsoDate } from '../core/dates.js';
import type { CareEpisode } from './episode.js';
import { initialCertificationDueBy, MAX_CERT_INTERVAL_DAYS, REFERRAL_TRANSMISSION_RULE_FROM } from './poc.js';

export type CertificationRecord =
  | { kind: 'signature'; signedDate: IsoDate; delayJustification?: boolean }
  | { kind: 'verbal_order'; orderDate: IsoDate }
  | { kind: 'transmission'; transmittedDate: IsoDate; proofRef: string }
  | { kind: 'recertification'; signedDate: IsoDate; certifiedFrom: IsoDate; certifiedThrough: IsoDate };

/** Why a certification record cannot be accepted, or undefined. */
export function certificationRecordProblem(ep: CareEpisode, rec: CertificationRecord): string | undefined {
  switch (rec.kind) {
    case 'signature':
      return rec.signedDate < ep.firstTreatmentDate
        ? 'The signature predates the first treatment day of this plan of care.'
        : undefined;
    case 'verbal_order':
      return rec.orderDate < ep.firstTreatmentDate
        ? 'The verbal order predates the first treatment day of this plan of care.'
        : undefined;
    case 'transmission':
      if (!ep.referralSignedAndDated)
        return 'Transmission proof certifies only when the patient came with a signed and dated referral.';
      if (ep.firstTreatmentDate < REFERRAL_TRANSMISSION_RULE_FROM)
        return `Transmission proof certifies only for services from ${REFERRAL_TRANSMISSION_RULE_FROM}.`;
      if (rec.transmittedDate > initialCertificationDueBy(ep.firstTreatmentDate))
        return 'The plan of care was sent more than 30 days after the first treatment: a signature is needed.';
      return rec.proofRef.length === 0 ? 'The transmission proof reference is missing.' : undefined;
    case 'recertification':
      // Recertifications need a signature; the 2025 transmission rule is read as covering
      // the initial certification only (an assumption still to be confirmed).
      if (rec.certifiedThrough < rec.certifiedFrom) return 'The recertified period ends before it starts.';
      if (rec.certifiedThrough > addDays(rec.certifiedFrom, MAX_CERT_INTERVAL_DAYS))
        return `A certification interval is at most ${MAX_CERT_INTERVAL_DAYS} days.`;
      return undefined;
  }
}

/** The episode with the record in it (the caller checked certificationRecordProblem first). */
export function applyCertification(ep: CareEpisode, rec: CertificationRecord): CareEpisode {
  switch (rec.kind) {
    case 'signature':
      return {
        ...ep,
        certification: {
          ...ep.certification,
          signedDate: rec.signedDate,
          delayJustification: rec.delayJustification,
        },
      };
    case 'verbal_order':
      return { ...ep, certification: { ...ep.certification, verbalOrderDate: rec.orderDate } };
    case 'transmission':
      return {
        ...ep,
        certification: {
          ...ep.certification,
          transmittedToReferrerDate: rec.transmittedDate,
          transmissionProofRef: rec.proofRef,
        },
      };
    case 'recertification':
      return {
        ...ep,
        recertifications: [
          ...ep.recertifications,
          {
            signedDate: rec.signedDate,
            certifiedFrom: rec.certifiedFrom,
            certifiedThrough: rec.certifiedThrough,
          },
        ],
      };
  }
}

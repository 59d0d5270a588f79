// NPI check digits and the referring/certifying practitioner (837P 2310A).
import { isValidNpi } from '../codes/npi.js';
import { finding, type Finding } from '../model/finding.js';
import type { ScrubContext } from './context.js';

export function checkProviders({ claim, profile }: ScrubContext): Finding[] {
  const out: Finding[] = [];
  const npi = (value: string | undefined, field: string, label: string) => {
    if (value === undefined) return;
    if (!isValidNpi(value)) {
      out.push(
        finding(
          'NPI_INVALID',
          'error',
          field,
          `${label} NPI fails the format or check-digit test`,
          `Correct the ${label} NPI (10 digits, Luhn check with prefix 80840)`,
        ),
      );
    }
  };
  npi(claim.billingProvider.npi, 'billingProvider.npi', 'billing provider');
  npi(claim.renderingProvider?.npi, 'renderingProvider.npi', 'rendering provider');
  // A claim prepared for a payer (it carries its subscriber facts) names its rendering provider from the
  // practitioner directory: an NPI other than the billing one that the directory does not know would go out
  // nameless (2310B NM103 is required), so it holds the claim instead of a placeholder name.
  const rendering = claim.renderingProvider;
  if (
    claim.subscriber !== undefined &&
    rendering !== undefined &&
    rendering.npi !== claim.billingProvider.npi &&
    rendering.lastName === undefined
  ) {
    out.push(
      finding(
        'RENDERING_PROVIDER_UNKNOWN',
        'error',
        'renderingProvider.npi',
        'The rendering provider NPI is not in the practice practitioner directory (837P loop 2310B needs a name)',
        'Add the practitioner to the directory (PUT /v1/practitioners/{npi} or the EMR) or correct the rendering NPI',
      ),
    );
  }
  if (claim.subscriber !== undefined && claim.subscriber.address === undefined) {
    out.push(
      finding(
        'SUBSCRIBER_ADDRESS_MISSING',
        'error',
        'subscriber.address',
        'The subscriber address is missing (837P loop 2010BA N3/N4, required when the patient is the subscriber)',
        'Supply the patient address (street, city, state, ZIP) from the EMR or the claim input',
      ),
    );
  }
  if (!claim.referringProvider) {
    if (profile.referringProviderRequired) {
      out.push(
        finding(
          'REFERRING_PROVIDER_MISSING',
          'error',
          'referringProvider',
          'Referring/certifying practitioner is missing (837P loop 2310A)',
          'Add the NPI of the physician/NPP who certified the plan of care',
        ),
      );
    }
  } else {
    npi(claim.referringProvider.npi, 'referringProvider.npi', 'referring provider');
    const kind = claim.referringProvider.taxonomyKind;
    if (profile.requiresPocCertification && (kind === 'chiropractor' || kind === 'dentist')) {
      out.push(
        finding(
          'CERTIFIER_NOT_PERMITTED',
          'error',
          'referringProvider.taxonomyKind',
          `A ${kind} may not certify a therapy plan of care`,
          'Obtain certification from a physician or NPP [R35]',
        ),
      );
    }
  }
  return out;
}

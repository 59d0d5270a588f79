// Identifier checks of a practice's profile: the type-2 (organization) NPI's check digit, the employer
// identification number (tax id, 837P 2010AA REF*EI) and the IANA time zone every practice-local date uses.
// Pure: no clock, no I/O (the zone list is the runtime's ICU data).
import { isValidNpi, npiCheckDigit } from '../codes/npi.js';

export { isValidNpi, npiCheckDigit };

/**
 * An NPI passes the CMS check-digit test: Luhn over "80840" followed by its ten digits. Type 1 (individual)
 * and type 2 (organization) NPIs share the format; which one a number is, only NPPES knows.
 */
export function isValidOrganizationNpi(npi: string): boolean {
  return isValidNpi(npi);
}

/**
 * EIN prefixes the IRS has never assigned (IRS "How EINs are assigned and valid EIN prefixes"): a tax id
 * starting with one of them is a typo or a made-up number.
 */
const UNASSIGNED_EIN_PREFIXES = new Set([
  '00',
  '07',
  '08',
  '09',
  '17',
  '18',
  '19',
  '28',
  '29',
  '49',
  '69',
  '70',
  '78',
  '79',
  '89',
  '96',
  '97',
]);

/** A federal tax id (EIN, nine digits, optionally written NN-NNNNNNN) with an assigned prefix. */
export function isValidEin(value: string): boolean {
  const digits = normalizeEin(value);
  return digits !== undefined && !UNASSIGNED_EIN_PREFIXES.has(digits.slice(0, 2));
}

/** The nine digits of an EIN written `NNNNNNNNN` or `NN-NNNNNNN`; undefined for anything else. */
export function normalizeEin(value: string): string | undefined {
  const m = /^(\d{2})-?(\d{7})$/.exec(value.trim());
  return m ? `${m[1]}${m[2]}` : undefined;
}

/** The tax id as staff may see it once stored: the last four digits only. */
export function maskEin(digits: string): string {
  return `•••••${digits.slice(-4)}`;
}

let zones: Set<string> | undefined;

/** An IANA time zone the runtime knows (e.g. America/Chicago); abbreviations and offsets are refused. */
export function isIanaTimeZone(zone: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(zone) && zone !== 'UTC') return false;
  zones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (zones.has(zone)) return true;
  // Links (e.g. US/Central → America/Chicago) are valid IANA names the list leaves out.
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

// NPI check digit: Luhn over the card-issuer prefix "80840" followed by the 10 NPI digits (CMS NPI
// check-digit standard, ISO/IEC 7812). A transposed or mistyped digit fails before the payer rejects it.

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function isValidNpi(npi: string): boolean {
  return /^\d{10}$/.test(npi) && luhnValid(`80840${npi}`);
}

/** The check digit for the first nine digits of an NPI. */
export function npiCheckDigit(first9: string): number {
  if (!/^\d{9}$/.test(first9)) throw new RangeError('expected nine digits');
  for (let d = 0; d <= 9; d++) if (luhnValid(`80840${first9}${d}`)) return d;
  throw new Error('unreachable');
}

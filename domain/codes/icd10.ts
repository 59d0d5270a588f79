// ICD-10-CM format check (structure only, not the code set): a letter, a digit, a digit or letter, then an
// optional dot and up to four more characters (7 characters without the dot). On the 837P HI segment codes
// go without the dot.
const ICD10_CM = /^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$/;

export function normalizeIcd10(code: string): string {
  return code.trim().toUpperCase().replace('.', '');
}

export function isIcd10CmFormat(code: string): boolean {
  const normalized = code.trim().toUpperCase();
  if (!ICD10_CM.test(normalized)) return false;
  // A dot, when present, sits after the category (third character).
  const dot = normalized.indexOf('.');
  return dot === -1 || (dot === 3 && normalized.length > 4);
}

// ICD-10-CM format and diagnosis pointers (1–4 per line, each pointing at an existing diagnosis).
import { isIcd10CmFormat, normalizeIcd10 } from '../codes/icd10.js';
import { finding, type Finding } from '../model/finding.js';
import type { ScrubContext } from './context.js';

/** The 837P HI segment carries up to 12 diagnoses; SV107 up to 4 pointers. */
export const MAX_DIAGNOSES = 12;
export const MAX_POINTERS = 4;

export function checkDiagnoses({ claim }: ScrubContext): Finding[] {
  const out: Finding[] = [];
  const dx = claim.diagnoses;
  if (dx.length === 0) {
    out.push(
      finding(
        'DIAGNOSIS_MISSING',
        'error',
        'diagnoses',
        'The claim has no diagnosis',
        'Add the treating diagnosis from the plan of care',
      ),
    );
  }
  if (dx.length > MAX_DIAGNOSES) {
    out.push(
      finding(
        'TOO_MANY_DIAGNOSES',
        'error',
        'diagnoses',
        `${dx.length} diagnoses; the 837P carries at most ${MAX_DIAGNOSES}`,
        'Keep the diagnoses the lines point to',
      ),
    );
  }
  const seen = new Set<string>();
  dx.forEach((code, i) => {
    if (!isIcd10CmFormat(code)) {
      out.push(
        finding(
          'ICD10_FORMAT_INVALID',
          'error',
          `diagnoses[${i}]`,
          `Diagnosis ${i + 1} is not a well-formed ICD-10-CM code`,
          'Enter the ICD-10-CM code (letter, digit, digit/letter, up to 4 more characters)',
        ),
      );
    }
    const n = normalizeIcd10(code);
    if (seen.has(n)) {
      out.push(
        finding(
          'DIAGNOSIS_DUPLICATE',
          'warning',
          `diagnoses[${i}]`,
          `Diagnosis ${i + 1} repeats an earlier diagnosis`,
          'Remove the duplicate and renumber pointers',
        ),
      );
    }
    seen.add(n);
  });
  claim.lines.forEach((line, i) => {
    const field = `lines[${i}].diagnosisPointers`;
    const p = line.diagnosisPointers;
    if (p.length === 0) {
      out.push(
        finding(
          'POINTER_MISSING',
          'error',
          field,
          `Line ${i + 1} has no diagnosis pointer`,
          'Point the line at the diagnosis it treats',
        ),
      );
    }
    if (p.length > MAX_POINTERS) {
      out.push(
        finding(
          'POINTER_TOO_MANY',
          'error',
          field,
          `Line ${i + 1} has ${p.length} pointers; at most ${MAX_POINTERS}`,
          'Keep the four most relevant pointers',
        ),
      );
    }
    if (p.some((x) => !Number.isInteger(x) || x < 1 || x > Math.min(dx.length, MAX_DIAGNOSES))) {
      out.push(
        finding(
          'POINTER_OUT_OF_RANGE',
          'error',
          field,
          `Line ${i + 1} points at a diagnosis that does not exist (claim has ${dx.length})`,
          'Use pointers 1–4 that refer to listed diagnoses',
        ),
      );
    }
    if (new Set(p).size !== p.length) {
      out.push(
        finding(
          'POINTER_DUPLICATE',
          'error',
          field,
          `Line ${i + 1} repeats a pointer`,
          'Remove the repeated pointer',
        ),
      );
    }
  });
  return out;
}

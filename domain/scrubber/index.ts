// The claim scrubber (after coding, before submission): runs every check and returns structured findings. Any `error`
// blocks submission; the workflow raises a "fix claim" task and waits for a correction.
import { hasBlocking, type Finding } from '../model/finding.js';
import type { Check, ScrubContext } from './context.js';
import { checkDiagnoses } from './diagnoses.js';
import { checkAuth, checkPoc, checkProgressReport, checkVisitLimit } from './episode.js';
import { checkLines } from './lines.js';
import { checkProviders } from './providers.js';
import { checkDuplicates, checkFrequency, checkTimelyFiling } from './submission.js';

export * from './context.js';
export { checkDiagnoses, MAX_DIAGNOSES, MAX_POINTERS } from './diagnoses.js';
export { checkAuth, checkPoc, checkProgressReport, checkVisitLimit } from './episode.js';
export { checkLines } from './lines.js';
export { checkProviders } from './providers.js';
export { checkDuplicates, checkFrequency, checkTimelyFiling } from './submission.js';

export const CHECKS: readonly Check[] = [
  checkProviders,
  checkDiagnoses,
  checkLines,
  checkAuth,
  checkPoc,
  checkProgressReport,
  checkTimelyFiling,
  checkDuplicates,
  checkFrequency,
  checkVisitLimit,
];

export interface ScrubResult {
  findings: Finding[];
  /** true when nothing blocks submission. */
  submittable: boolean;
}

const ORDER = { error: 0, warning: 1, info: 2 } as const;

export function scrubClaim(ctx: ScrubContext, checks: readonly Check[] = CHECKS): ScrubResult {
  const findings = checks
    .flatMap((check) => check(ctx))
    .map((f, i) => ({ f, i }))
    .sort((a, b) => ORDER[a.f.severity] - ORDER[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
  return { findings, submittable: !hasBlocking(findings) };
}

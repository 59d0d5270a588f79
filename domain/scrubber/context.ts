import type { IsoDate } from '../core/dates.js';
import type { AuthorizationRecord } from '../prior-authorization/authorization.js';
import type { RuleSet } from '../billing/code-visit.js';
import type { PocCertificationInput } from '../care/poc.js';
import type { ProgressReportInput } from '../care/progress.js';
import type { PriorClaim } from '../claims/duplicates.js';
import type { Submission } from '../claims/timely-filing.js';
import type { Claim } from '../model/claim.js';
import type { Finding } from '../model/finding.js';
import type { PayerProfile } from '../model/payer-profile.js';
import type { Visit } from '../model/visit.js';

/** Everything the scrubber judges a claim against. Time comes in as `asOf` (the intended submission date). */
export interface ScrubContext {
  claim: Claim;
  profile: PayerProfile;
  asOf: IsoDate;
  /** The coded visit, to check that billed units are supported by documented minutes. */
  visit?: Visit;
  authorizations?: readonly AuthorizationRecord[];
  poc?: PocCertificationInput;
  progress?: ProgressReportInput;
  priorClaims?: readonly PriorClaim[];
  /** Earlier submissions of this claim (front-end rejections do not count as filed). */
  submissions?: readonly Submission[];
  /** Whether KX is required on this visit (from the coding step's KX decision). */
  kxRequired?: boolean;
  /** Visits already used this plan year with this payer (for plan visit caps). */
  visitsThisYear?: number;
  rules?: Partial<RuleSet>;
}

export type Check = (ctx: ScrubContext) => Finding[];

/** The claim's date of service: the earliest line DOS (a PT claim is one visit, one DOS). */
export function claimDos(claim: Claim): IsoDate | undefined {
  return claim.lines.map((l) => l.dos).sort()[0];
}

// Episode-level checks: authorization, POC certification (Medicare), progress report, visit caps.
import { checkAuthorization, type AuthorizationProblem } from '../prior-authorization/authorization.js';
import { lookupCode } from '../codes/cpt.js';
import { pocCertificationState } from '../care/poc.js';
import { progressReportState } from '../care/progress.js';
import { finding, type Finding } from '../model/finding.js';
import { claimDos, type ScrubContext } from './context.js';

const AUTH_MESSAGES: Record<AuthorizationProblem, [string, string, string]> = {
  missing: [
    'AUTH_MISSING',
    'This payer requires prior authorization and none is on file',
    'Obtain authorization (or retro-authorization) before submitting',
  ],
  no_number: [
    'AUTH_NUMBER_MISSING',
    'The authorization has no payer reference number',
    'Record the payer reference number (837P REF*G1)',
  ],
  not_approved: [
    'AUTH_NOT_APPROVED',
    'The authorization is not approved',
    'Wait for the payer decision or request an extension',
  ],
  outside_window: [
    'AUTH_OUTSIDE_WINDOW',
    'The date of service is outside the authorized date window',
    'Request an extension or retro-authorization for the DOS',
  ],
  visits_exhausted: [
    'AUTH_VISITS_EXHAUSTED',
    'All authorized visits are used',
    'Request additional visits before billing this one',
  ],
  units_exhausted: [
    'AUTH_UNITS_EXHAUSTED',
    'The visit exceeds the authorized units',
    'Request additional units or bill the authorized units',
  ],
  code_not_authorized: [
    'AUTH_CODE_NOT_AUTHORIZED',
    'A billed code is not covered by the authorization',
    'Request authorization for the code',
  ],
};

export function checkAuth(ctx: ScrubContext): Finding[] {
  const { claim, profile } = ctx;
  const dos = claimDos(claim);
  if (!dos) return [];
  const evaluationOnly = claim.lines.every((l) => {
    const kind = lookupCode(l.code)?.kind;
    return kind === 'evaluation';
  });
  const result = checkAuthorization({
    rule: profile.auth,
    dos,
    evaluationOnly,
    units: claim.lines.reduce((s, l) => s + l.units, 0),
    codes: claim.lines.map((l) => l.code),
    authorizations: ctx.authorizations ?? [],
  });
  if (!result.required) return [];
  const out = result.problems.map((p) => {
    const [code, message, fix] = AUTH_MESSAGES[p];
    return finding(code, 'error', 'priorAuthNumber', message, fix);
  });
  const number = result.covering?.number;
  if (number && claim.priorAuthNumber !== number) {
    out.push(
      finding(
        'AUTH_NUMBER_NOT_ON_CLAIM',
        'error',
        'priorAuthNumber',
        'The claim does not carry the covering authorization number',
        'Put the authorization number in 2300 REF*G1 (prevents CO-15)',
      ),
    );
  }
  return out;
}

export function checkPoc(ctx: ScrubContext): Finding[] {
  if (!ctx.profile.requiresPocCertification) return [];
  const dos = claimDos(ctx.claim);
  if (!dos) return [];
  if (!ctx.poc) {
    return [
      finding(
        'POC_MISSING',
        'error',
        'planOfCare',
        'No plan of care on file for this episode',
        'Record the plan of care and its certification',
      ),
    ];
  }
  const state = pocCertificationState(ctx.poc, dos, ctx.asOf);
  switch (state.status) {
    case 'certified':
      return state.basis === 'delayed_signature'
        ? [
            finding(
              'POC_DELAYED_CERTIFICATION',
              'info',
              'planOfCare.signedDate',
              'Certification signed after day 30 with a documented reason for the delay',
              'Keep the diligence evidence with the record [R32]',
            ),
          ]
        : [];
    case 'pending':
      return [
        finding(
          'POC_NOT_CERTIFIED',
          'error',
          'planOfCare.signedDate',
          `Plan of care not yet certified (due by ${state.dueBy})`,
          'Obtain the physician/NPP signature, or (DOS ≥ 2025 with a signed referral) document the POC transmission',
        ),
      ];
    case 'late':
      return [
        finding(
          'POC_CERTIFICATION_LATE',
          'error',
          'planOfCare.signedDate',
          `Certification missing past its deadline ${state.dueBy}`,
          'Obtain the signature and document the reason for the delay (delayed certification) [R32]',
        ),
      ];
    case 'recertification_required':
      return [
        finding(
          'POC_RECERT_REQUIRED',
          'error',
          'planOfCare.recertifications',
          `Certification interval ended ${state.intervalEnded}; the DOS is not covered`,
          'Re-evaluate and obtain a signed recertification covering the DOS',
        ),
      ];
  }
}

export function checkProgressReport(ctx: ScrubContext): Finding[] {
  const interval = ctx.profile.progressReportIntervalTreatmentDays;
  if (interval === null) return [];
  const dos = claimDos(ctx.claim);
  if (!dos) return [];
  if (!ctx.progress) {
    return [
      finding(
        'PROGRESS_HISTORY_MISSING',
        'warning',
        'progress',
        'Treatment-day history not supplied; progress-report compliance not checked',
        'Supply the episode treatment days and progress report dates',
      ),
    ];
  }
  const state = progressReportState({ ...ctx.progress, intervalTreatmentDays: interval }, dos);
  const day = `treatment day ${state.treatmentDayInPeriod} of ${interval}`;
  switch (state.status) {
    case 'overdue':
      return [
        finding(
          'PROGRESS_REPORT_OVERDUE',
          'error',
          'progress.progressReports',
          `Progress report overdue (${day})`,
          'The PT writes the progress report; claims are held until it is recorded [R36]',
        ),
      ];
    case 'due_today':
      return [
        finding(
          'PROGRESS_REPORT_DUE',
          'error',
          'progress.progressReports',
          `Progress report due on this visit (${day}) and not recorded`,
          "Complete the progress report (may be part of this visit's note) [R37]",
        ),
      ];
    case 'due_soon':
      return [
        finding(
          'PROGRESS_REPORT_DUE_SOON',
          'warning',
          'progress.progressReports',
          `Progress report due soon (${day})`,
          'Schedule the progress report by treatment day 10',
        ),
      ];
    default:
      return [];
  }
}

export function checkVisitLimit(ctx: ScrubContext): Finding[] {
  const limit = ctx.profile.annualVisitLimit;
  if (limit === null || ctx.visitsThisYear === undefined || ctx.visitsThisYear < limit) return [];
  return [
    finding(
      'PLAN_VISIT_LIMIT_REACHED',
      'warning',
      'visitsThisYear',
      `Plan visit limit reached (${ctx.visitsThisYear} of ${limit})`,
      'Expect PR-119; check other coverage or inform the patient before the visit',
    ),
  ];
}

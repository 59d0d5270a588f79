// The prior-authorization workflow's vocabulary (AuthorizationSubmission in, PayerDecision out) mapped onto the
// payer connector's (AuthorizationRequest in, AuthorizationDecision out: a 278 request and its response).
// Pure: the activity reads the patient, coverage and practice and calls the connector; everything that can be
// decided from values alone is here, so request building and every response outcome are unit-tested.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type {
  AuthorizationDecision,
  AuthorizationRequest,
  PayerMember,
  ProviderIdentity,
} from '../../connectors/payer/types.js';
import type { PayerDecision } from '../../domain/prior-authorization/lifecycle.js';
import { MAX_CERT_INTERVAL_DAYS } from '../../domain/care/poc.js';
import { isIcd10CmFormat } from '../../domain/codes/icd10.js';
import { addDays } from '../../domain/core/dates.js';
import type { AuthorizationSubmission } from './index.js';

/**
 * TRN02 of the 278, derived from the activity's idempotency key (authorization id + request number): a retried
 * submission and every later status query carry the same trace, which is the key the payer files the request
 * under. Hashed because the key's separators are X12 delimiters; it carries no PHI either way.
 */
export function authorizationTraceNumber(idempotencyKey: string): string {
  return `PA${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 28).toUpperCase()}`;
}

/** What the activity read from our records for one request (demographics are PHI: they go only to the payer). */
export interface AuthorizationParties {
  member: PayerMember;
  requester: ProviderIdentity;
}

/**
 * A request that cannot be built is a data problem a person must fix: retrying would only repeat it. The
 * details carry a reason code (never a value from the request): the workflow's staff task shows it.
 */
function dataMissing(what: string, reasonCode: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'AuthorizationDataMissing',
    message: `The authorization request cannot be sent: ${what}.`,
    nonRetryable: true,
    details: [{ reasonCode }],
  });
}

export function toAuthorizationRequest(
  sub: AuthorizationSubmission,
  parties: AuthorizationParties,
  traceNumber: string,
  defaultProcedureCodes: readonly string[] = [],
): AuthorizationRequest {
  const diagnoses = sub.diagnosisCodes ?? [];
  // The 278 carries 1–12 diagnoses; the payer reviews medical necessity against them.
  if (diagnoses.length === 0) throw dataMissing('no diagnosis code', 'no_diagnosis');
  if (diagnoses.length > 12) throw dataMissing('more than 12 diagnosis codes', 'too_many_diagnoses');
  if (!diagnoses.every(isIcd10CmFormat))
    throw dataMissing('a diagnosis code is not ICD-10-CM', 'invalid_diagnosis');
  const codes = sub.procedureCodes ?? defaultProcedureCodes;
  if (codes.length === 0) throw dataMissing('no procedure code', 'no_procedure');
  if (!codes.every((c) => /^[0-9A-Z]{5}$/.test(c)))
    throw dataMissing('a procedure code is not a CPT/HCPCS code', 'invalid_procedure');
  // Without an end date the request spans at most one plan-of-care certification interval.
  const to = sub.endDate ?? addDays(sub.startDate, MAX_CERT_INTERVAL_DAYS - 1);
  if (to < sub.startDate) throw dataMissing('the end date is before the start date', 'invalid_period');
  return {
    payerId: sub.payerId,
    member: parties.member,
    requester: parties.requester,
    traceNumber,
    certificationType: sub.extendsAuthNumber === undefined ? 'initial' : 'extension',
    ...(sub.extendsAuthNumber !== undefined ? { previousAuthNumber: sub.extendsAuthNumber } : {}),
    diagnoses,
    period: { from: sub.startDate, to },
    services: codes.map((code) => ({ code, visits: sub.requestedVisits })),
  };
}

/**
 * The payer's answer as the workflow's PayerDecision. Answers that are no decision are typed, non-retryable
 * failures (asking again cannot change them): AAA rejections (codes only: member not found, invalid id …),
 * "no authorization required", and responses without a readable decision. The workflow routes each type to an
 * action (domain/prior-authorization/attention.ts) from the type and the reason code in the details.
 */
export function toPayerDecision(d: AuthorizationDecision): PayerDecision {
  switch (d.status) {
    case 'approved':
    case 'partially_approved': {
      const out: PayerDecision = { outcome: d.status };
      if (d.authorizationNumber !== undefined) out.authNumber = d.authorizationNumber;
      if (d.visitsApproved !== undefined) out.visitsAuthorized = d.visitsApproved;
      if (d.period !== undefined) {
        out.startDate = d.period.from;
        out.endDate = d.period.to;
      }
      return out;
    }
    case 'denied':
      return { outcome: 'denied' };
    case 'pended':
      return { outcome: 'pended' };
    case 'rejected': {
      const codes = [...new Set(d.document.rejections.map((r) => r.reasonCode))];
      const first = d.document.rejections[0];
      return fail(
        'AuthorizationRequestRejected',
        `The payer rejected the request (AAA ${codes.join(',') || 'none'}).`,
        // AAA03 codes are from a closed X12 list (digits): safe to show; the level says who fixes it.
        {
          reasonCode: first && /^[0-9A-Z]{1,3}$/.test(first.reasonCode) ? `aaa_${first.reasonCode}` : 'aaa',
          ...(first ? { level: first.level } : {}),
        },
      );
    }
    case 'not_required':
      return fail('AuthorizationNotRequired', 'The payer answered that no authorization is required.', {
        reasonCode: 'payer_not_required',
      });
    case 'other':
      return fail('AuthorizationDecisionUnreadable', 'The payer response carries no decision we can read.', {
        reasonCode: 'no_decision',
      });
  }
}

function fail(type: string, message: string, detail: { reasonCode: string; level?: string }): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: [detail] });
}

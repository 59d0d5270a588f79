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
import type { AuthorizationAttentionType } from '../../domain/prior-authorization/attention.js';
import type { PayerDecision } from '../../domain/prior-authorization/lifecycle.js';
import { MAX_CERT_INTERVAL_DAYS } from '../../domain/care/poc.js';
import { isIcd10CmFormat } from '../../domain/codes/icd10.js';
import { addDays } from '../../domain/core/dates.js';
import type { AuthorizationSubmission } from './index.js';

const CPT_HCPCS = /^[0-9A-Z]{5}$/;

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
export function dataMissing(what: string, reasonCode: string): ApplicationFailure {
  return attentionFailure('AuthorizationDataMissing', `The authorization request cannot be sent: ${what}.`, {
    reasonCode,
  });
}

/**
 * A non-retryable failure of one of the types the workflow routes to a staff action (AUTHORIZATION_ATTENTION_TYPES in
 * domain/prior-authorization/attention.ts), with a reason code (and the AAA level) as its only detail.
 */
export function attentionFailure(
  type: AuthorizationAttentionType,
  message: string,
  detail: { reasonCode: string; level?: string },
): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [detail] });
}

export function toAuthorizationRequest(
  submission: AuthorizationSubmission,
  parties: AuthorizationParties,
  traceNumber: string,
  defaultProcedureCodes: readonly string[] = [],
): AuthorizationRequest {
  const diagnoses = submission.diagnosisCodes ?? [];
  // The 278 carries 1–12 diagnoses; the payer reviews medical necessity against them.
  if (diagnoses.length === 0) throw dataMissing('no diagnosis code', 'no_diagnosis');
  if (diagnoses.length > 12) throw dataMissing('more than 12 diagnosis codes', 'too_many_diagnoses');
  if (!diagnoses.every(isIcd10CmFormat))
    throw dataMissing('a diagnosis code is not ICD-10-CM', 'invalid_diagnosis');
  const codes = submission.procedureCodes ?? defaultProcedureCodes;
  if (codes.length === 0) throw dataMissing('no procedure code', 'no_procedure');
  if (!codes.every((code) => CPT_HCPCS.test(code)))
    throw dataMissing('a procedure code is not a CPT/HCPCS code', 'invalid_procedure');
  // Without an end date the request spans at most one plan-of-care certification interval.
  const to = submission.endDate ?? addDays(submission.startDate, MAX_CERT_INTERVAL_DAYS - 1);
  if (to < submission.startDate) throw dataMissing('the end date is before the start date', 'invalid_period');
  return {
    payerId: submission.payerId,
    member: parties.member,
    requester: parties.requester,
    traceNumber,
    certificationType: submission.extendsAuthNumber === undefined ? 'initial' : 'extension',
    ...(submission.extendsAuthNumber !== undefined
      ? { previousAuthNumber: submission.extendsAuthNumber }
      : {}),
    diagnoses,
    period: { from: submission.startDate, to },
    services: codes.map((code) => ({ code, visits: submission.requestedVisits })),
  };
}

/**
 * The payer's answer as the workflow's PayerDecision. Answers that are no decision are typed, non-retryable
 * failures (asking again cannot change them): AAA rejections (codes only: member not found, invalid id …),
 * "no authorization required", and responses without a readable decision. The workflow routes each type to an
 * action (domain/prior-authorization/attention.ts) from the type and the reason code in the details.
 */
export function toPayerDecision(answer: AuthorizationDecision): PayerDecision {
  switch (answer.status) {
    case 'approved':
    case 'partially_approved': {
      const decision: PayerDecision = { outcome: answer.status };
      if (answer.authorizationNumber !== undefined) decision.authNumber = answer.authorizationNumber;
      if (answer.visitsApproved !== undefined) decision.visitsAuthorized = answer.visitsApproved;
      if (answer.period !== undefined) {
        decision.startDate = answer.period.from;
        decision.endDate = answer.period.to;
      }
      return decision;
    }
    case 'denied':
      return { outcome: 'denied' };
    case 'pended':
      return { outcome: 'pended' };
    case 'rejected': {
      const codes = [...new Set(answer.document.rejections.map((rejection) => rejection.reasonCode))];
      const first = answer.document.rejections[0];
      throw attentionFailure(
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
      throw attentionFailure(
        'AuthorizationNotRequired',
        'The payer answered that no authorization is required.',
        { reasonCode: 'payer_not_required' },
      );
    case 'other':
      throw attentionFailure(
        'AuthorizationDecisionUnreadable',
        'The payer response carries no decision we can read.',
        { reasonCode: 'no_decision' },
      );
  }
}

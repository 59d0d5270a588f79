// What a prior authorization does when the request cannot be sent or the payer's answer is not a decision
// (issue #5): none of these is a reason to fail the process. Each failure type maps to one action, as data:
// either the process ends by itself (the payer says no authorization is required) or it raises a staff task
// (role, due time, PHI-free title and reason codes) and waits for a correction, a "not required" or a cancel.
import type { StaffRole } from '../tasks.js';

/** The typed, non-retryable failures the authorization activities raise (ApplicationFailure.type). */
export const AUTHORIZATION_ATTENTION_TYPES = [
  'AuthorizationDataMissing',
  'AuthorizationCoverageChanged',
  'AuthorizationRequestRejected',
  'AuthorizationNotRequired',
  'AuthorizationDecisionUnreadable',
] as const;
export type AuthorizationAttentionType = (typeof AUTHORIZATION_ATTENTION_TYPES)[number];

export function isAuthorizationAttentionType(t: string | undefined): t is AuthorizationAttentionType {
  return (AUTHORIZATION_ATTENTION_TYPES as readonly string[]).includes(t ?? '');
}

/** One problem as the workflow sees it: the type and a reason code (never a value from the request). */
export interface AuthorizationAttentionProblem {
  type: AuthorizationAttentionType;
  /** e.g. `no_diagnosis`, `aaa_75`; codes only. */
  reasonCode: string;
  /** For AAA rejections: where the payer put the AAA (subscriber problems are the front desk's, provider ones billing's). */
  level?: 'payer' | 'provider' | 'subscriber' | 'dependent';
}

export type AuthorizationAttentionAction =
  | { kind: 'complete_not_required' }
  | {
      kind: 'task';
      taskKind: string;
      /** PHI-free worklist title: what to fix. */
      title: string;
      role: StaffRole;
      dueInHours: number;
    };

/** The table: one row per failure type (the role may depend on the AAA level, below). */
export const AUTHORIZATION_ATTENTION_ROUTES: Record<
  AuthorizationAttentionType,
  AuthorizationAttentionAction
> = {
  AuthorizationDataMissing: {
    kind: 'task',
    taskKind: 'auth_data_missing',
    title: 'Authorization request incomplete: add the diagnosis / procedure codes and resubmit',
    role: 'front_desk',
    dueInHours: 24,
  },
  AuthorizationCoverageChanged: {
    kind: 'task',
    taskKind: 'auth_coverage_changed',
    title: "Coverage no longer at the authorization's payer: cancel or confirm not required",
    role: 'front_desk',
    dueInHours: 24,
  },
  AuthorizationRequestRejected: {
    kind: 'task',
    taskKind: 'auth_request_rejected',
    title: 'Payer rejected the authorization request: correct the data and resubmit',
    role: 'front_desk',
    dueInHours: 24,
  },
  AuthorizationNotRequired: { kind: 'complete_not_required' },
  AuthorizationDecisionUnreadable: {
    kind: 'task',
    taskKind: 'auth_decision_unreadable',
    title: 'Payer answer to the authorization request unreadable: check the portal and resubmit',
    role: 'biller',
    dueInHours: 24,
  },
};

/** AAA rejections at these levels concern our provider or the payer setup: billing fixes them. */
const BILLER_LEVELS: readonly NonNullable<AuthorizationAttentionProblem['level']>[] = ['payer', 'provider'];

/** The action for one problem: the table's row, with AAA rejections at the payer or provider level routed to billing. */
export function attentionFor(problem: AuthorizationAttentionProblem): AuthorizationAttentionAction {
  const route = AUTHORIZATION_ATTENTION_ROUTES[problem.type];
  if (
    route.kind === 'task' &&
    problem.type === 'AuthorizationRequestRejected' &&
    problem.level &&
    BILLER_LEVELS.includes(problem.level)
  )
    return { ...route, role: 'biller' };
  return route;
}

/** What staff may do about an authorization that waits for them. */
export type AuthorizationResolution =
  | {
      action: 'resubmit';
      /** Replaces the request's diagnoses when given (1–12 ICD-10-CM codes). */
      diagnosisCodes?: string[];
      /** Replaces the request's procedure codes when given (CPT/HCPCS). */
      procedureCodes?: string[];
    }
  | { action: 'not_required' }
  | { action: 'cancel' };

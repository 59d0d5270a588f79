// Prior-authorization side effects: the request, status polls and extension requests go to the payer through
// the payer connector (X12 278 or the payer's API). The workflow only sees PayerDecision values.
import type { PayerDecision } from '../../domain/prior-authorization/lifecycle.js';
import type { PriorAuthorizationRequest } from '../../workflows/prior-authorization/messages.js';

/** The request sent to the payer: the process's request, and for extensions the authorization it extends. */
export interface AuthorizationSubmission extends PriorAuthorizationRequest {
  /** Extension requests carry the payer's reference number of the authorization they extend. */
  extendsAuthNumber?: string;
}

/** The payer port the authorization activities need (implemented by connectors/payer). */
export interface AuthorizationPayerPort {
  submit(request: AuthorizationSubmission, idempotencyKey: string): Promise<PayerDecision>;
  status(request: AuthorizationSubmission, idempotencyKey: string): Promise<PayerDecision>;
}

/** The idempotency key of one request: the authorization id plus the request number (it names the request at the payer). */
function requestKey(request: AuthorizationSubmission, requestNumber: number): string {
  return `auth:${request.authorizationId}:request:${requestNumber}`;
}

export function createAuthorizationActivities({ payer }: { payer: AuthorizationPayerPort }) {
  return {
    /** Idempotent: the key is the authorization id plus the request number, so a retry never files twice. */
    async submitAuthorizationRequest(
      request: AuthorizationSubmission,
      requestNumber: number,
    ): Promise<PayerDecision> {
      return payer.submit(request, requestKey(request, requestNumber));
    },
    /** The payer's current answer to the request numbered `requestNumber` (same key, same request). */
    async pollAuthorizationDecision(
      request: AuthorizationSubmission,
      requestNumber: number,
    ): Promise<PayerDecision> {
      return payer.status(request, requestKey(request, requestNumber));
    },
  };
}

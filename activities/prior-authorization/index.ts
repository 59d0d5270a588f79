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

export function createAuthorizationActivities({ payer }: { payer: AuthorizationPayerPort }) {
  return {
    /** Idempotent: the key is the authorization id plus the request number, so a retry never files twice. */
    async submitAuthorizationRequest(
      req: AuthorizationSubmission,
      requestNumber: number,
    ): Promise<PayerDecision> {
      return payer.submit(req, `auth:${req.authorizationId}:request:${requestNumber}`);
    },
    async pollAuthorizationDecision(
      req: AuthorizationSubmission,
      requestNumber: number,
    ): Promise<PayerDecision> {
      return payer.status(req, `auth:${req.authorizationId}:request:${requestNumber}`);
    },
  };
}

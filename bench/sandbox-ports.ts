// Zero-latency stand-ins for the connectors ptflow has no sandbox server for yet (payer 278 behind the
// authorization port, practitioner documents, patient statements): they answer at once, like the sandboxes.
import type { AuthorizationPayerPort } from '../activities/prior-authorization/index.js';
import type { PatientStatementPort } from '../activities/claim/index.js';
import type { PhysicianPort } from '../activities/plan-of-care/index.js';
import type { PayerDecision } from '../domain/prior-authorization/lifecycle.js';
import { addDays } from '../domain/core/dates.js';

/** The benchmark clinic's zone (authorization windows and dates of service are its local dates). */
export const CLINIC_TZ = 'America/Chicago';

/**
 * The prior-authorization payer port. The authorization activities take a port, not the X12 278 connector yet,
 * so the benchmark approves in memory at once (zero latency, like the other sandboxes).
 */
export function approvingAuthPayer(today: () => string): AuthorizationPayerPort {
  const decision = (): PayerDecision => ({
    outcome: 'approved',
    authNumber: 'BENCH-AUTH',
    visitsAuthorized: 30,
    startDate: today(),
    endDate: addDays(today(), 60),
  });
  return { submit: async () => decision(), status: async () => decision() };
}

const receipt = () => ({ transmissionId: 'bench', sentAt: new Date().toISOString() });
export const zeroLatencyPhysician: PhysicianPort = {
  sendPlanOfCare: async () => receipt(),
  sendProgressSummary: async () => receipt(),
  sendDischargeSummary: async () => receipt(),
};
export const zeroLatencyStatements: PatientStatementPort = { sendStatement: async () => undefined };

// The physician's signature on a plan of care (one pocSignature process per certification cycle; its id is in
// the plan of care's status, `signatureProcesses`): where the chase stands, and recording the signature date a
// person has in hand (the signed copy came back by mail, or was read off the fax). Recording it sends the
// claims held for it back to the scrubber. Registered by the plan-of-care routes.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pocSignatureStatusQuery, recordSignatureUpdate } from '../../workflows/poc-signature/messages.js';
import { principalOf } from '../auth/plugin.js';
import type { ProcessRouteDeps } from '../processes.js';
import { pocSignatureStatusViews } from '../response-shaping/views.js';
import { type ProcessResource, statusRoute, updateRoute } from './process-routes.js';

const pocSignatures: ProcessResource = {
  kind: 'pocsig',
  resourceType: 'poc_signature',
  tag: 'plans-of-care',
  path: '/v1/poc-signatures',
  processKind: 'pocSignature',
};
const roles = ['admin', 'front_desk', 'therapist'] as const;

/** GET /v1/poc-signatures/{id} and POST /v1/poc-signatures/{id}/signature. */
export function pocSignatureRoutes(app: Parameters<FastifyPluginAsyncZod>[0], deps: ProcessRouteDeps): void {
  statusRoute(app, deps, pocSignatures, {
    roles,
    operationId: 'getPocSignature',
    summary: "Where the physician's signature on a plan of care stands (deliveries, reminders, due date)",
    response: pocSignatureStatusViews,
    query: pocSignatureStatusQuery,
  });

  updateRoute(app, deps, pocSignatures, {
    action: 'signature',
    roles,
    operationId: 'recordPocSignature',
    summary: "Record the physician's signature date; claims held for it go back to the scrubber",
    description:
      'Refused (409) when the date is in the future, before the first treatment day, after the recertified ' +
      'period, or differs from a signature already recorded.',
    body: z.strictObject({ signedDate: z.iso.date() }),
    payload: (body, req) => ({ signedDate: body.signedDate, recordedBy: principalOf(req).id }),
    response: pocSignatureStatusViews,
    update: recordSignatureUpdate,
  });
}

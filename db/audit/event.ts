// What an audit event may contain (the append-only log of every PHI access): who, what, when, from where,
// outcome — and never a PHI value. Every free-form slot is restricted to opaque-id or identifier characters,
// so a name, a date of birth or a sentence cannot be written into the log even by mistake; disclosed data is
// recorded by field NAME only.
import { isIP } from 'node:net';
import { z } from 'zod';

const opaque = z.string().regex(/^[A-Za-z0-9:._|-]{1,200}$/, 'must be an opaque id');
const identifier = z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'must be a lower-case identifier');
const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a UUID');

export const auditEventSchema = z.strictObject({
  actorId: opaque,
  actorType: z.enum(['user', 'api_key', 'service', 'system']),
  actorRole: identifier.nullish(),
  sourceIp: z
    .string()
    .refine((v) => isIP(v) !== 0, 'must be an IP address')
    .nullish(),
  /** FHIR AuditEvent action: Create, Read, Update, Delete, Execute. */
  action: z.enum(['C', 'R', 'U', 'D', 'E']),
  resourceType: identifier,
  resourceId: opaque.nullish(),
  /** Our internal patient UUID, never an MRN or a name. */
  patientRef: uuid.nullish(),
  /** HL7 PurposeOfUse code (TREAT, ETREAT, HPAYMT, HOPERAT …). */
  purposeOfUse: z
    .string()
    .regex(/^[A-Z]{2,16}$/, 'must be a PurposeOfUse code')
    .nullish(),
  outcome: z.enum(['success', 'denied', 'error']),
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a request id')
    .nullish(),
  workflowId: opaque.nullish(),
  /** Names of the fields disclosed or changed (e.g. ["demographics.lastName"]), never their values. */
  fieldsDisclosed: z
    .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,63}$/, 'must be a field name'))
    .max(200)
    .nullish(),
});

export type AuditEventInput = z.input<typeof auditEventSchema>;

/** A stored row, as the hash covers it. */
export interface AuditRow {
  id: number;
  recordedAt: Date;
  actorId: string;
  actorType: string;
  actorRole: string | null;
  sourceIp: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  patientRef: string | null;
  purposeOfUse: string | null;
  outcome: string;
  requestId: string | null;
  workflowId: string | null;
  fieldsDisclosed: string[] | null;
  prevHash: string;
  hash: string;
}

// What the sandbox payer's real-time and batch sides share: options, the errors the routes turn into HTTP
// answers, the outgoing envelope, stamps and the deterministic identifiers it issues.
import { createHash } from 'node:crypto';
import type { PayerProfile } from '../../../domain/model/payer-profile.js';
import { payerProfileOn } from '../../../domain/rules/payers.js';
import type { ControlNumberSource } from '../control-numbers.js';
import { buildInterchange, type InterchangeHeader, type Segment } from '../x12/index.js';
import type { SandboxPlan } from './plans.js';
import type { SandboxPayerStore } from './store.js';
import type { RealtimeRequest } from './x12-in.js';
import { IMPL, type Stamp } from './x12-out.js';

export interface SandboxIdentity {
  /** ISA06 of everything the sandbox sends. */
  senderId: string;
  name: string;
}

export interface SandboxPayerOptions {
  store: SandboxPayerStore;
  controlNumbers: ControlNumberSource;
  identity: SandboxIdentity;
  clock: () => Date;
  /** A pended authorization is decided on this many later queries (default 1). */
  pendPolls: number;
}

/** Thrown for requests the sandbox cannot read: the route answers 400 without echoing input. */
export class SandboxBadRequest extends Error {}

/** The first copy of a repeated interchange is still being processed: the route answers 503 + Retry-After. */
export class SandboxBusy extends Error {}

/** Ten hex digits of SHA-256 over the parts: the deterministic identifiers (CERT…, AUTH…, SBX…) the sandbox issues. */
export const shortDigest = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 10).toUpperCase();

export function stamp(d: Date): Stamp {
  const iso = d.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

export function planProfileOn(plan: SandboxPlan, date: string): PayerProfile {
  const p = payerProfileOn(plan.profileId, date);
  if (p === undefined) throw new SandboxBadRequest('NO_PROFILE_ON_DATE');
  return p;
}

/** The subscriber of a real-time request as the 277 and 278 answers name them. */
export function answerSubscriber(subscriber: RealtimeRequest['subscriber']): {
  memberId: string;
  lastName: string;
  firstName?: string;
} {
  return {
    memberId: subscriber.id,
    lastName: subscriber.name,
    ...(subscriber.firstName !== undefined ? { firstName: subscriber.firstName } : {}),
  };
}

/** Wrap one transaction set in an interchange from the sandbox back to the sender of `to`. */
export async function envelope(
  options: SandboxPayerOptions,
  to: InterchangeHeader,
  functionalIdCode: string,
  type: keyof typeof IMPL,
  transactionSetId: string,
  segments: Segment[],
): Promise<string> {
  const n = await options.controlNumbers.next(options.identity.senderId);
  const now = stamp(options.clock());
  return buildInterchange(
    {
      sender: { qualifier: 'ZZ', id: options.identity.senderId },
      receiver: { qualifier: to.senderQualifier, id: to.senderId },
      date: now.date,
      time: now.time,
      interchangeControlNumber: n.interchange,
      groupControlNumber: n.group,
      usage: to.usage === 'P' ? 'P' : 'T',
    },
    [
      {
        functionalIdCode,
        version: IMPL[type],
        transactions: [
          {
            transactionSetId,
            // ST03 is "not used" in the 835 (005010X221A1): the version is GS08's alone there.
            implementationReference: type === '835' ? '' : IMPL[type],
            controlNumber: '0001',
            segments,
          },
        ],
      },
    ],
  );
}

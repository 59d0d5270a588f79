// Consent decisions. Explicit opt-in is required on both channels (the intake form records it); the latest
// decision per patient and channel wins, and a revocation recorded against an address (STOP from a number)
// also blocks every other patient reached there until consent is given again for that address.
import { randomUUID } from 'node:crypto';
import type { AddressHasher } from './recipient.js';
import { normalizeAddress } from './recipient.js';
import type { MessageStore } from './store.js';
import type { ConsentChange, ConsentDecision, ConsentQuery } from './types.js';

export async function decideConsent(
  store: MessageStore,
  hash: AddressHasher,
  q: ConsentQuery,
): Promise<ConsentDecision> {
  // Both reads at once (one round trip of latency instead of two); the address's answer is consulted, as
  // before, only when the patient's consent allows (its failure, e.g. an unreadable address, only then too).
  const byAddress =
    q.address === undefined
      ? undefined
      : (async (address: string) =>
          store.latestAddressConsent(
            q.practiceId,
            q.channel,
            hash(q.channel, normalizeAddress(q.channel, address)),
          ))(q.address);
  byAddress?.catch(() => undefined);
  const patient = await store.latestPatientConsent(q.patientId, q.channel);
  if (patient === undefined) return { allowed: false, reason: 'no_consent' };
  if (patient === 'revoked') return { allowed: false, reason: 'revoked' };
  if ((await byAddress) === 'revoked') return { allowed: false, reason: 'address_opted_out' };
  return { allowed: true };
}

export async function storeConsent(
  store: MessageStore,
  hash: AddressHasher,
  c: ConsentChange,
  now: Date,
): Promise<void> {
  await store.insertConsent({
    id: randomUUID(),
    practiceId: c.practiceId,
    patientId: c.patientId,
    channel: c.channel,
    status: c.status,
    source: c.source,
    recipientHash: c.address !== undefined ? hash(c.channel, normalizeAddress(c.channel, c.address)) : null,
    recordedAt: now,
  });
}

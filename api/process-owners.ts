// Which practice owns a workflow id, remembered from Temporal's answer to `describe`, so the tenancy check of a
// process route costs a Temporal round trip once per id and window rather than on every request.
//
// Why reusing the answer is safe: a process's PracticeId search attribute is set at start from the starting
// principal's practice, and workflows only ever upsert it with that same value (their input's practiceId), so
// a workflow id's owner does not change while its history exists. An id never passes to another practice:
// API-started ids are server-made UUIDs (the Idempotency-Key record's id), event-started ones are derived from
// the practice's own event, and claim ids (a hash of practice and visit id; the visit id for claims started
// before that, reused only by their own practice) are never started again once closed (REJECT_DUPLICATE). Still, entries are bounded in time (OWNER_TTL_MS) and number (OWNER_MAX_ENTRIES), and
// only owners Temporal reported are kept: an id Temporal does not know is looked up again next time.
import type { Client } from '@temporalio/client';
import { BoundedTtlMap } from './bounded-ttl-map.js';

export const OWNER_TTL_MS = 5 * 60_000;
const OWNER_MAX_ENTRIES = 50_000;

export class ProcessOwners {
  private readonly owners: BoundedTtlMap<string>;

  constructor(ttlMs = OWNER_TTL_MS, clock?: () => number) {
    this.owners = new BoundedTtlMap(ttlMs, OWNER_MAX_ENTRIES, clock);
  }

  /** The practice that owns the workflow id, if known and not expired. */
  get(workflowId: string): string | undefined {
    return this.owners.get(workflowId);
  }

  remember(workflowId: string, practiceId: string): void {
    this.owners.set(workflowId, practiceId);
  }
}

// One table per Temporal client (one per app, shared by all its process routes).
const byClient = new WeakMap<Client, ProcessOwners>();

export function processOwnersOf(client: Client): ProcessOwners {
  let owners = byClient.get(client);
  if (!owners) byClient.set(client, (owners = new ProcessOwners()));
  return owners;
}

// Persistence of idempotency records (they expire after 24 h). The UNIQUE (principal_id, method, route, key) index is
// the lock: whoever's `INSERT … ON CONFLICT DO NOTHING` returns a row owns the key; everyone else reads the
// existing record and replays, refuses (422) or waits (409). Stored responses are encrypted like the PHI columns.
import { randomUUID } from 'node:crypto';
import { and, eq, lte, sql } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { fieldContext } from '../../db/crypto/encrypted-tables.js';
import { decryptField, encryptField } from '../../db/crypto/field-encryption.js';
import type { Keyring } from '../../db/crypto/keyring.js';
import { idempotencyRecords } from '../../db/schema.js';

/** Stripe's window; the record (and its encrypted response) is deleted afterwards. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long a claim in progress holds its key (requests time out after 30 s). An older claim was abandoned: its
 * request died with the database, or answered 503 and let go (`letGoIdempotencyKey`). The same request with the
 * same key then takes the record over, keeping its id, so it re-runs under the same process id (a start reuses
 * the running process) instead of waiting out the 24 h or being retried under a fresh key that starts another.
 */
export const IDEMPOTENCY_LEASE_MS = 60_000;

export interface RecordKey {
  /** Whose key it is: `recordOwner(principal)`, the principal within its practice. */
  principalId: string;
  method: string;
  route: string;
  key: string;
}

export interface StoredResponse {
  statusCode: number;
  contentType: string | undefined;
  body: string;
}

export type ClaimResult =
  | { kind: 'claimed'; recordId: string }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' }
  | { kind: 'replay'; response: StoredResponse };

// The AAD tenant follows db/crypto/encrypted-tables.ts (principal_id for this table), so key rotation, which
// walks that list, can re-encrypt these rows.
const ctx = (principalId: string, recordId: string) =>
  fieldContext('idempotency_records', 'response_enc', { tenant: principalId, rowId: recordId });

/**
 * The owner of a principal's idempotency records: the principal *within its practice*. A principal id alone
 * (`user:<sub>`) is not unique across practices — two identity providers, or one that issues the same subject
 * for two practices — and a key it shared would replay one practice's answer to the other.
 */
export function recordOwner(principal: { id: string; practiceId: string }): string {
  return `${principal.practiceId}/${principal.id}`;
}

/**
 * Records written before keys were scoped by practice were owned by the bare principal id. Only an API key's
 * id (`apikey:<prefix>`, the prefix unique, the key bound to one practice) still names exactly one practice, so
 * only API keys look for them, until they expire (IDEMPOTENCY_TTL_MS).
 */
export function legacyRecordOwner(principal: { id: string; type: string }): string | undefined {
  return principal.type === 'api_key' ? principal.id : undefined;
}

export async function claimIdempotencyKey(
  db: Database,
  keyring: Keyring,
  k: RecordKey,
  fingerprint: string,
  now: Date,
  ttlMs = IDEMPOTENCY_TTL_MS,
  legacyPrincipalId?: string,
): Promise<ClaimResult> {
  // Two rounds at most: the second one after removing an expired record that held the key.
  for (let round = 0; round < 2; round++) {
    const record = {
      id: randomUUID(),
      ...k,
      fingerprint,
      state: 'in_progress' as const,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlMs),
    };
    if (legacyPrincipalId !== undefined && round === 0) {
      // The legacy record (if any) and the claim in one statement: one round trip instead of two.
      const r = await claimUnlessLegacy(db, record, legacyPrincipalId);
      if (r.legacy) return settledClaim(keyring, legacyPrincipalId, r.legacy, fingerprint);
      if (r.claimed) return { kind: 'claimed', recordId: r.claimed };
    } else {
      const inserted = await db
        .insert(idempotencyRecords)
        .values(record)
        .onConflictDoNothing()
        .returning({ id: idempotencyRecords.id });
      if (inserted[0]) return { kind: 'claimed', recordId: inserted[0].id };
    }

    const existing = await findRecord(db, k);
    // Released between our insert and our read (a 4xx of the first request): try to claim again.
    if (!existing) continue;
    if (existing.expiresAt.getTime() <= now.getTime()) {
      // An expired key is a new key (keys last 24 h), even before the sweeper got to it. The condition on
      // expires_at keeps a concurrent request that already replaced the record from being deleted.
      await db
        .delete(idempotencyRecords)
        .where(and(eq(idempotencyRecords.id, existing.id), lte(idempotencyRecords.expiresAt, now)));
      continue;
    }
    const settled = settledClaim(keyring, k.principalId, existing, fingerprint);
    if (settled.kind === 'in_progress' && existing.state === 'in_progress') {
      const takenOver = await takeOverAbandoned(db, existing.id, now);
      if (takenOver) return { kind: 'claimed', recordId: existing.id };
    }
    return settled;
  }
  // The key changed hands twice while we looked: treat it as a concurrent request.
  return { kind: 'in_progress' };
}

async function findRecord(db: Database, k: RecordKey) {
  const [existing] = await db
    .select()
    .from(idempotencyRecords)
    .where(
      and(
        eq(idempotencyRecords.principalId, k.principalId),
        eq(idempotencyRecords.method, k.method),
        eq(idempotencyRecords.route, k.route),
        eq(idempotencyRecords.key, k.key),
      ),
    )
    .limit(1);
  return existing;
}

type SettledFields = Pick<
  typeof idempotencyRecords.$inferSelect,
  'id' | 'fingerprint' | 'state' | 'statusCode' | 'responseEnc'
>;

/**
 * The claim of a key by an API key, which may still own a record from before records were scoped by practice
 * (`legacyRecordOwner`): in one statement, the unexpired legacy record if there is one, else the claim
 * (`INSERT … ON CONFLICT DO NOTHING`, made only when no legacy record exists). Both parts see one snapshot, as
 * the two statements they replace saw the database one after the other.
 */
async function claimUnlessLegacy(
  db: Database,
  record: typeof idempotencyRecords.$inferInsert & { createdAt: Date; expiresAt: Date },
  legacyPrincipalId: string,
): Promise<{ legacy?: SettledFields; claimed?: string }> {
  const rows = (await db.execute(sql`
    with legacy as (
      select id, fingerprint, state, status_code, response_enc from idempotency_records
      where principal_id = ${legacyPrincipalId} and method = ${record.method} and route = ${record.route}
        and key = ${record.key} and expires_at > ${record.createdAt.toISOString()}::timestamptz
      limit 1
    ), claimed as (
      insert into idempotency_records
        (id, principal_id, method, route, key, fingerprint, state, created_at, expires_at)
      select ${record.id}::uuid, ${record.principalId}, ${record.method}, ${record.route}, ${record.key},
             ${record.fingerprint}, 'in_progress', ${record.createdAt.toISOString()}::timestamptz,
             ${record.expiresAt.toISOString()}::timestamptz
      where not exists (select 1 from legacy)
      on conflict do nothing
      returning id
    )
    select (select id from claimed) as claimed, l.id, l.fingerprint, l.state, l.status_code, l.response_enc
    from (select 1) as one left join legacy as l on true`)) as unknown as {
    claimed: string | null;
    id: string | null;
    fingerprint: string;
    state: 'in_progress' | 'complete';
    status_code: number | null;
    response_enc: Buffer | null;
  }[];
  const r = rows[0];
  if (!r) throw new Error('idempotency claim: no answer');
  if (r.id !== null) {
    return {
      legacy: {
        id: r.id,
        fingerprint: r.fingerprint,
        state: r.state,
        statusCode: r.status_code,
        responseEnc: r.response_enc,
      },
    };
  }
  return r.claimed !== null ? { claimed: r.claimed } : {};
}

/** What a request finds under a key someone already holds: refusal, wait, or the stored answer. */
function settledClaim(
  keyring: Keyring,
  principalId: string,
  existing: SettledFields,
  fingerprint: string,
): ClaimResult {
  if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (existing.state !== 'complete' || !existing.responseEnc || existing.statusCode === null) {
    return { kind: 'in_progress' };
  }
  const plain = decryptField(existing.responseEnc, ctx(principalId, existing.id), keyring);
  const stored = JSON.parse(plain.toString('utf8')) as { contentType?: string; body: string };
  return {
    kind: 'replay',
    response: { statusCode: existing.statusCode, contentType: stored.contentType, body: stored.body },
  };
}

export async function completeIdempotencyKey(
  db: Database,
  keyring: Keyring,
  principalId: string,
  recordId: string,
  response: StoredResponse,
): Promise<void> {
  const enc = encryptField(
    JSON.stringify({ contentType: response.contentType, body: response.body }),
    ctx(principalId, recordId),
    keyring,
  );
  await db
    .update(idempotencyRecords)
    .set({ state: 'complete', statusCode: response.statusCode, responseEnc: enc.data, keyId: enc.keyId })
    .where(eq(idempotencyRecords.id, recordId));
}

/** Re-claim an in-progress record whose lease ran out (the condition keeps two takers from both winning). */
async function takeOverAbandoned(db: Database, recordId: string, now: Date): Promise<boolean> {
  const taken = await db
    .update(idempotencyRecords)
    .set({ createdAt: now })
    .where(
      and(
        eq(idempotencyRecords.id, recordId),
        eq(idempotencyRecords.state, 'in_progress'),
        lte(idempotencyRecords.createdAt, new Date(now.getTime() - IDEMPOTENCY_LEASE_MS)),
      ),
    )
    .returning({ id: idempotencyRecords.id });
  return taken.length > 0;
}

/**
 * A request that answered 503 with Retry-After (its database was unavailable) may have started work under the
 * record's id: the record is neither completed (a 503 is not an outcome to replay) nor deleted (a new record
 * would mean a new process id). It stays in progress with its lease ended, so the retry takes it over at once.
 */
export async function letGoIdempotencyKey(db: Database, recordId: string): Promise<void> {
  await db
    .update(idempotencyRecords)
    .set({ createdAt: new Date(0) })
    .where(and(eq(idempotencyRecords.id, recordId), eq(idempotencyRecords.state, 'in_progress')));
}

/** Forget a claim whose request failed with a 4xx: the client may fix the request and retry the same key. */
export async function releaseIdempotencyKey(db: Database, recordId: string): Promise<void> {
  await db.delete(idempotencyRecords).where(eq(idempotencyRecords.id, recordId));
}

/** The sweeper job (keys last 24 h): delete every record expired at `now`; returns how many went. */
export async function sweepExpiredIdempotencyKeys(db: Database, now: Date): Promise<number> {
  const gone = await db
    .delete(idempotencyRecords)
    .where(lte(idempotencyRecords.expiresAt, now))
    .returning({ id: idempotencyRecords.id });
  return gone.length;
}

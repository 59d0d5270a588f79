// Practice-scoped API keys: 32 random bytes, shown once, stored only as a SHA-256 hash (the key is
// high-entropy, so a fast hash is sufficient and lookups stay cheap), with a public prefix that identifies it.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { apiKeys } from '../../db/schema.js';
import { ApiKeyCache } from './key-cache.js';
import type { Principal, Role } from './principal.js';

const KEY_PATTERN = /^ptf_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

// The key caches of the apps serving each database handle, so a revocation made through the same handle (same
// process) drops the key from them at once; other processes rely on the cache's TTL (see key-cache.ts).
const cachesByDb = new WeakMap<Database, Set<ApiKeyCache>>();

/** A key cache for `db` that revokeApiKey(db, …) in this process invalidates. */
export function apiKeyCacheFor(db: Database, ttlMs: number): ApiKeyCache {
  const cache = new ApiKeyCache(ttlMs);
  let set = cachesByDb.get(db);
  if (!set) cachesByDb.set(db, (set = new Set()));
  set.add(cache);
  return cache;
}

/** Stops invalidating a closed app's cache. */
export function releaseApiKeyCache(db: Database, cache: ApiKeyCache): void {
  cachesByDb.get(db)?.delete(cache);
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface CreatedApiKey {
  id: string;
  prefix: string;
  /** The full key. Shown once; only its hash is stored. */
  key: string;
}

export async function createApiKey(
  db: Database,
  input: { practiceId: string; role: Role; label: string },
): Promise<CreatedApiKey> {
  const prefix = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  const id = randomUUID();
  await db.insert(apiKeys).values({
    id,
    practiceId: input.practiceId,
    prefix,
    hash: hashSecret(secret),
    role: input.role,
    label: input.label,
  });
  return { id, prefix, key: `ptf_${prefix}_${secret}` };
}

export async function revokeApiKey(db: Database, prefix: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.prefix, prefix), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  for (const cache of cachesByDb.get(db) ?? []) cache.forget(prefix);
  return rows.length > 0;
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('ptf_');
}

/**
 * The principal of a valid, unrevoked key; undefined otherwise (the caller answers 401 either way). With a
 * cache, the key's row is read from the database at most once per cache TTL; the secret is checked every time.
 */
export async function authenticateApiKey(
  db: Database,
  token: string,
  cache?: ApiKeyCache,
): Promise<Principal | undefined> {
  const m = KEY_PATTERN.exec(token);
  if (!m) return undefined;
  const [, prefix, secret] = m as unknown as [string, string, string];
  let row = cache?.get(prefix);
  if (!row) {
    const [found] = await db.select().from(apiKeys).where(eq(apiKeys.prefix, prefix)).limit(1);
    if (!found) return undefined;
    row = {
      hash: found.hash,
      role: found.role,
      practiceId: found.practiceId,
      revoked: found.revokedAt !== null,
    };
    cache?.set(prefix, row);
  }
  if (row.revoked) return undefined;
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(row.hash, 'hex');
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return undefined;
  return { id: `apikey:${prefix}`, type: 'api_key', role: row.role, practiceId: row.practiceId, amr: [] };
}

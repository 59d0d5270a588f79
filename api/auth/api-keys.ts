// Practice-scoped API keys (SEC-AUTH-4): 32 random bytes, shown once, stored only as a SHA-256 hash (the key is
// high-entropy, so a fast hash is sufficient and lookups stay cheap), with a public prefix that identifies it.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../db/connection.js';
import { apiKeys } from '../../db/schema.js';
import type { Principal, Role } from './principal.js';

const KEY_PATTERN = /^ptf_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

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
  return rows.length > 0;
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('ptf_');
}

/** The principal of a valid, unrevoked key; undefined otherwise (the caller answers 401 either way). */
export async function authenticateApiKey(db: Database, token: string): Promise<Principal | undefined> {
  const m = KEY_PATTERN.exec(token);
  if (!m) return undefined;
  const [, prefix, secret] = m as unknown as [string, string, string];
  const rows = await db.select().from(apiKeys).where(eq(apiKeys.prefix, prefix)).limit(1);
  const row = rows[0];
  if (!row || row.revokedAt) return undefined;
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(row.hash, 'hex');
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return undefined;
  return { id: `apikey:${prefix}`, type: 'api_key', role: row.role, practiceId: row.practiceId, amr: [] };
}

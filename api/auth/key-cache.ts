// A short-lived in-memory cache of API-key rows, so an authenticated request does not cost a database round
// trip every time. Revocation stays bounded (the deprovisioning rule allows ≤ 15 min; this is seconds):
//   - a key revoked through revokeApiKey() in this process is dropped from the cache at once;
//   - a key revoked elsewhere (the `ptflow apikey revoke` CLI, another API instance) stops working here once
//     its entry expires: at most `ttlMs` after the revocation commits (API_KEY_CACHE_TTL_MS in AuthDeps,
//     default DEFAULT_API_KEY_CACHE_TTL_MS; 0 turns the cache off).
// Only rows that exist are cached (an unknown prefix is looked up every time: a flood of random prefixes cannot
// grow the cache), the cache holds at most MAX_ENTRIES rows, and the secret is still compared, in constant time,
// against the stored hash on every request — the cache never holds or keys on the secret itself.
import { BoundedTtlMap } from '../bounded-ttl-map.js';
import type { Role } from './principal.js';

export const DEFAULT_API_KEY_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

export interface CachedKeyRow {
  hash: string;
  role: Role;
  practiceId: string;
  revoked: boolean;
}

export class ApiKeyCache {
  private readonly rows: BoundedTtlMap<CachedKeyRow>;

  constructor(
    readonly ttlMs: number,
    clock?: () => number,
  ) {
    this.rows = new BoundedTtlMap(ttlMs, MAX_ENTRIES, clock);
  }

  get(prefix: string): CachedKeyRow | undefined {
    return this.rows.get(prefix);
  }

  set(prefix: string, row: CachedKeyRow): void {
    if (this.ttlMs > 0) this.rows.set(prefix, row);
  }

  forget(prefix: string): void {
    this.rows.delete(prefix);
  }
}

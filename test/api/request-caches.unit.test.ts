// The two per-request caches of the API expire on their clock: an API key row (revocation elsewhere takes
// effect within the TTL) and a process's owner.
import { describe, expect, it } from 'vitest';
import { ApiKeyCache } from '../../api/auth/key-cache.js';
import { ProcessOwners } from '../../api/process-owners.js';

describe('ApiKeyCache', () => {
  const row = { hash: 'ab', role: 'front_desk' as const, practiceId: 'p', revoked: false };

  it('serves a row until its TTL lapses, then reads again', () => {
    let t = 0;
    const cache = new ApiKeyCache(10_000, () => t);
    cache.set('k', row);
    t = 9_999;
    expect(cache.get('k')).toEqual(row);
    t = 10_000;
    expect(cache.get('k')).toBeUndefined();
  });

  it('forgets a key on demand (revocation in this process) and caches nothing with TTL 0', () => {
    const cache = new ApiKeyCache(10_000, () => 0);
    cache.set('k', row);
    cache.forget('k');
    expect(cache.get('k')).toBeUndefined();
    const off = new ApiKeyCache(0, () => 0);
    off.set('k', row);
    expect(off.get('k')).toBeUndefined();
  });
});

describe('ProcessOwners', () => {
  it('remembers an owner for its TTL only', () => {
    let t = 0;
    const owners = new ProcessOwners(1_000, () => t);
    owners.remember('auth:x', 'practice-a');
    expect(owners.get('auth:x')).toBe('practice-a');
    expect(owners.get('auth:y')).toBeUndefined();
    t = 1_000;
    expect(owners.get('auth:x')).toBeUndefined();
  });
});

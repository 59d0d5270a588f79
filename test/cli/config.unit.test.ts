import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError, loadConfig } from '../../cli/config.js';

describe('loadConfig', () => {
  it('gives every variable a working default for `npm run dev`', () => {
    const c = loadConfig({ HOME: '/home/x' }, '/repo');
    expect(c).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      TEMPORAL_PORT: 7233,
      TEMPORAL_UI_PORT: 8233,
      PG_PORT: 5433,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'ptflow',
      PTFLOW_DEV_SEED: true,
      dataDir: '/repo/.data',
      temporalAddress: '127.0.0.1:7233',
    });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['TEMPORAL_PORT', '-1'],
    ['DATABASE_URL', 'mysql://x'],
    ['TEMPORAL_ADDRESS', 'no-port'],
    ['LOG_LEVEL', 'loud'],
    ['PTFLOW_DEV_SEED', 'maybe'],
    ['TEMPORAL_TASK_QUEUE', 'Has Spaces'],
    // The codec grants credentialed CORS to exactly this origin: a path or another scheme is a mistake.
    ['TEMPORAL_UI_ORIGIN', 'http://ui.example/workflows'],
    ['TEMPORAL_UI_ORIGIN', 'ftp://ui.example'],
  ])('rejects %s=%s with one line naming the variable and not echoing the value', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const line = formatConfigError(error as ConfigError);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(name);
    expect(line).not.toContain(value);
  });

  it('treats empty values as unset and honours overrides', () => {
    const c = loadConfig({
      PORT: '',
      TEMPORAL_ADDRESS: 'temporal:7233',
      DATABASE_URL: 'postgres://u:p@db/ptflow',
    });
    expect(c.PORT).toBe(3000);
    expect(c.temporalAddress).toBe('temporal:7233');
    expect(c.DATABASE_URL).toBe('postgres://u:p@db/ptflow');
  });

  it('derives the per-user cache from PTFLOW_CACHE_DIR, XDG_CACHE_HOME or HOME', () => {
    expect(loadConfig({ PTFLOW_CACHE_DIR: '/c' }).cacheDir).toBe('/c');
    expect(loadConfig({ XDG_CACHE_HOME: '/xdg' }).cacheDir).toBe('/xdg/ptflow');
  });
});

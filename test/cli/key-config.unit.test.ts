// Key variables at start-up: optional in development (a dev keyring is generated once into the data
// directory and reused), required and validated in production, one line naming the variable on error.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError, loadConfig } from '../../cli/config.js';
import { dataKeys, devKeyFile, payloadKeyring } from '../../cli/keyrings.js';

const key = () => randomBytes(32).toString('base64');
const fullKeys = () => ({
  PTFLOW_PAYLOAD_KEYS: `p1:${key()},p2:${key()}`,
  PTFLOW_ACTIVE_PAYLOAD_KEY_ID: 'p2',
  PTFLOW_DATA_KEYS: `d1:${key()}`,
  PTFLOW_ACTIVE_DATA_KEY_ID: 'd1',
  PTFLOW_BLIND_INDEX_KEY: key(),
});

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('key configuration', () => {
  it('accepts absent keys in development and test', () => {
    expect(() => loadConfig({})).not.toThrow();
    expect(() => loadConfig({ NODE_ENV: 'test' })).not.toThrow();
  });

  it.each([
    'PTFLOW_PAYLOAD_KEYS',
    'PTFLOW_ACTIVE_PAYLOAD_KEY_ID',
    'PTFLOW_DATA_KEYS',
    'PTFLOW_ACTIVE_DATA_KEY_ID',
    'PTFLOW_BLIND_INDEX_KEY',
  ])('in production a missing %s stops start-up with one line naming it', (missing) => {
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      PTFLOW_CURSOR_SECRET: key(),
      ...fullKeys(),
    };
    delete env[missing];
    const line = formatConfigError(configError(env));
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(missing);
  });

  it('rejects an invalid key in any environment without echoing it', () => {
    const bad = key().slice(0, 20);
    const err = configError({ ...fullKeys(), PTFLOW_DATA_KEYS: `d1:${bad}` });
    expect(err.variable).toBe('PTFLOW_DATA_KEYS');
    expect(formatConfigError(err)).not.toContain(bad);
    expect(configError({ ...fullKeys(), PTFLOW_ACTIVE_PAYLOAD_KEY_ID: 'nope' }).variable).toBe(
      'PTFLOW_ACTIVE_PAYLOAD_KEY_ID',
    );
    expect(configError({ ...fullKeys(), PTFLOW_BLIND_INDEX_KEY: 'short' }).variable).toBe(
      'PTFLOW_BLIND_INDEX_KEY',
    );
  });

  it('uses the configured rings when set', () => {
    const env = fullKeys();
    const c = loadConfig(env);
    expect(payloadKeyring(c).activeKeyId).toBe('p2');
    expect(payloadKeyring(c).keyIds).toEqual(['p1', 'p2']);
    expect(dataKeys(c).keyring.activeKeyId).toBe('d1');
    expect(dataKeys(c).blindIndexKey.toString('base64')).toBe(env.PTFLOW_BLIND_INDEX_KEY);
  });

  it('generates a development keyring once into <dataDir>/keys and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-keys-'));
    try {
      const c = loadConfig({ PTFLOW_DATA_DIR: dir });
      const first = payloadKeyring(c);
      const file = devKeyFile(c, 'payload');
      expect(file).toBe(path.join(dir, 'keys', 'payload-keys.json'));
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const again = payloadKeyring(loadConfig({ PTFLOW_DATA_DIR: dir }));
      expect(again.activeKey.equals(first.activeKey)).toBe(true);
      const data = dataKeys(c);
      expect(data.keyring.activeKey.equals(first.activeKey)).toBe(false);
      expect(dataKeys(c).blindIndexKey.equals(data.blindIndexKey)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

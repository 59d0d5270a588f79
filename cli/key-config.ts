// Start-up checks of the key variables. Present → must parse (in every environment); absent → allowed in
// development and test (ptflow then uses a generated development keyring in the data directory, see
// cli/keyrings.ts) and refused in production, where a missing key would mean plaintext PHI or unreadable data.
// Throws KeyringError naming one variable; loadConfig turns it into the one-line ConfigError.
import { parseBlindIndexKey } from '../db/crypto/blind-index.js';
import { KeyringError, parseKeyring, type KeyringVariables } from '../db/crypto/keyring.js';

export const PAYLOAD_KEY_VARIABLES = {
  keys: 'PTFLOW_PAYLOAD_KEYS',
  activeKeyId: 'PTFLOW_ACTIVE_PAYLOAD_KEY_ID',
} as const satisfies KeyringVariables;

export const DATA_KEY_VARIABLES = {
  keys: 'PTFLOW_DATA_KEYS',
  activeKeyId: 'PTFLOW_ACTIVE_DATA_KEY_ID',
} as const satisfies KeyringVariables;

export const BLIND_INDEX_KEY_VARIABLE = 'PTFLOW_BLIND_INDEX_KEY';

type KeyEnv = { NODE_ENV: string } & Partial<Record<string, unknown>>;

function checkRing(env: KeyEnv, vars: KeyringVariables, production: boolean): void {
  const keys = env[vars.keys];
  const active = env[vars.activeKeyId];
  if (typeof keys !== 'string' && typeof active !== 'string') {
    if (production) throw new KeyringError(vars.keys, 'is required in production');
    return;
  }
  if (typeof keys !== 'string')
    throw new KeyringError(vars.keys, `is required when ${vars.activeKeyId} is set`);
  if (typeof active !== 'string')
    throw new KeyringError(vars.activeKeyId, `is required when ${vars.keys} is set`);
  parseKeyring(keys, active, vars);
}

export function checkKeyConfig(env: KeyEnv): void {
  const production = env.NODE_ENV === 'production';
  checkRing(env, PAYLOAD_KEY_VARIABLES, production);
  checkRing(env, DATA_KEY_VARIABLES, production);
  const blind = env[BLIND_INDEX_KEY_VARIABLE];
  if (typeof blind === 'string') parseBlindIndexKey(blind, BLIND_INDEX_KEY_VARIABLE);
  else if (production) throw new KeyringError(BLIND_INDEX_KEY_VARIABLE, 'is required in production');
}

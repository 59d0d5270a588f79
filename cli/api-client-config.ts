// What the API client commands (`ptflow onboard|status|tasks|task|billing|practice|claim correct`) read from the
// environment: the API's URL and key, nothing else. Checked by hand rather than with the server's zod schema
// (cli/config.ts) so a client command starts without loading zod (issue 15: start-up is module loading).
import { ConfigError } from './config-error.js';

export interface ApiClientConfig {
  apiUrl: string;
  apiKey: string | undefined;
}

/** The default when PTFLOW_API_URL is unset: `ptflow dev`'s API. */
export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/**
 * Parse the API client variables only (a client does not need the server's database or keys). Empty values count
 * as unset; a bad one throws ConfigError naming it, never echoing it.
 */
export function loadApiClientConfig(env: NodeJS.ProcessEnv = process.env): ApiClientConfig {
  const url = env.PTFLOW_API_URL || undefined;
  const key = env.PTFLOW_API_KEY || undefined;
  if (url !== undefined) {
    if (!URL.canParse(url))
      throw new ConfigError('PTFLOW_API_URL', 'must be a URL such as http://127.0.0.1:3000');
    if (!/^https?:\/\//.test(url))
      throw new ConfigError('PTFLOW_API_URL', 'must be an http:// or https:// URL');
  }
  if (key !== undefined && !/^\S+$/.test(key)) {
    throw new ConfigError(
      'PTFLOW_API_KEY',
      'must be a single token (the key printed by ptflow apikey create)',
    );
  }
  return { apiUrl: (url ?? DEFAULT_API_URL).replace(/\/+$/, ''), apiKey: key };
}

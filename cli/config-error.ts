// The one error a wrong or missing environment variable raises, in its own module with no imports: the CLI's
// error handler and the API client commands use it without loading the configuration schema (zod, issue 15).

/** A bad or missing variable: its name and why, never its value. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

/** The one line printed when configuration is wrong. */
export function formatConfigError(err: ConfigError): string {
  return `ptflow: ${err.variable} ${err.reason} (see .env.example)`;
}

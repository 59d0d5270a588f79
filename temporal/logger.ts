// The Temporal runtime's logger (worker, workflow `log.*`, activity logs) forwarded to pino with the API's
// redaction, minus what redaction by path cannot catch: failure messages and stack traces, which can quote
// data. Failures are logged by class and type only (the full failure stays encrypted in the history); the class
// is logged as `class`, since `*.name` is a redacted path (patient names).
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import type { Logger as Pino } from 'pino';

const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Keys whose values are errors or failures in SDK log metadata. */
const FAILURE_KEYS = new Set(['error', 'err', 'failure', 'cause']);

function describeFailure(value: unknown): Record<string, unknown> {
  if (value && typeof value === 'object') {
    const v = value as { name?: unknown; type?: unknown; constructor?: { name?: string } };
    return {
      class: typeof v.name === 'string' ? v.name : (v.constructor?.name ?? 'Error'),
      ...(typeof v.type === 'string' ? { type: v.type } : {}),
    };
  }
  return { class: typeof value };
}

export function sanitizeMeta(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) out[k] = FAILURE_KEYS.has(k) ? describeFailure(v) : v;
  return out;
}

export class PinoTemporalLogger implements Logger {
  constructor(private readonly pino: Pino) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.pino[levels[level]](sanitizeMeta(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

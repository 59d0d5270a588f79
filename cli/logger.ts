// Process logger for the CLI, worker and dev orchestrator (same redaction rules and destination as the API).
import { pino } from 'pino';
import { loggerOptions } from '../api/logger.js';

export function createLogger(level: string, name: string) {
  const { stream, ...options } = loggerOptions(level);
  return stream ? pino({ ...options, name }, stream) : pino({ ...options, name });
}

// Process logger for the CLI, worker and dev orchestrator (same redaction rules as the API).
import { pino } from 'pino';
import { loggerOptions } from '../api/logger.js';

export function createLogger(level: string, name: string) {
  return pino({ ...loggerOptions(level), name });
}

import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PinoTemporalLogger } from '../../temporal/logger.js';

describe('Temporal runtime logs through pino', () => {
  it('keeps failure names and types but never their messages or stacks', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = new PinoTemporalLogger(pino({ level: 'trace' }, sink));
    logger.warn('Activity failed', {
      activityType: 'registerPatient',
      error: ApplicationFailure.nonRetryable('patient ZZCANARY-11 not found', 'EmrNotFound'),
    });
    logger.error('Workflow failed', {
      failure: new Error('ZZCANARY-12 in a stack'),
      workflowId: 'onboarding:x',
    });
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain('ZZCANARY');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      msg: 'Activity failed',
      activityType: 'registerPatient',
      error: { class: 'ApplicationFailure', type: 'EmrNotFound' },
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({
      level: 50,
      workflowId: 'onboarding:x',
      failure: { class: 'Error' },
    });
  });
});

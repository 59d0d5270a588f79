// `ptflow sandbox emr …` registers its commands and parses note interventions strictly.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  deliveryNote,
  parseIntervention,
  registerSandboxEmrCommands,
  parseGoal,
} from '../../../connectors/emr/sandbox/cli.js';

describe('sandbox EMR CLI', () => {
  it('registers book, check-in, sign-note, cancel and friends under `sandbox emr`', () => {
    const program = new Command('ptflow');
    const emr = registerSandboxEmrCommands(program.command('sandbox'), {
      openDatabase: async () => ({ url: 'postgres://unused', stop: async () => undefined }),
      env: {},
      out: () => undefined,
    });
    expect(emr.commands.map((c) => c.name())).toEqual([
      'seed',
      'slots',
      'book',
      'check-in',
      'no-show',
      'cancel',
      'sign-note',
      'sign-report',
      'deliver',
    ]);
  });

  it('parses a report goal TEXT:STATUS and rejects an unknown status', () => {
    expect(parseGoal('Sit 60 min: at work:progressing')).toEqual({
      text: 'Sit 60 min: at work',
      status: 'progressing',
    });
    for (const bad of ['no status', ':met', 'Walk:done', 'ZZCANARY-4']) {
      expect(() => parseGoal(bad)).toThrow(/^goal must look like TEXT:STATUS/);
    }
  });

  it('parses CPT:MINUTES:DISCIPLINE and rejects anything else', () => {
    expect(parseIntervention('97110:23:PTA')).toEqual({ code: '97110', minutes: 23, furnishedBy: 'PTA' });
    for (const bad of ['97110:23', '97110:x:PT', '97110:23:OT', 'ZZCANARY-4']) {
      expect(() => parseIntervention(bad)).toThrow(/^intervention must look like/);
    }
  });

  it('mentions the webhook variables only when they would help (not beside a running ptflow dev)', () => {
    const report = { delivered: 2, retrying: 0, failed: 0 };
    expect(deliveryNote({ url: undefined, devRunning: true, report })).toBe(
      'webhooks queued; the running `ptflow dev` delivers them to its API within a second',
    );
    expect(deliveryNote({ url: undefined, devRunning: true, report })).not.toContain('PTFLOW_SANDBOX_EMR');
    expect(deliveryNote({ url: undefined, devRunning: false, report })).toContain(
      'PTFLOW_SANDBOX_EMR_WEBHOOK_URL',
    );
    expect(
      deliveryNote({ url: 'http://127.0.0.1:3000/v1/webhooks/emr/sandbox', devRunning: true, report }),
    ).toBe('webhooks: 2 delivered, 0 to retry, 0 failed');
  });
});

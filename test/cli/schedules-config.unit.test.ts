// Configuration of the Temporal Schedules and the staff digest: defaults, and one clear line naming the
// variable for each kind of mistake (never the value: addresses are staff contact details).
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../cli/config.js';

const PRACTICE = '00000000-0000-4000-8000-000000000001';
const fails = (env: Record<string, string>) => {
  try {
    loadConfig(env, '/tmp');
  } catch (err) {
    if (err instanceof ConfigError) return { variable: err.variable, message: err.message };
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('schedule configuration', () => {
  it('defaults: schedules on, America/Chicago, no digest recipients', () => {
    const c = loadConfig({}, '/tmp');
    expect(c.PTFLOW_SCHEDULES).toBe('on');
    expect(c.PTFLOW_SCHEDULE_TIMEZONE).toBe('America/Chicago');
    expect(c.PTFLOW_STAFF_DIGEST_RECIPIENTS).toBeUndefined();
  });

  it('parses the recipients JSON per practice', () => {
    const c = loadConfig(
      {
        PTFLOW_SCHEDULES: 'paused',
        PTFLOW_SCHEDULE_TIMEZONE: 'Europe/Madrid',
        PTFLOW_STAFF_DIGEST_RECIPIENTS: JSON.stringify({ [PRACTICE]: ['ops@clinic.example'] }),
      },
      '/tmp',
    );
    expect(c.PTFLOW_SCHEDULES).toBe('paused');
    expect(c.PTFLOW_SCHEDULE_TIMEZONE).toBe('Europe/Madrid');
    expect(c.PTFLOW_STAFF_DIGEST_RECIPIENTS).toEqual({ [PRACTICE]: ['ops@clinic.example'] });
  });

  it('names the variable for a wrong mode, zone, JSON, practice key or address, without echoing values', () => {
    expect(fails({ PTFLOW_SCHEDULES: 'sometimes' }).variable).toBe('PTFLOW_SCHEDULES');
    expect(fails({ PTFLOW_SCHEDULE_TIMEZONE: 'Central Time' }).variable).toBe('PTFLOW_SCHEDULE_TIMEZONE');
    expect(fails({ PTFLOW_STAFF_DIGEST_RECIPIENTS: '{not json' }).variable).toBe(
      'PTFLOW_STAFF_DIGEST_RECIPIENTS',
    );
    expect(
      fails({ PTFLOW_STAFF_DIGEST_RECIPIENTS: JSON.stringify({ 'clinic-1': ['ops@clinic.example'] }) })
        .variable,
    ).toBe('PTFLOW_STAFF_DIGEST_RECIPIENTS');
    const bad = fails({
      PTFLOW_STAFF_DIGEST_RECIPIENTS: JSON.stringify({ [PRACTICE]: ['ZZCANARY-not-an-address'] }),
    });
    expect(bad.variable).toBe('PTFLOW_STAFF_DIGEST_RECIPIENTS');
    expect(bad.message).not.toContain('ZZCANARY');
  });
});

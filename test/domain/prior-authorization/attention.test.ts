// The table behind issue #5: every typed authorization failure maps to one action, and only "no authorization
// required" ends the process by itself; everything else is a staff task with a role, a due time and a
// PHI-free title.
import { describe, expect, it } from 'vitest';
import {
  AUTH_ATTENTION_ROUTES,
  AUTH_ATTENTION_TYPES,
  attentionFor,
  isAuthAttentionType,
} from '../../../domain/prior-authorization/attention.js';
import { staffRoles } from '../../../domain/tasks.js';

describe('authorization attention routes', () => {
  it('has one action for every failure type; only NotRequired completes without a task', () => {
    expect(Object.keys(AUTH_ATTENTION_ROUTES).sort()).toEqual([...AUTH_ATTENTION_TYPES].sort());
    const completing = AUTH_ATTENTION_TYPES.filter(
      (t) => AUTH_ATTENTION_ROUTES[t].kind === 'complete_not_required',
    );
    expect(completing).toEqual(['AuthorizationNotRequired']);
    for (const t of AUTH_ATTENTION_TYPES) {
      const a = AUTH_ATTENTION_ROUTES[t];
      if (a.kind !== 'task') continue;
      expect(staffRoles).toContain(a.role);
      expect(a.dueInHours).toBeGreaterThan(0);
      expect(a.taskKind).toMatch(/^auth_[a-z_]+$/);
    }
  });

  it('a missing diagnosis is the front desk’s to correct', () => {
    expect(attentionFor({ type: 'AuthorizationDataMissing', reasonCode: 'no_diagnosis' })).toMatchObject({
      kind: 'task',
      taskKind: 'auth_data_missing',
      role: 'front_desk',
    });
  });

  it('an AAA at the subscriber level goes to the front desk, at the provider or payer level to billing', () => {
    const rejected = (level: 'payer' | 'provider' | 'subscriber' | 'dependent') =>
      attentionFor({ type: 'AuthorizationRequestRejected', reasonCode: 'aaa_75', level });
    expect(rejected('subscriber')).toMatchObject({ taskKind: 'auth_request_rejected', role: 'front_desk' });
    expect(rejected('dependent')).toMatchObject({ role: 'front_desk' });
    expect(rejected('provider')).toMatchObject({ taskKind: 'auth_request_rejected', role: 'biller' });
    expect(rejected('payer')).toMatchObject({ role: 'biller' });
  });

  it('recognises only the typed authorization failures', () => {
    expect(isAuthAttentionType('AuthorizationNotRequired')).toBe(true);
    expect(isAuthAttentionType('PayerTransportError')).toBe(false);
    expect(isAuthAttentionType(undefined)).toBe(false);
  });
});

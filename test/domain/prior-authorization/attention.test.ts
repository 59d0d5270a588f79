// The table behind issue #5: every typed authorization failure maps to one action, and only "no authorization
// required" ends the process by itself; everything else is a staff task with a role, a due time and a
// PHI-free title.
import { describe, expect, it } from 'vitest';
import {
  AUTHORIZATION_ATTENTION_ROUTES,
  AUTHORIZATION_ATTENTION_TYPES,
  attentionFor,
  isAuthorizationAttentionType,
} from '../../../domain/prior-authorization/attention.js';
import { staffRoles } from '../../../domain/tasks.js';

describe('authorization attention routes', () => {
  it('has one action for every failure type; only NotRequired completes without a task', () => {
    expect(Object.keys(AUTHORIZATION_ATTENTION_ROUTES).sort()).toEqual(
      [...AUTHORIZATION_ATTENTION_TYPES].sort(),
    );
    const completing = AUTHORIZATION_ATTENTION_TYPES.filter(
      (t) => AUTHORIZATION_ATTENTION_ROUTES[t].kind === 'complete_not_required',
    );
    expect(completing).toEqual(['AuthorizationNotRequired']);
    for (const t of AUTHORIZATION_ATTENTION_TYPES) {
      const a = AUTHORIZATION_ATTENTION_ROUTES[t];
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
    expect(isAuthorizationAttentionType('AuthorizationNotRequired')).toBe(true);
    expect(isAuthorizationAttentionType('PayerTransportError')).toBe(false);
    expect(isAuthorizationAttentionType(undefined)).toBe(false);
  });
});

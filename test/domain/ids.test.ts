import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWorkflowId, processKinds, workflowId } from '../../domain/ids.js';

describe('workflowId', () => {
  it('builds `<kind>:<uuid>` ids only, and parses them back', () => {
    fc.assert(
      fc.property(fc.constantFrom(...processKinds), fc.uuid({ version: 4 }), (kind, id) => {
        const wf = workflowId(kind, id);
        expect(wf).toMatch(/^[a-z-]+:[0-9a-f-]{36}$/);
        expect(parseWorkflowId(wf)).toEqual({ kind, id });
      }),
    );
  });

  it('refuses anything that is not a UUID, so no name or member id can end up in an id', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!/^[0-9a-f-]{36}$/.test(s));
        expect(() => workflowId('onboarding', s)).toThrow();
      }),
    );
    expect(() => workflowId('onboarding', 'ZZCANARY-1 Smith')).toThrow();
    expect(parseWorkflowId('onboarding:ZZCANARY-1')).toBeUndefined();
  });
});

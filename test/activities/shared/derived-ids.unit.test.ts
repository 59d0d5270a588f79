// Ids derived from business keys for event-started processes: deterministic (a redelivery names the same
// process), accepted by the one workflow-id builder, and different for different keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUuid, workflowId } from '../../../domain/ids.js';
import { claimIdFor, uuidFromKey } from '../../../activities/shared/derived-ids.js';

describe('uuidFromKey', () => {
  it('is a version-8 UUID the workflow-id builder accepts, the same for the same key', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), (parts) => {
        const id = uuidFromKey(...parts);
        expect(isUuid(id)).toBe(true);
        expect(id[14]).toBe('8');
        expect(uuidFromKey(...parts)).toBe(id);
        expect(workflowId('onboarding', id)).toBe(`onboarding:${id}`);
      }),
    );
  });

  it('separates the parts: ("ab", "c") and ("a", "bc") are different keys', () => {
    expect(uuidFromKey('ab', 'c')).not.toBe(uuidFromKey('a', 'bc'));
    expect(uuidFromKey('patient', 'p1', 'e1')).not.toBe(uuidFromKey('onboarding', 'p1', 'e1'));
  });
});

describe('claimIdFor (issue #20: claim ids scoped by practice)', () => {
  it('is one id per practice and visit: deterministic, a valid claim workflow id, never the bare visit id', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.string({ minLength: 1, maxLength: 64 }), (a, b, visitId) => {
        const id = claimIdFor(a, visitId);
        expect(claimIdFor(a, visitId)).toBe(id);
        expect(workflowId('claim', id)).toBe(`claim:${id}`);
        expect(id).not.toBe(visitId);
        if (a !== b) expect(claimIdFor(b, visitId)).not.toBe(id);
      }),
    );
  });
});

// The readable summaries and current details staff see in the Temporal UI (domain/process-summaries.ts).
import { describe, expect, it } from 'vitest';
import {
  claimCurrentDetails,
  continuedRunDetails,
  describePlanOfCare,
  describeClaim,
  describeOnboarding,
  describeProcessStart,
  describeTask,
  SUMMARY_MAX_CHARS,
  taskCurrentDetails,
  wallClock,
} from '../../domain/process-summaries.js';

const claimInput = {
  case: {
    claimId: 'c-1',
    visit: { id: 'v-1', dos: '2026-03-10', payerId: 'medicare-part-b', interventions: [{ code: '97110' }] },
    parties: { subscriber: { firstName: 'Ana', lastName: 'Moreno' } },
  },
};

describe('process summaries', () => {
  it('says what a claim is about, as the issue example reads', () => {
    const d = describeClaim(claimInput, 'Medicare Part B');
    expect(d.summary).toBe('Claim · DOS 2026-03-10 · Medicare Part B · Ana Moreno');
    expect(d.details).toContain('**Payer:** Medicare Part B (medicare-part-b)');
    expect(
      claimCurrentDetails({ state: 'needs_correction', blockingFindings: ['REFERRING_PROVIDER_MISSING'] }),
    ).toBe('held: referring provider missing');
    expect(claimCurrentDetails({ state: 'resubmitting', attempt: 2 })).toBe('resubmitting (attempt 2)');
  });

  it('says what a task asks, for whom, by when in the practice zone and who does it', () => {
    const d = describeTask(
      {
        taskId: 't-1',
        title: 'Verify coverage by phone',
        assigneeRole: 'front_desk',
        dueAt: '2026-03-11T19:00:00Z',
      },
      { patientName: 'Ana Moreno', timeZone: 'America/Chicago' },
    );
    expect(d.summary).toBe(
      'Task · Verify coverage by phone · Ana Moreno · due 2026-03-11 14:00 · front desk',
    );
    expect(d.details).toContain('**By:** 2026-03-11 14:00 (America/Chicago)');
    expect(taskCurrentDetails('completed', 'user:7')).toBe('completed by user:7');
    expect(taskCurrentDetails('escalated')).toMatch(/^overdue/);
  });

  it('keeps due date and role when the title is long, and never exceeds the summary limit', () => {
    const d = describeTask({
      taskId: 't',
      title: 'x'.repeat(300),
      assigneeRole: 'biller',
      dueAt: '2026-03-11T00:00:00Z',
    });
    expect([...d.summary].length).toBe(SUMMARY_MAX_CHARS);
    expect(d.summary).toMatch(/… · due 2026-03-11 00:00 · biller$/);
    const named = describeTask(
      {
        taskId: 't',
        title: 'Coverage inactive: call the patient',
        assigneeRole: 'front_desk',
        dueAt: '2026-03-11T00:00:00Z',
      },
      { patientName: `Ana ${'Z'.repeat(40)} Moreno` },
    );
    expect([...named.summary].length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
    expect(named.summary).toMatch(/^Task · Coverage .+ · Ana Z+… · due 2026-03-11 00:00 · front desk$/);
    const long = describeOnboarding({
      onboardingId: 'o',
      demographics: { given: ['Ñ'.repeat(200)], family: 'é' },
    });
    expect([...long.summary].length).toBe(SUMMARY_MAX_CHARS);
  });

  it('describes a start by its process kind, and nothing for a kind or input it does not know', () => {
    expect(describeProcessStart('claimSubmission', claimInput)?.summary).toBe(
      'Claim · DOS 2026-03-10 · medicare-part-b · Ana Moreno',
    );
    expect(describeProcessStart('humanTask', claimInput)).toBeUndefined();
    expect(describeProcessStart('claimSubmission', { nothing: true })).toBeUndefined();
    expect(describeProcessStart('onboarding', null)).toBeUndefined();
  });

  it('a continued run says what it is about before where it stands (no static summary survives continue-as-new)', () => {
    const d = describePlanOfCare({ episodeId: 'e-1', firstTreatmentDate: '2026-03-02' });
    expect(continuedRunDetails('certified · 12 treatment days', d)).toBe(
      `Plan of care · from 2026-03-02 — certified · 12 treatment days\n\n${d.details}`,
    );
    expect(continuedRunDetails('certified')).toBe('certified');
  });

  it('falls back to UTC for a zone Intl does not know', () => {
    expect(wallClock('2026-03-11T19:00:00Z', 'Nowhere/Else')).toBe('2026-03-11 19:00 (UTC)');
    expect(wallClock('not a date')).toBe('not a date');
  });
});

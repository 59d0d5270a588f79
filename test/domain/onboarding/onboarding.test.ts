// Onboarding domain: intake validation and normalization, what a 271 means, reminder offsets, step keys.
import { describe, expect, it } from 'vitest';
import {
  classifyEligibility,
  DEFAULT_FORM_REMINDER_OFFSETS_HOURS,
  eligibilityTraceNumber,
  hoursBefore,
  evaluationWindow,
  onboardingMessageId,
  parseIntake,
  reminderTimes,
  type OnboardingInput,
} from '../../../domain/onboarding/index.js';

const CANARY = 'ZZCANARY-10';
const base: OnboardingInput = {
  onboardingId: '6f1c1b1e-8a7e-4c39-9f57-3d1f1f7c2a10',
  practiceId: '00000000-0000-4000-8000-000000000001',
  patientId: '0b7d3a4e-1f2c-4d5e-8a9b-0c1d2e3f4a5b',
  clinicTimeZone: 'America/Chicago',
  patientTimeZone: 'America/Chicago',
  demographics: {
    given: ['  Ana  '],
    family: `${CANARY} Rivera`,
    birthDate: '1961-02-03',
    sex: 'female',
    phone: '(312) 555-0177',
  },
  preferredChannel: 'sms',
  messagingConsent: true,
  coverages: [
    {
      coverageId: '9e3c0f7a-2b1d-4c5e-9f8a-7b6c5d4e3f2a',
      payerId: 'commercial-ama',
      memberId: ' abc123 ',
      priority: 1,
    },
  ],
  evaluation: { acuity: 'acute', bodyRegion: 'knee' },
  intakeFormLink: 'https://forms.example/i/1',
  insuranceUpdateLink: 'https://forms.example/ins/1',
};

describe('intake', () => {
  it('normalizes phone, names and member ids and fills the defaults', () => {
    const r = parseIntake(base);
    if (!r.ok) throw new Error(r.issues.join());
    expect(r.intake.demographics.phone).toBe('+13125550177');
    expect(r.intake.demographics.given).toEqual(['Ana']);
    expect(r.intake.coverages[0]!.memberId).toBe('ABC123');
    expect(r.intake.formReminderOffsetsHours).toEqual([...DEFAULT_FORM_REMINDER_OFFSETS_HOURS]);
    expect(r.intake.evaluation).toMatchObject({
      leadDays: 1,
      searchDays: 14,
      otherLocationsAcceptable: true,
    });
  });

  it('rejects an sms preference without a phone, and the issues carry paths, never values', () => {
    const r = parseIntake({
      ...base,
      demographics: { ...base.demographics, phone: undefined },
      coverages: [{ ...base.coverages![0]!, memberId: `${CANARY}-${'X'.repeat(60)}` }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.join('\n')).toMatch(/demographics\.phone/);
    expect(r.issues.join('\n')).toMatch(/coverages\.0\.memberId/);
    expect(r.issues.join('\n')).not.toContain(CANARY);
  });

  it("takes the patient's home address (the claims' 2010BA) and names a bad one's field without its value", () => {
    const address = { line1: '12 Elm St', city: 'Springfield', state: 'IL', postalCode: '62704' };
    const ok = parseIntake({ ...base, demographics: { ...base.demographics, address } });
    if (!ok.ok) throw new Error(ok.issues.join());
    expect(ok.intake.demographics.address).toEqual(address);
    const bad = parseIntake({
      ...base,
      demographics: { ...base.demographics, address: { ...address, state: `${CANARY}` } },
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.join('\n')).toMatch(/demographics\.address\.state/);
    expect(bad.issues.join('\n')).not.toContain(CANARY);
  });

  it('refuses non-https links and duplicate coverage priorities', () => {
    expect(parseIntake({ ...base, intakeFormLink: 'http://forms.example/i/1' }).ok).toBe(false);
    const c = base.coverages![0]!;
    expect(parseIntake({ ...base, coverages: [c, { ...c, coverageId: base.patientId }] }).ok).toBe(false);
  });
});

describe('eligibility outcome', () => {
  it('maps the 271 to the path the workflow takes', () => {
    expect(classifyEligibility({ coverage: 'active', rejectionReasons: [] })).toBe('active');
    expect(classifyEligibility({ coverage: 'inactive', rejectionReasons: [] })).toBe('inactive');
    expect(classifyEligibility({ coverage: 'unknown', rejectionReasons: ['75'] })).toBe('not_found');
    expect(classifyEligibility({ coverage: 'unknown', rejectionReasons: ['42'] })).toBe('unreachable');
    expect(classifyEligibility({ coverage: 'unknown', rejectionReasons: [] })).toBe('unreachable');
  });

  it('derives an opaque trace number per coverage and round, within TRN02 length', () => {
    const a = eligibilityTraceNumber(base.onboardingId as string, 0, 1);
    expect(a).toBe(eligibilityTraceNumber(base.onboardingId as string, 0, 1));
    expect(a).not.toBe(eligibilityTraceNumber(base.onboardingId as string, 0, 2));
    expect(a.length).toBeLessThanOrEqual(50);
    expect(a).toMatch(/^[0-9A-Z]+$/);
  });
});

describe('reminders and step keys', () => {
  it('reminds at the offsets from the first message, ascending, once per offset', () => {
    expect(reminderTimes(1_000, [48, 24, 24])).toEqual([1_000 + 24 * 3_600_000, 1_000 + 48 * 3_600_000]);
  });

  it('places pre-visit steps before the appointment start', () => {
    expect(hoursBefore('2026-03-12T15:00:00Z', 24)).toBe(Date.parse('2026-03-11T15:00:00Z'));
  });

  it('gives each message step its own stable id', () => {
    const id = base.onboardingId as string;
    const ids = [
      onboardingMessageId(id, { kind: 'intake_link' }),
      onboardingMessageId(id, { kind: 'form_reminder', n: 1 }),
      onboardingMessageId(id, { kind: 'form_reminder', n: 2 }),
      onboardingMessageId(id, { kind: 'insurance_update_request', coverageIndex: 0, round: 1 }),
      onboardingMessageId(id, { kind: 'appointment_reminder' }),
    ];
    expect(new Set(ids).size).toBe(5);
    expect(onboardingMessageId(id, { kind: 'intake_link' })).toBe(ids[0]);
  });

  it('searches evaluation slots from tomorrow in the clinic zone', () => {
    // 03:00 UTC on the 10th is still the 9th in Chicago.
    expect(evaluationWindow(new Date('2026-03-10T03:00:00Z'), 'America/Chicago', 1, 14)).toEqual({
      earliestDate: '2026-03-10',
      latestDate: '2026-03-23',
    });
  });
});

// The pure parts of the console's "Book the series" page (api/console/series-page.ts) and its links: the form's
// availability rows become the REST body's array and an error of the k-th window lands beside the row it came
// from (an empty row before it skipped); what the front desk can change follows the explanation's reasons; the
// fingerprint changes with any visit's time, therapist, location or device; the link shows on a plan of care's
// page and on an onboarding handed over to one, for the booking roles only.
import { describe, expect, it } from 'vitest';
import {
  allSeriesFields,
  seriesFromForm,
  visitsNotAsPlanned,
  whatToChange,
} from '../../api/console/series-page.js';
import { seriesAction } from '../../api/routes/console-processes.js';
import { planFingerprint } from '../../api/series-fingerprint.js';
import type { ConsoleContext } from '../../api/console/layout.js';
import type { BookCareSeriesResult } from '../../workflows/series/messages.js';

const choices = { therapists: [], locations: [], equipment: [] };
const fields = allSeriesFields(choices);
const POC = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
const base = { acuity: 'acute', visitsPerWeek: '2', weeks: '6', startDate: '2031-01-06' };

const result = (over: Partial<BookCareSeriesResult> = {}): BookCareSeriesResult => ({
  seriesId: 's',
  outcome: 'preview',
  requested: 4,
  visitMinutes: 45,
  visits: [
    {
      slotId: 'a',
      therapistId: 't1',
      locationId: 'l1',
      start: '2031-01-07T18:00:00.000Z',
      date: '2031-01-07',
    },
    {
      slotId: 'b',
      therapistId: 't1',
      locationId: 'l1',
      start: '2031-01-09T18:00:00.000Z',
      date: '2031-01-09',
    },
  ],
  taken: 0,
  explanation: [],
  ...over,
});

describe('series form', () => {
  it('turns the filled rows into the availability array and numbers into numbers', () => {
    const r = seriesFromForm(
      {
        ...base,
        'availability.1.weekday': '2',
        'availability.1.start': '12:00',
        'availability.1.end': '18:00',
      },
      fields,
    );
    expect(r.errors).toEqual({});
    expect(r.data).toMatchObject({
      visitsPerWeek: 2,
      weeks: 6,
      availability: [{ weekday: 2, start: '12:00', end: '18:00' }],
      preview: false,
    });
  });

  it("puts a window's error beside the row it came from, and a missing weekday as 'enter a value'", () => {
    const r = seriesFromForm(
      {
        ...base,
        'availability.2.weekday': '3',
        'availability.2.start': '18:00',
        'availability.2.end': '09:00',
        'availability.3.start': '08:00',
        'availability.3.end': '09:00',
      },
      fields,
    );
    expect(r.data).toBeUndefined();
    expect(r.errors).toEqual({
      'availability.2.end': 'Window 3: until: window start must be before its end.',
      'availability.3.weekday': 'Window 4: weekday: enter a value.',
    });
  });
});

describe('what the front desk can change', () => {
  it('follows the reasons in the explanation', () => {
    const short = result({
      explanation: [
        'Week 2 (2031-01-13 to 2031-01-19): 2 visits not booked — no time when the therapist and the equipment are free within the patient’s availability.',
        'The authorization allows 2 more visits: the rest of the plan needs an extension before it can be booked.',
      ],
    });
    const advice = whatToChange(short, 'anti-gravity-treadmill');
    expect(advice).toHaveLength(3);
    expect(advice[0]).toMatch(/^Ask the patient for more times they can come/);
    expect(advice[1]).toMatch(/^The anti gravity treadmill is booked or in maintenance/);
    expect(advice[2]).toMatch(/^The authorization does not cover the whole series/);
    expect(whatToChange(result({ requested: 2 }))).toEqual([]);
  });
});

describe('plan fingerprint', () => {
  it('changes with any visit detail, not with the slot id', () => {
    const a = result();
    expect(planFingerprint(a)).toBe(
      planFingerprint(result({ visits: a.visits.map((v) => ({ ...v, slotId: 'other' })) })),
    );
    for (const change of [
      { start: '2031-01-07T18:15:00.000Z' },
      { therapistId: 't2' },
      { locationId: 'l2' },
      { equipmentId: 'e1' },
    ])
      expect(planFingerprint(result({ visits: [{ ...a.visits[0]!, ...change }, a.visits[1]!] }))).not.toBe(
        planFingerprint(a),
      );
    expect(planFingerprint(result({ visitMinutes: 60 }))).not.toBe(planFingerprint(a));
  });

  it('lists the previewed visits a booking did not book as planned', () => {
    const preview = result();
    const booked = result({ outcome: 'partially_booked', visits: [preview.visits[1]!] });
    expect(visitsNotAsPlanned(preview, booked)).toEqual(['2031-01-07T18:00:00.000Z']);
  });
});

describe('Book the series link', () => {
  const ctx = (role: string) => ({ principal: { role } }) as unknown as ConsoleContext;
  it('on a plan of care and on an onboarding handed over to one, for admin and front desk only', () => {
    const link = `<a href="/console/processes/plan-of-care/${POC}/series">Book the series</a>`;
    expect(seriesAction('plan-of-care', POC, {}, ctx('admin'))).toContain(link);
    expect(
      seriesAction('onboarding', 'x', { planOfCareWorkflowId: `poc:${POC}` }, ctx('front_desk')),
    ).toContain(link);
    expect(seriesAction('onboarding', 'x', {}, ctx('front_desk'))).toBe('');
    expect(seriesAction('plan-of-care', POC, {}, ctx('therapist'))).toBe('');
    expect(seriesAction('claim', POC, {}, ctx('admin'))).toBe('');
  });
});

// The practice's numbers (issue 18 point 4) on a seeded dataset in real PostgreSQL: one test per metric, each
// against figures computed by hand (test/fixtures/practice-metrics-dataset.ts shows the arithmetic), read by
// db/repositories/practice-metrics.ts and computed by domain/practice-metrics. A second practice's rows in the
// same tables never count; a location narrows what carries one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPracticeMetricFacts } from '../../db/repositories/practice-metrics.js';
import {
  buildPracticeNumbers,
  figureRows,
  practiceNumbersCsv,
  type PracticeNumbers,
} from '../../domain/practice-metrics/report.js';
import {
  EXPECTED,
  EXPECTED_DOWNTOWN,
  PERIOD,
  seedMetricsDataset,
  TZ,
  type MetricsDataset,
} from '../fixtures/practice-metrics-dataset.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let ds: MetricsDataset;
let march: PracticeNumbers;
let downtown: PracticeNumbers;
const fillsAsked: unknown[] = [];

const now = new Date('2026-04-15T12:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await seedMetricsDataset(db.sql);
  const read = (locationId?: string) =>
    readPracticeMetricFacts(
      db.db,
      { practiceId: ds.practiceId, ...PERIOD, timeZone: TZ, now, ...(locationId ? { locationId } : {}) },
      async (q) => {
        fillsAsked.push(q);
        return 7;
      },
    );
  march = buildPracticeNumbers(await read());
  downtown = buildPracticeNumbers(await read(ds.l1));
});
afterAll(async () => {
  await db?.drop();
});

describe('the practice numbers of March 2026 (hand-computed)', () => {
  it('first-pass claim acceptance', () => {
    expect(march.firstPassAcceptance).toEqual(EXPECTED.firstPassAcceptance);
  });

  it('denial rate overall, by payer, by CAS group and by group-CARC (contractual CO-45 and PR are not denials)', () => {
    expect(march.denials).toEqual(EXPECTED.denials);
  });

  it('days in A/R and aging buckets (remittances after the period end do not count)', () => {
    expect(march.accountsReceivable).toEqual(EXPECTED.accountsReceivable);
  });

  it('net and gross collection rate', () => {
    expect(march.collection).toEqual(EXPECTED.collection);
  });

  it('authorizations expired unused and overran', () => {
    expect(march.authorizations).toEqual(EXPECTED.authorizations);
  });

  it('progress reports late', () => {
    expect(march.progressReportsLate).toEqual(EXPECTED.progressReportsLate);
  });

  it('no-show, late-cancel and cancel rate (late by the missed-visit rule: a plain cancellation is not late)', () => {
    expect(march.attendance).toEqual(EXPECTED.attendance);
  });

  it('slot utilization against the active therapists’ weekly availability', () => {
    expect(march.slotUtilization).toEqual(EXPECTED.slotUtilization);
  });

  it('intake completion before the first visit', () => {
    expect(march.intakeBeforeFirstVisit).toEqual(EXPECTED.intakeBeforeFirstVisit);
  });

  it('estimated staff time saved, with the practice’s baseline in force on the period’s last day', () => {
    const t = march.staffTimeSaved;
    expect(Object.fromEntries(t.rows.map((r) => [r.step, r.count]))).toEqual(EXPECTED.staffTimeSaved.counts);
    expect(Object.fromEntries(t.rows.map((r) => [r.step, r.minutes]))).toEqual(
      EXPECTED.staffTimeSaved.minutes,
    );
    expect(t.rows.find((r) => r.step === 'claim_submission')).toMatchObject({
      minutesEach: 10,
      origin: 'practice',
      effectiveFrom: '2026-01-01',
      source: 'Time study, January 2026',
    });
    expect(t.rows.find((r) => r.step === 'eligibility_check')).toMatchObject({
      minutesEach: 12,
      origin: 'default',
    });
    expect(t.totalMinutes).toBe(EXPECTED.staffTimeSaved.totalMinutes);
    expect(t.totalHours).toBe(EXPECTED.staffTimeSaved.totalHours);
  });

  it('waitlist fills come from the pluggable source, asked with the period and location', () => {
    expect(march.waitlistFills).toEqual({ value: 7, wired: true });
    // March 2026 in Chicago as instants: CST at its first midnight, CDT (from March 8) after its last day.
    const instants = { from: new Date('2026-03-01T06:00:00Z'), to: new Date('2026-04-01T05:00:00Z') };
    expect(fillsAsked).toContainEqual({ practiceId: ds.practiceId, ...instants });
    expect(fillsAsked).toContainEqual({ practiceId: ds.practiceId, locationId: ds.l1, ...instants });
  });

  it('without a waitlist source the figure is "not available", not 0', async () => {
    const facts = await readPracticeMetricFacts(db.db, {
      practiceId: ds.practiceId,
      ...PERIOD,
      timeZone: TZ,
      now,
    });
    expect(buildPracticeNumbers(facts).waitlistFills).toEqual({ value: null, wired: false });
  });

  it('one location: appointments, utilization, intake and claims seen there', () => {
    expect(downtown.firstPassAcceptance).toEqual(EXPECTED_DOWNTOWN.firstPassAcceptance);
    expect(downtown.attendance.noShow).toEqual(EXPECTED_DOWNTOWN.noShow);
    expect(downtown.slotUtilization.attended).toEqual(EXPECTED_DOWNTOWN.attended);
    expect(downtown.slotUtilization.booked).toEqual(EXPECTED_DOWNTOWN.booked);
    expect(downtown.intakeBeforeFirstVisit).toEqual(EXPECTED_DOWNTOWN.intakeBeforeFirstVisit);
    expect(downtown.practiceWideWhenFiltered).toEqual([
      'authorizations',
      'progressReports',
      'staffTimeSaved',
    ]);
    // Practice-wide figures stay as they are.
    expect(downtown.authorizations).toEqual(EXPECTED.authorizations);
  });

  it('an open period judges open items now: a progress report due later is not late yet', async () => {
    const early = new Date('2026-03-15T12:00:00Z');
    const facts = await readPracticeMetricFacts(db.db, {
      practiceId: ds.practiceId,
      ...PERIOD,
      timeZone: TZ,
      now: early,
    });
    expect(facts.asOf).toBe(early.toISOString());
    // Due Mar 5 (on time), Mar 10 (done Mar 12: late); Mar 20 and Mar 28 are not due yet at Mar 15.
    expect(facts.progressReports).toEqual({ due: 4, late: 1 });
  });

  it('the CSV has one row per figure with the period on every row', () => {
    const csv = practiceNumbersCsv(march);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('metric,dimension,value,numerator,denominator,unit,from,to,location_id');
    expect(lines).toContain('first_pass_acceptance,,0.6,3,5,ratio,2026-03-01,2026-03-31,');
    expect(lines).toContain('denial_rate_by_carc,CO-50,0.25,1,4,ratio,2026-03-01,2026-03-31,');
    expect(lines).toContain('days_in_ar,,16,,,days,2026-03-01,2026-03-31,');
    expect(lines).toContain('ar_aging_balance,31-60,100,,,USD,2026-03-01,2026-03-31,');
    expect(lines).toContain('waitlist_fills,,7,,,slots,2026-03-01,2026-03-31,');
    expect(lines).toHaveLength(figureRows(march).length + 1);
  });
});

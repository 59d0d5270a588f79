import { describe, it, expect } from 'vitest';
import {
  certificationIntervalEnd,
  initialCertificationDueBy,
  pocCertificationState,
} from '../../../domain/care/poc.js';
import { progressReportState } from '../../../domain/care/progress.js';
import { addDays } from '../../../domain/core/dates.js';

describe('worked example 4: POC certification (day 0 = first treatment day)', () => {
  const first = '2025-03-03';
  it('initial certification due by 2025-04-02; interval ends at the latest 2025-06-01', () => {
    expect(initialCertificationDueBy(first)).toBe('2025-04-02');
    expect(certificationIntervalEnd(first)).toBe('2025-06-01');
    expect(certificationIntervalEnd(first, '2025-05-15')).toBe('2025-05-15');
  });
  it('physician signature on the due date certifies', () => {
    expect(
      pocCertificationState(
        { firstTreatmentDate: first, signedDate: '2025-04-02' },
        '2025-03-10',
        '2025-04-05',
      ),
    ).toEqual({
      status: 'certified',
      basis: 'signature',
    });
  });
  it('DOS ≥ 2025 with a signed, dated referral: documented transmission within 30 days also certifies', () => {
    const s = pocCertificationState(
      { firstTreatmentDate: first, referralSignedAndDated: true, transmittedToReferrerDate: '2025-03-04' },
      '2025-03-10',
      '2025-03-11',
    );
    expect(s).toEqual({ status: 'certified', basis: 'referral_transmission' });
    // Not for 2024 dates of service, and not without the signed referral.
    const y2024 = pocCertificationState(
      {
        firstTreatmentDate: '2024-12-02',
        referralSignedAndDated: true,
        transmittedToReferrerDate: '2024-12-03',
      },
      '2024-12-10',
      '2024-12-11',
    );
    expect(y2024.status).toBe('pending');
    expect(
      pocCertificationState(
        { firstTreatmentDate: first, transmittedToReferrerDate: '2025-03-04' },
        '2025-03-10',
        '2025-03-11',
      ).status,
    ).toBe('pending');
  });
  it('unsigned after day 30 is late; late signature needs a delay justification', () => {
    expect(pocCertificationState({ firstTreatmentDate: first }, '2025-03-10', '2025-04-03')).toEqual({
      status: 'late',
      dueBy: '2025-04-02',
    });
    expect(
      pocCertificationState(
        { firstTreatmentDate: first, signedDate: '2025-04-20' },
        '2025-03-10',
        '2025-04-21',
      ).status,
    ).toBe('late');
    expect(
      pocCertificationState(
        { firstTreatmentDate: first, signedDate: '2025-04-20', delayJustification: true },
        '2025-03-10',
        '2025-04-21',
      ),
    ).toEqual({ status: 'certified', basis: 'delayed_signature' });
  });
  it('verbal order: signature must follow within 14 days', () => {
    expect(
      pocCertificationState(
        { firstTreatmentDate: first, verbalOrderDate: '2025-03-03' },
        '2025-03-05',
        '2025-03-18',
      ).status,
    ).toBe('late');
  });
  it('beyond the interval a signed recertification is required', () => {
    expect(
      pocCertificationState(
        { firstTreatmentDate: first, signedDate: '2025-03-10' },
        '2025-06-02',
        '2025-06-03',
      ),
    ).toEqual({
      status: 'recertification_required',
      intervalEnded: '2025-06-01',
    });
    expect(
      pocCertificationState(
        {
          firstTreatmentDate: first,
          signedDate: '2025-03-10',
          recertifications: [
            { signedDate: '2025-05-28', certifiedFrom: '2025-06-02', certifiedThrough: '2025-08-30' },
          ],
        },
        '2025-06-02',
        '2025-06-03',
      ),
    ).toEqual({ status: 'certified', basis: 'recertification' });
  });
});

describe('worked example 5: progress report every 10 treatment days', () => {
  // Treatment days 1–9 (evaluation on day 1), one visit every two calendar days.
  const days = Array.from({ length: 12 }, (_, i) => addDays('2025-03-03', i * 2));
  const nine = days.slice(0, 9);

  it('after notes on days 1–9 the PN is due no later than treatment day 10', () => {
    expect(
      progressReportState({ treatmentDays: nine.slice(0, 7), progressReports: [] }, days[7]!).status,
    ).toBe('due_soon');
    const d10 = progressReportState({ treatmentDays: nine, progressReports: [] }, days[9]!);
    expect(d10).toMatchObject({ status: 'due_today', treatmentDayInPeriod: 10, periodStart: days[0] });
    expect(progressReportState({ treatmentDays: nine, progressReports: [days[9]!] }, days[9]!).status).toBe(
      'report_included',
    );
    expect(
      progressReportState({ treatmentDays: days.slice(0, 10), progressReports: [] }, days[10]!).status,
    ).toBe('overdue');
  });
  it('the day-1 evaluation counts and days 1–7 are fine', () => {
    expect(progressReportState({ treatmentDays: [], progressReports: [] }, days[0]!)).toMatchObject({
      status: 'ok',
      treatmentDayInPeriod: 1,
    });
  });
  it('a PN starts a new period', () => {
    const s = progressReportState(
      { treatmentDays: days.slice(0, 10), progressReports: [days[5]!] },
      days[10]!,
    );
    expect(s).toMatchObject({ status: 'ok', treatmentDayInPeriod: 5, periodStart: days[6] });
  });
  it('variant: a recertification in the middle of the period restarts the count', () => {
    const s = progressReportState(
      { treatmentDays: nine, progressReports: [], recertifications: [days[4]!] },
      days[9]!,
    );
    expect(s).toMatchObject({ status: 'ok', treatmentDayInPeriod: 6, periodStart: days[4] });
  });
  it('variant: discharge before day 10 cancels the pending PN', () => {
    expect(
      progressReportState(
        { treatmentDays: nine.slice(0, 8), progressReports: [], dischargeDate: days[8]! },
        days[8]!,
      ).status,
    ).toBe('not_required');
  });
});

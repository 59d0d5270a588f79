import { describe, it, expect } from 'vitest';
import { applyCertification, certificationRecordProblem } from '../../../domain/care/certification-record.js';
import {
  certificationState,
  certifiedThrough,
  DEFAULT_CARE_POLICY as P,
  dueCareActions,
  isInitiallyCertified,
  isProgressReportOverdue,
  markDone,
  newCareEpisode,
  nextCareCheckDate,
  recordProgressReport,
  recordTreatment,
  type CareEpisode,
} from '../../../domain/care/episode.js';
import { addDays } from '../../../domain/core/dates.js';

const first = '2025-03-03';
const kinds = (ep: CareEpisode, today: string) => dueCareActions(ep, P, today).map((a) => a.key);
function treated(n: number, every = 2): CareEpisode {
  let ep = newCareEpisode({ firstTreatmentDate: first });
  // The evaluation is treatment day 1; add n-1 more.
  for (let i = 1; i < n; i++) ep = recordTreatment(ep, `v${i}`, addDays(first, i * every));
  return ep;
}

describe('treatment days', () => {
  it('are idempotent on the visit id and count one per date', () => {
    let ep = newCareEpisode({ firstTreatmentDate: first });
    ep = recordTreatment(ep, 'a', '2025-03-05');
    ep = recordTreatment(ep, 'a', '2025-03-05');
    ep = recordTreatment(ep, 'b', '2025-03-05');
    expect(ep.treatmentDays).toEqual([first, '2025-03-05']);
    expect(ep.visitIds).toEqual(['a', 'b']);
  });
});

describe('certification reminders and escalation (day 0 = first treatment)', () => {
  const ep = newCareEpisode({ firstTreatmentDate: first });
  it('day 7 / 14 / 21 reminders, escalation on day 28, once each', () => {
    expect(kinds(ep, addDays(first, 6))).toEqual([]);
    expect(kinds(ep, addDays(first, 7))).toEqual(['cert_reminder:7']);
    expect(kinds(markDone(ep, 'cert_reminder:7'), addDays(first, 13))).toEqual([]);
    expect(kinds(ep, addDays(first, 21))).toEqual(['cert_reminder:21']);
    expect(kinds(ep, addDays(first, 28))).toEqual(['cert_escalation']);
    // Day 31: the delayed-certification path (the episode with no visits is also inactive by then).
    const cert = (today: string) =>
      kinds(markDone(ep, 'cert_escalation'), today).filter((k) => k.startsWith('cert'));
    expect(cert(addDays(first, 30))).toEqual([]);
    expect(cert(addDays(first, 31))).toEqual(['cert_late']);
    expect(nextCareCheckDate(ep, P, first)).toBe(addDays(first, 7));
    expect(nextCareCheckDate(ep, P, addDays(first, 7))).toBe(addDays(first, 14));
  });
  it('no reminders once signed', () => {
    const signed = applyCertification(ep, { kind: 'signature', signedDate: addDays(first, 5) });
    expect(isInitiallyCertified(signed, addDays(first, 7))).toBe(true);
    expect(kinds(signed, addDays(first, 7))).toEqual([]);
  });
  it('transmission proof certifies the initial POC only with a signed referral, from 2025, within 30 days', () => {
    const referred = newCareEpisode({ firstTreatmentDate: first, referralSignedAndDated: true });
    const rec = { kind: 'transmission', transmittedDate: addDays(first, 2), proofRef: 'fax-1' } as const;
    expect(certificationRecordProblem(referred, rec)).toBeUndefined();
    expect(isInitiallyCertified(applyCertification(referred, rec), addDays(first, 7))).toBe(true);
    expect(certificationRecordProblem(ep, rec)).toMatch(/signed and dated referral/);
    expect(
      certificationRecordProblem(
        newCareEpisode({ firstTreatmentDate: '2024-12-02', referralSignedAndDated: true }),
        {
          ...rec,
          transmittedDate: '2024-12-03',
        },
      ),
    ).toMatch(/from 2025-01-01/);
    expect(certificationRecordProblem(referred, { ...rec, transmittedDate: addDays(first, 31) })).toMatch(
      /30 days/,
    );
  });
  it('a verbal order needs the signature within 14 days, else the certification is late', () => {
    const verbal = applyCertification(ep, { kind: 'verbal_order', orderDate: addDays(first, 2) });
    expect(isInitiallyCertified(verbal, addDays(first, 7))).toBe(false);
    expect(certificationState(verbal, addDays(first, 16)).status).toBe('pending');
    expect(certificationState(verbal, addDays(first, 17)).status).toBe('late');
    expect(nextCareCheckDate(verbal, P, addDays(first, 14))).toBe(addDays(first, 17));
    expect(certificationRecordProblem(ep, { kind: 'verbal_order', orderDate: '2025-03-01' })).toMatch(
      /predates/,
    );
  });
  it('recertification: at most 90 days, extends the certified period', () => {
    expect(certifiedThrough(ep)).toBe('2025-06-01');
    expect(
      certificationRecordProblem(ep, {
        kind: 'recertification',
        signedDate: '2025-05-25',
        certifiedFrom: '2025-06-02',
        certifiedThrough: '2025-09-15',
      }),
    ).toMatch(/at most 90/);
    const re = applyCertification(ep, {
      kind: 'recertification',
      signedDate: '2025-05-25',
      certifiedFrom: '2025-06-02',
      certifiedThrough: '2025-08-30',
    });
    expect(certifiedThrough(re)).toBe('2025-08-30');
  });
});

describe('recertification and inactivity', () => {
  it('recertification task 10 days before the interval ends', () => {
    const ep = applyCertification(newCareEpisode({ firstTreatmentDate: first }), {
      kind: 'signature',
      signedDate: first,
    });
    const withVisit = recordTreatment(ep, 'v', '2025-05-20');
    expect(kinds(withVisit, '2025-05-21')).toEqual([]);
    expect(kinds(withVisit, '2025-05-22')).toEqual(['recert:2025-06-01']);
  });
  it('discharge after 30 days without visits', () => {
    const ep = applyCertification(treated(3), { kind: 'signature', signedDate: first });
    const last = ep.treatmentDays[ep.treatmentDays.length - 1]!;
    expect(kinds(ep, addDays(last, 29))).toEqual([]);
    expect(kinds(ep, addDays(last, 30))).toEqual([`inactive:${last}`]);
    expect(nextCareCheckDate(ep, P, addDays(last, 1))).toBe(addDays(last, 30));
  });
});

describe('progress reports (worked example 5)', () => {
  const signed = (ep: CareEpisode) => applyCertification(ep, { kind: 'signature', signedDate: first });
  it('task on treatment day 8, due on day 10, overdue once day 10 has passed', () => {
    expect(kinds(signed(treated(7)), addDays(first, 12))).toEqual([]);
    const eight = signed(treated(8));
    expect(kinds(eight, addDays(first, 14))).toEqual([`progress_due:${first}`]);
    const ten = signed(treated(10));
    const tenth = ten.treatmentDays[9]!;
    expect(isProgressReportOverdue(ten, P, tenth)).toBe(false);
    expect(isProgressReportOverdue(ten, P, addDays(tenth, 1))).toBe(true);
    expect(isProgressReportOverdue(signed(treated(11)), P, addDays(first, 20))).toBe(true);
  });
  it('a report clears the flag and starts a new period', () => {
    const ep = recordProgressReport(signed(treated(11)), addDays(first, 21));
    expect(isProgressReportOverdue(ep, P, addDays(first, 22))).toBe(false);
    const next = recordTreatment(ep, 'later', addDays(first, 23));
    expect(isProgressReportOverdue(next, P, addDays(first, 24))).toBe(false);
    // A report written on the 10th treatment day covers it.
    const ten = signed(treated(10));
    const covered = recordProgressReport(ten, ten.treatmentDays[9]!);
    expect(isProgressReportOverdue(covered, P, addDays(first, 40))).toBe(false);
  });
});

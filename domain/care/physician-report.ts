// What a progress report, recertification or discharge summary sent to the referring physician says (issue 17
// point 3): the practice header, who the patient is (minimum necessary), goals and their status, outcome scores
// against their MCID, visits used against the authorization, and the plan. Pure: the facts come in, the text
// of the document comes out (activities/progress-reports/pdf.ts lays it out on at most two pages).
//
// Minimum necessary (45 CFR 164.502(b), 164.514(d)) — what the physician needs to file the report in the right
// chart and act on it, nothing else:
// - patient: name and year of birth (with the referral's date, what the referring office matches to its own
//   order); NOT the full date of birth, address, phone, e-mail, sex, MRN, SSN, or payer / member id;
// - payer: not named. Visits are counted against the authorization (number, end date) without the payer or the
//   authorization number: the physician does not bill these visits;
// - clinical: goals, outcome scores, visits, plan and the signing therapist — the report's purpose.
import type { IsoDate } from '../core/dates.js';
import type { OutcomeAssessment } from '../outcomes/change.js';

export const physicianReportKinds = ['progress_report', 'recertification', 'discharge_summary'] as const;
export type PhysicianReportKind = (typeof physicianReportKinds)[number];

export const goalStatuses = ['met', 'partially_met', 'progressing', 'not_met', 'discontinued'] as const;
export type GoalStatus = (typeof goalStatuses)[number];

export interface ReportAddress {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  postalCode: string;
}

/** Everything the report may use. Fields not listed in the module comment are dropped, never printed. */
export interface PhysicianReportFacts {
  kind: PhysicianReportKind;
  reportDate: IsoDate;
  practice: { name: string; npi: string; address?: ReportAddress; phone?: string };
  patient: { given: readonly string[]; family: string; birthDate: IsoDate };
  /** The date of the referral (order) that sent the patient: the referring office files the report against it. */
  referralDate?: IsoDate;
  referringPhysician?: { lastName: string; firstName?: string; npi: string };
  therapist: { name?: string; npi: string; credentials?: string };
  goals: readonly { text: string; status: GoalStatus }[];
  assessment?: string;
  plan: string;
  outcomes: readonly OutcomeAssessment[];
  visits: {
    /** Visits counted so far in this episode (the authorization's count when there is one); unknown: unset. */
    used?: number;
    authorized?: number;
    authorizationEnds?: IsoDate;
  };
}

export interface ReportSection {
  heading: string;
  /** Paragraphs (each wraps on its own). */
  lines: string[];
}

export interface PhysicianReportContent {
  /** Document title (also the PDF's Title metadata: PHI-free). */
  title: string;
  /** Practice header lines (first line bold). */
  header: string[];
  sections: ReportSection[];
  footer: string;
}

export const REPORT_TITLES: Record<PhysicianReportKind, string> = {
  progress_report: 'Physical Therapy Progress Report',
  recertification: 'Physical Therapy Recertification',
  discharge_summary: 'Physical Therapy Discharge Summary',
};

const GOAL_STATUS_TEXT: Record<GoalStatus, string> = {
  met: 'Met',
  partially_met: 'Partially met',
  progressing: 'Progressing',
  not_met: 'Not met',
  discontinued: 'Discontinued',
};

const address = (a: ReportAddress) =>
  `${a.line1}${a.line2 ? `, ${a.line2}` : ''}, ${a.city}, ${a.state} ${a.postalCode.slice(0, 5)}`;

const signed = (n: number) => (n > 0 ? `+${n}` : `${n}`);

/** One line per outcome instrument: baseline and latest score, change, MCID and whether it is reached. */
export function outcomeLine(o: OutcomeAssessment): string {
  const change = `change ${signed(o.improvementFromBaseline)} (positive = better)`;
  const flag =
    o.mcid === undefined
      ? 'no MCID on file'
      : o.meaningfulSinceBaseline
        ? `MCID ${o.mcid}: REACHED (clinically meaningful)`
        : `MCID ${o.mcid}: not reached`;
  const trend = o.trend === 'insufficient_data' ? '' : `; trend: ${o.trend}`;
  return (
    `${o.instrument}: ${o.baseline.score} on ${o.baseline.date} -> ${o.latest.score} on ${o.latest.date}; ` +
    `${change}; ${flag}${trend}`
  );
}

/** The visits line: used against authorized (and the authorization's end), or used alone. */
export function visitsLine(v: PhysicianReportFacts['visits']): string {
  if (v.used === undefined) return 'Visits used: not tracked for this episode (no open plan of care)';
  if (v.authorized === undefined) return `Visits used: ${v.used} (no visit authorization on file)`;
  const left = Math.max(0, v.authorized - v.used);
  const ends = v.authorizationEnds ? `, authorization ends ${v.authorizationEnds}` : '';
  return `Visits used: ${v.used} of ${v.authorized} authorized (${left} remaining${ends})`;
}

/** The report's text from its facts (minimum necessary: see the module comment). */
export function physicianReportContent(f: PhysicianReportFacts): PhysicianReportContent {
  const header = [
    f.practice.name,
    ...(f.practice.address ? [address(f.practice.address)] : []),
    [f.practice.phone ? `Phone ${f.practice.phone}` : undefined, `NPI ${f.practice.npi}`]
      .filter(Boolean)
      .join('  |  '),
  ];
  const patientName = `${f.patient.family}, ${f.patient.given.join(' ')}`;
  const to = f.referringPhysician
    ? `To: ${f.referringPhysician.firstName ? `${f.referringPhysician.firstName} ` : ''}` +
      `${f.referringPhysician.lastName} (NPI ${f.referringPhysician.npi}), referring physician`
    : 'To: the referring physician';
  const sections: ReportSection[] = [
    {
      heading: 'Patient',
      lines: [
        `Name: ${patientName}    Year of birth: ${f.patient.birthDate.slice(0, 4)}`,
        `${f.referralDate ? `Referral of ${f.referralDate}    ` : ''}Report date: ${f.reportDate}`,
        to,
      ],
    },
    {
      heading: 'Goals and status',
      lines:
        f.goals.length > 0
          ? f.goals.map((g, i) => `${i + 1}. ${g.text} — ${GOAL_STATUS_TEXT[g.status]}`)
          : ['No goals recorded on this report.'],
    },
    {
      heading: 'Outcome measures (MCID = minimal clinically important difference)',
      lines: f.outcomes.length > 0 ? f.outcomes.map(outcomeLine) : ['No outcome measures recorded.'],
    },
    { heading: 'Visits', lines: [visitsLine(f.visits)] },
    ...(f.assessment ? [{ heading: 'Assessment', lines: [f.assessment] }] : []),
    { heading: f.kind === 'discharge_summary' ? 'Discharge plan' : 'Plan', lines: [f.plan] },
  ];
  const therapist = [f.therapist.name, f.therapist.credentials].filter(Boolean).join(', ');
  return {
    title: REPORT_TITLES[f.kind],
    header,
    sections,
    footer:
      `Signed by ${therapist ? `${therapist} ` : ''}(NPI ${f.therapist.npi}). Confidential health information ` +
      'for the addressee only; if received in error, notify the sender and destroy it.',
  };
}

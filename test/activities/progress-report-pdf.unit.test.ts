// The physician report PDF (issue 17 point 3): rendered with pdf-lib, parsed back with pdfjs-dist, it carries the
// goals, the outcome scores with their MCID flags, the visits and the plan on at most two pages, and nothing the
// minimum-necessary rule leaves out (full date of birth, contact data, member id) — here the facts handed in
// include such data with a canary, and the document must not show it.
import { describe, expect, it } from 'vitest';
import { renderPhysicianReportPdf, winAnsiSafe } from '../../activities/progress-reports/pdf.js';
import { physicianReportContent, type PhysicianReportFacts } from '../../domain/care/physician-report.js';
import { assessOutcomes } from '../../domain/outcomes/change.js';
import { parsePdf } from '../helpers/pdf-text.js';

const facts = (over: Partial<PhysicianReportFacts> = {}): PhysicianReportFacts => ({
  kind: 'progress_report',
  reportDate: '2026-11-20',
  practice: {
    name: 'RIVERSIDE PHYSICAL THERAPY',
    npi: '1234567893',
    address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '627010001' },
    phone: '+1 217 555 0100',
  },
  patient: { given: ['Ada'], family: 'Okafor', birthDate: '1958-03-04' },
  referralDate: '2026-09-28',
  referringPhysician: { lastName: 'HOUSE', firstName: 'GREG', npi: '1245319599' },
  therapist: { name: 'Dana Whitfield', credentials: 'PT, DPT', npi: '1316059478' },
  goals: [
    { text: 'Sit 60 minutes at work without pain above 3/10', status: 'progressing' },
    { text: 'Lift 20 lb from floor to waist with correct mechanics', status: 'met' },
  ],
  plan: 'Continue 2x/week for 4 weeks: lumbar stabilization, graded lifting, home program progression.',
  outcomes: assessOutcomes([
    { instrument: 'ODI', score: 42, date: '2026-10-01' },
    { instrument: 'ODI', score: 28, date: '2026-11-20' },
    { instrument: 'NPRS', score: 6, date: '2026-10-01' },
    { instrument: 'NPRS', score: 5, date: '2026-11-20' },
  ]),
  visits: { used: 9, authorized: 12, authorizationEnds: '2026-12-31' },
  ...over,
});

describe('physician report PDF', () => {
  it('opens, has one page, and says goals, scores with MCID flags, visits and plan', async () => {
    const { pdf, pageCount } = await renderPhysicianReportPdf(physicianReportContent(facts()), {
      createdAt: new Date('2026-11-20T18:00:00Z'),
    });
    const parsed = await parsePdf(pdf);
    expect(parsed.pageCount).toBe(1);
    expect(pageCount).toBe(1);
    const text = parsed.text;
    expect(text).toContain('RIVERSIDE PHYSICAL THERAPY');
    expect(text).toContain('Physical Therapy Progress Report');
    expect(text).toContain('Okafor, Ada');
    expect(text).toContain('Year of birth: 1958');
    expect(text).toContain('Referral of 2026-09-28');
    expect(text).toContain('Sit 60 minutes at work without pain above 3/10');
    expect(text).toMatch(/Lift 20 lb .* Met/);
    // ODI 42 → 28 is 14 points better: the MCID (10) is reached; NPRS 6 → 5 is 1 point: not reached (MCID 2).
    expect(text).toMatch(/ODI: 42 on 2026-10-01 -> 28 on 2026-11-20; change \+14 .*MCID 10: REACHED/);
    expect(text).toMatch(/NPRS: 6 on 2026-10-01 -> 5 on 2026-11-20; change \+1 .*MCID 2: not reached/);
    expect(text).toContain('Visits used: 9 of 12 authorized (3 remaining, authorization ends 2026-12-31)');
    expect(text).toContain('Continue 2x/week for 4 weeks');
    expect(text).toContain('NPI 1316059478');
    // Minimum necessary: not the full date of birth; the metadata name no one.
    expect(text).not.toContain('1958-03-04');
    expect(text).not.toContain('03/04/1958');
    expect(JSON.stringify(parsed.info)).not.toContain('Okafor');
    expect(parsed.info.Title).toBe('Physical Therapy Progress Report');
  });

  it('fields outside the minimum-necessary set never reach the document, even when handed in', async () => {
    const leaky = {
      ...facts(),
      patient: {
        given: ['Ada'],
        family: 'Okafor',
        birthDate: '1958-03-04',
        ssn: 'ZZCANARY-1-SSN',
        phone: 'ZZCANARY-1-PHONE',
        memberId: 'ZZCANARY-1-MEMBER',
      },
      payer: { memberId: 'ZZCANARY-1-MEMBER2' },
    } as PhysicianReportFacts;
    const { pdf } = await renderPhysicianReportPdf(physicianReportContent(leaky), {
      createdAt: new Date('2026-11-20T18:00:00Z'),
    });
    const { text } = await parsePdf(pdf);
    expect(text).not.toContain('ZZCANARY');
    // Nor in the raw bytes outside the (compressed) page content, e.g. the document's metadata.
    expect(Buffer.from(pdf).toString('latin1')).not.toContain('ZZCANARY');
  });

  it('a long report is set smaller and, when still too long, cut on page two: never a third page', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      text: `Goal ${i + 1}: ${'functional activity tolerance with graded exposure '.repeat(3)}`,
      status: 'progressing' as const,
    }));
    const medium = await renderPhysicianReportPdf(
      physicianReportContent(facts({ goals: many.slice(0, 25) })),
      {
        createdAt: new Date('2026-11-20T18:00:00Z'),
      },
    );
    expect(medium.pageCount).toBe(2);
    expect((await parsePdf(medium.pdf)).text).toContain('Goal 25:');

    const huge = await renderPhysicianReportPdf(
      physicianReportContent(facts({ goals: [...many, ...many], plan: 'x '.repeat(3000) })),
      { createdAt: new Date('2026-11-20T18:00:00Z') },
    );
    const parsed = await parsePdf(huge.pdf);
    expect(parsed.pageCount).toBe(2);
    expect(huge.pageCount).toBe(2);
    expect(parsed.pages[1]).toContain('the full signed report is in the EMR');
  });

  it('is deterministic for the same content and date, and draws text the standard fonts cannot encode', async () => {
    const content = physicianReportContent(
      facts({ plan: 'Progress → home program; “quoted”; emoji 🙂 and ünïcode' }),
    );
    const a = await renderPhysicianReportPdf(content, { createdAt: new Date('2026-11-20T18:00:00Z') });
    const b = await renderPhysicianReportPdf(content, { createdAt: new Date('2026-11-20T18:00:00Z') });
    expect(Buffer.from(a.pdf).equals(Buffer.from(b.pdf))).toBe(true);
    expect((await parsePdf(a.pdf)).text).toContain('Progress -> home program; "quoted"; emoji ? and ünïcode');
    expect(winAnsiSafe('a\u0007b')).toBe('a b');
  });

  it('without an authorization the visits line says so; a discharge summary has a discharge plan', async () => {
    const content = physicianReportContent(
      facts({ kind: 'discharge_summary', visits: { used: 14 }, outcomes: [], goals: [] }),
    );
    const { text } = await parsePdf((await renderPhysicianReportPdf(content, { createdAt: new Date() })).pdf);
    expect(text).toContain('Physical Therapy Discharge Summary');
    expect(text).toContain('Visits used: 14 (no visit authorization on file)');
    expect(text).toContain('Discharge plan');
    expect(text).toContain('No outcome measures recorded.');
  });
});

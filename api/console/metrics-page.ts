// The console's "Practice numbers" page body (GET /console/metrics): the period and location form, then each group of
// figures as an inline SVG bar chart (role img, named by its title and described by its desc) AND a table with the
// same numbers, numerators and denominators, so a screen reader or a printout loses nothing. No script, no inline
// style (the page CSP forbids both): colours are SVG presentation attributes with contrast ≥ 4.5:1 on white.
import { esc } from '../auth/pages.js';
import type { PracticeNumbers } from '../../domain/practice-metrics/report.js';
import type { Rate } from '../../domain/practice-metrics/metrics.js';

const BAR = '#1f3a5f';
const INK = '#1a1a1a';

const pct = (v: number | null) => (v === null ? 'no data' : `${(v * 100).toFixed(1)}%`);
const usd = (cents: number) =>
  (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const int = (n: number) => n.toLocaleString('en-US');

interface Bar {
  label: string;
  value: number;
  shown: string;
}

/** A horizontal bar chart: one bar per row, the value written beside it. */
export function barChart(
  id: string,
  title: string,
  desc: string,
  bars: readonly Bar[],
  max?: number,
): string {
  const top = Math.max(max ?? 0, ...bars.map((b) => b.value), 0);
  const rowH = 28;
  const labelW = 230;
  const plotW = 300;
  const h = Math.max(1, bars.length) * rowH + 8;
  const rows = bars
    .map((b, i) => {
      const y = 4 + i * rowH;
      const w = top > 0 ? Math.max(0, (b.value / top) * plotW) : 0;
      return (
        `<text x="${labelW - 8}" y="${y + 18}" text-anchor="end" fill="${INK}" font-size="13">${esc(b.label)}</text>` +
        `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${BAR}"></rect>` +
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 18}" fill="${INK}" font-size="13">${esc(b.shown)}</text>`
      );
    })
    .join('');
  const empty =
    bars.length === 0 ? `<text x="8" y="20" fill="${INK}" font-size="13">No data in this period</text>` : '';
  return (
    `<figure class="chart"><svg role="img" aria-labelledby="${id}-t ${id}-d" viewBox="0 0 640 ${h}" width="640" height="${h}" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>${rows}${empty}</svg></figure>`
  );
}

const rateBar = (label: string, r: Rate): Bar => ({ label, value: r.value ?? 0, shown: pct(r.value) });

function table(caption: string, head: string[], body: string[][]): string {
  return (
    `<table class="list"><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${
      body.length === 0
        ? `<tr><td colspan="${head.length}">No data in this period</td></tr>`
        : body
            .map(
              (r) =>
                `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`,
            )
            .join('')
    }</tbody></table>`
  );
}

const rateRow = (label: string, r: Rate): string[] => [
  esc(label),
  pct(r.value),
  int(r.numerator),
  int(r.denominator),
];

export interface MetricsFormState {
  from: string;
  to: string;
  locationId: string;
  errors: Partial<Record<'from' | 'to' | 'locationId', string>>;
}

/** The period and location form (GET, so the URL can be bookmarked; it carries dates and an opaque id only). */
export function metricsForm(
  state: MetricsFormState,
  locations: readonly { id: string; name: string }[],
): string {
  const err = (k: keyof MetricsFormState['errors']) =>
    state.errors[k] ? `<p class="error" id="m-${k}-error">${esc(state.errors[k]!)}</p>` : '';
  const described = (k: keyof MetricsFormState['errors']) =>
    state.errors[k] ? ` aria-describedby="m-${k}-error" aria-invalid="true"` : '';
  const option = (value: string, label: string) =>
    `<option value="${esc(value)}"${value === state.locationId ? ' selected' : ''}>${esc(label)}</option>`;
  const csv = new URLSearchParams({ from: state.from, to: state.to });
  if (state.locationId) csv.set('locationId', state.locationId);
  return (
    `<form method="get" action="/console/metrics" class="filters" aria-label="Choose the period and location">` +
    `<div><label for="m-from">From</label><input type="date" id="m-from" name="from" value="${esc(state.from)}"${described('from')}>${err('from')}</div>` +
    `<div><label for="m-to">To (inclusive)</label><input type="date" id="m-to" name="to" value="${esc(state.to)}"${described('to')}>${err('to')}</div>` +
    `<div><label for="m-location">Location</label><select id="m-location" name="locationId"${described('locationId')}>` +
    option('', 'All locations') +
    locations.map((l) => option(l.id, l.name)).join('') +
    `</select>${err('locationId')}</div>` +
    `<div><button type="submit">Show numbers</button></div></form>` +
    (Object.keys(state.errors).length === 0
      ? `<p><a class="button" href="/console/metrics.csv?${esc(csv.toString())}">Download these numbers as CSV</a></p>`
      : '')
  );
}

/** The figures of one period as charts and tables. */
export function metricsBody(n: PracticeNumbers): string {
  const ar = n.accountsReceivable;
  const scope = n.period.locationId
    ? `<p class="note">Location chosen: claims count at a location when the patient had an appointment there on the date of service. Authorizations, progress reports and time saved are practice-wide (their records carry no location).</p>`
    : '';
  const out: string[] = [
    `<p class="note">Period ${esc(n.period.from)} to ${esc(n.period.to)} (${n.period.days} days, ${esc(n.period.timeZone)}); open items as of ${esc(n.asOf)}. Definitions: README “The practice’s numbers”.</p>`,
    scope,
  ];

  out.push(
    `<section aria-labelledby="h-claims"><h2 id="h-claims">Claims and collections</h2>`,
    barChart(
      'c-claims',
      'Claim rates',
      'First-pass acceptance, denial rate, net and gross collection rate as percentages',
      [
        rateBar('First-pass acceptance', n.firstPassAcceptance),
        rateBar('Denial rate', n.denials.overall),
        rateBar('Net collection rate', n.collection.net),
        rateBar('Gross collection rate', n.collection.gross),
      ],
      1,
    ),
    table(
      'Claim rates',
      ['Figure', 'Rate', 'Numerator', 'Denominator'],
      [
        rateRow('First-pass acceptance (accepted first time ÷ submitted)', n.firstPassAcceptance),
        rateRow('Denial rate (denied ÷ adjudicated)', n.denials.overall),
        [
          esc('Net collection rate (paid ÷ charges − contractual), cents'),
          pct(n.collection.net.value),
          int(n.collection.net.numerator),
          int(n.collection.net.denominator),
        ],
        [
          esc('Gross collection rate (paid ÷ charges), cents'),
          pct(n.collection.gross.value),
          int(n.collection.gross.numerator),
          int(n.collection.gross.denominator),
        ],
      ],
    ),
    `</section>`,
  );

  out.push(
    `<section aria-labelledby="h-denials"><h2 id="h-denials">Denials by payer and by CARC group</h2>`,
    barChart(
      'c-payers',
      'Denial rate by payer',
      'Denied claims as a share of each payer’s adjudicated claims',
      n.denials.byPayer.map((r) => rateBar(r.key, r)),
      1,
    ),
    table(
      'Denial rate by payer',
      ['Payer', 'Denial rate', 'Denied', 'Adjudicated'],
      n.denials.byPayer.map((r) => rateRow(r.key, r)),
    ),
    table(
      'Denials by CAS group code',
      ['Group', 'Share of adjudicated claims', 'Claims', 'Adjudicated'],
      n.denials.byGroup.map((r) => rateRow(r.key, r)),
    ),
    table(
      'Denials by group and CARC',
      ['Group-CARC', 'Share of adjudicated claims', 'Claims', 'Adjudicated'],
      n.denials.byCarc.map((r) => rateRow(r.key, r)),
    ),
    `</section>`,
  );

  out.push(
    `<section aria-labelledby="h-ar"><h2 id="h-ar">Accounts receivable</h2>`,
    `<p>Days in A/R: <strong>${ar.daysInAR === null ? 'no data' : ar.daysInAR}</strong> (A/R ${usd(ar.balanceCents)} ÷ average daily charges ${usd(ar.averageDailyChargesCents)}).</p>`,
    barChart(
      'c-aging',
      'A/R aging',
      'Open insurance balance by days since the date of service',
      ar.buckets.map((b) => ({ label: `${b.key} days`, value: b.balanceCents, shown: usd(b.balanceCents) })),
    ),
    table(
      'A/R aging at the end of the period',
      ['Days since service', 'Balance', 'Claims', 'Share of A/R'],
      ar.buckets.map((b) => [esc(`${b.key} days`), usd(b.balanceCents), int(b.claims), pct(b.share)]),
    ),
    `</section>`,
  );

  const a = n.attendance;
  out.push(
    `<section aria-labelledby="h-schedule"><h2 id="h-schedule">Schedule</h2>`,
    barChart(
      'c-schedule',
      'Schedule rates',
      'No-show rate, late-cancel rate and slot utilization as percentages',
      [
        rateBar('No-show rate', a.noShow),
        rateBar('Late-cancel rate', a.lateCancel),
        rateBar('Slot utilization (attended)', n.slotUtilization.attended),
        rateBar('Slot utilization (booked)', n.slotUtilization.booked),
      ],
      1,
    ),
    table(
      'Schedule rates',
      ['Figure', 'Rate', 'Numerator', 'Denominator'],
      [
        rateRow('No-show rate (no-shows ÷ scheduled)', a.noShow),
        rateRow('Late-cancel rate (late cancellations ÷ scheduled)', a.lateCancel),
        rateRow('Slot utilization (attended minutes ÷ available minutes)', n.slotUtilization.attended),
        rateRow('Booked utilization (booked minutes ÷ available minutes)', n.slotUtilization.booked),
      ],
    ),
    `<p class="note">Appointments do not yet record when they were cancelled: every cancellation counts as late until they do.</p>`,
    `<p>Waitlist fills: <strong>${n.waitlistFills.wired ? int(n.waitlistFills.value ?? 0) : 'not available (the waitlist is not connected)'}</strong></p>`,
    `</section>`,
  );

  const au = n.authorizations;
  out.push(
    `<section aria-labelledby="h-care"><h2 id="h-care">Authorizations, progress reports and intake</h2>`,
    table(
      'Authorizations, progress reports and intake',
      ['Figure', 'Value', 'Numerator', 'Denominator'],
      [
        [
          esc('Authorizations expired with visits unused'),
          int(au.expiredUnused),
          int(au.expiredUnused),
          int(au.expired - au.expiredUnknown),
        ],
        [esc('Approved visits lost at expiry'), int(au.visitsUnused), '', ''],
        [esc('Visits refused by the authorization (overran)'), int(au.overranVisits), '', ''],
        ...au.overruns.map((o) => [esc(`— refused: ${o.code}`), int(o.visits), '', '']),
        rateRow('Progress reports late (late ÷ due)', n.progressReportsLate),
        rateRow('Intake complete before the first visit', n.intakeBeforeFirstVisit),
      ],
    ),
    `</section>`,
  );

  const t = n.staffTimeSaved;
  out.push(
    `<section aria-labelledby="h-time"><h2 id="h-time">Estimated staff time saved</h2>`,
    `<p>About <strong>${t.totalHours} hours</strong> (${int(Math.round(t.totalMinutes))} minutes). The minutes per step are assumptions an administrator can change (PUT /v1/practice/time-saved-assumptions).</p>`,
    barChart(
      'c-time',
      'Staff minutes saved by step',
      'Times ptflow did each step multiplied by the baseline minutes per step',
      t.rows.map((r) => ({
        label: r.label.length > 34 ? `${r.label.slice(0, 33)}…` : r.label,
        value: r.minutes,
        shown: `${int(Math.round(r.minutes))} min`,
      })),
    ),
    table(
      'Staff time saved by automated step',
      ['Step', 'Times', 'Minutes each', 'Minutes saved', 'Baseline from', 'Source'],
      t.rows.map((r) => [
        esc(r.label),
        int(r.count),
        String(r.minutesEach),
        int(Math.round(r.minutes)),
        esc(r.effectiveFrom),
        esc(`${r.origin === 'default' ? 'Default: ' : 'Practice: '}${r.source}`),
      ]),
    ),
    `</section>`,
  );
  return out.join('\n');
}

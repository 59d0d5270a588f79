// The console's "Book the series" page of a plan of care (issue 18 part 3, for the front desk): a form with the
// parameters of POST /v1/plans-of-care/{id}/series, a Preview that shows the proposed visits (date, time,
// therapist, location, device) and the solver's explanation, what blocks the visits it could not place and what the
// front desk can change, and a Book button that books exactly the previewed plan: the preview's fingerprint
// travels with the Book form, the plan is made again before booking, and a different plan is shown and asked about
// again instead of booked. Staff names, places and dates only; the patient is never named on the page.
import { esc } from '../auth/pages.js';
import { ACUITIES } from '../../domain/scheduling/types.js';
import { EQUIPMENT_KINDS } from '../../domain/scheduling/equipment.js';
import type { BookCareSeriesResult } from '../../workflows/series/messages.js';
import { planFingerprint } from '../series-fingerprint.js';
import { SeriesBodySchema, type SeriesBody } from '../routes/care-series.js';
import { errorSummary, formErrorsOfIssues, renderFields, type FormField, type FormState } from './forms.js';

/** How many availability rows the form offers (the REST body takes up to 21). */
export const AVAILABILITY_ROWS = 4;

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The therapists and locations the form offers (names are staff and places, not PHI). */
export interface SeriesChoices {
  therapists: { id: string; name: string }[];
  locations: { id: string; name: string }[];
  equipment: { id: string; name: string }[];
}

const words = (v: string) => v.replace(/-/g, ' ');

/** The form's fields before and after the availability rows. */
export function seriesFields(choices: SeriesChoices): {
  main: FormField[];
  rows: FormField[][];
  more: FormField[];
} {
  const main: FormField[] = [
    {
      key: 'acuity',
      label: 'Acuity',
      type: 'select',
      options: ACUITIES.map((a) => [a, words(a)] as const),
      required: true,
      hint: 'Post-surgical visits are booked longer.',
    },
    { key: 'visitsPerWeek', label: 'Visits per week', type: 'integer', required: true, hint: '1 to 5.' },
    { key: 'weeks', label: 'Weeks', type: 'integer', required: true, hint: '1 to 26.' },
    { key: 'startDate', label: 'First day the series may start', type: 'date', required: true },
  ];
  const rows = Array.from({ length: AVAILABILITY_ROWS }, (_, i) => [
    {
      key: `availability.${i}.weekday`,
      label: `Window ${i + 1}: weekday`,
      type: 'select' as const,
      options: WEEKDAY_NAMES.map((d, n) => [String(n), d] as const),
    },
    { key: `availability.${i}.start`, label: `Window ${i + 1}: from`, hint: 'HH:MM, clinic time.' },
    { key: `availability.${i}.end`, label: `Window ${i + 1}: until`, hint: 'HH:MM, clinic time.' },
  ]);
  const more: FormField[] = [
    {
      key: 'preferredTherapistId',
      label: 'Preferred therapist',
      type: 'select',
      options: choices.therapists.map((t) => [t.id, t.name] as const),
      hint: 'Usually the evaluating therapist; leave open for anyone.',
    },
    {
      key: 'preferredLocationId',
      label: 'Preferred location',
      type: 'select',
      options: choices.locations.map((l) => [l.id, l.name] as const),
    },
    {
      key: 'equipmentKind',
      label: 'Every visit needs',
      type: 'select',
      options: EQUIPMENT_KINDS.map((k) => [k, words(k)] as const),
      hint: 'A device of this kind is reserved at every visit.',
    },
    {
      key: 'authorizationId',
      label: 'Authorization id (optional)',
      hint: 'The prior authorization of this episode: its visits left and end date cap the series.',
    },
  ];
  return { main, rows, more };
}

/** Every field of the form, in order. */
export function allSeriesFields(choices: SeriesChoices): FormField[] {
  const { main, rows, more } = seriesFields(choices);
  return [...main, ...rows.flat(), ...more];
}

/**
 * The form's values as the REST body, validated by the route's own schema: the filled availability rows become
 * the `availability` array, and an error of the array's k-th window is put beside the row it came from.
 */
export function seriesFromForm(
  values: Record<string, string>,
  fields: readonly FormField[],
): { data?: SeriesBody; errors: Record<string, string>; message?: string } {
  const int = (v: string | undefined) => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : v);
  const rowsUsed: number[] = [];
  const availability: Record<string, unknown>[] = [];
  for (let i = 0; i < AVAILABILITY_ROWS; i++) {
    const w = values[`availability.${i}.weekday`];
    const s = values[`availability.${i}.start`];
    const e = values[`availability.${i}.end`];
    if (w === undefined && s === undefined && e === undefined) continue;
    rowsUsed.push(i);
    availability.push({ weekday: int(w), start: s, end: e });
  }
  const body: Record<string, unknown> = { availability };
  for (const key of [
    'acuity',
    'visitsPerWeek',
    'weeks',
    'startDate',
    'preferredTherapistId',
    'preferredLocationId',
    'equipmentKind',
    'authorizationId',
  ]) {
    const v = values[key];
    if (v !== undefined) body[key] = key === 'visitsPerWeek' || key === 'weeks' ? int(v) : v;
  }
  const parsed = SeriesBodySchema.safeParse(body);
  if (parsed.success) return { data: parsed.data, errors: {} };
  const issues = parsed.error.issues.map((i) =>
    i.path[0] === 'availability' && typeof i.path[1] === 'number'
      ? { ...i, path: ['availability', rowsUsed[i.path[1]] ?? i.path[1], ...i.path.slice(2)] }
      : i,
  );
  const { errors, unplaced } = formErrorsOfIssues(issues, fields, values);
  return { errors, ...(unplaced.length > 0 ? { message: unplaced.join(' ') } : {}) };
}

/** The previewed visits the booking did not book as planned (times, in the preview's order). */
export function visitsNotAsPlanned(preview: BookCareSeriesResult, booked: BookCareSeriesResult): string[] {
  const key = (v: { start: string; therapistId: string; locationId: string }) =>
    `${Date.parse(v.start)}|${v.therapistId}|${v.locationId}`;
  const done = new Set(booked.visits.map(key));
  return preview.visits.filter((v) => !done.has(key(v))).map((v) => v.start);
}

/**
 * What the front desk can change, from the explanation's reasons for visits that could not be placed (the
 * sentences of domain/scheduling/series.ts `explainSeries`).
 */
export function whatToChange(result: BookCareSeriesResult, equipmentKind?: string): string[] {
  const text = result.explanation.join('\n');
  const out: string[] = [];
  if (/no free time with a therapist|therapist and the equipment are free|had no free time/.test(text))
    out.push(
      'Ask the patient for more times they can come (other weekdays or longer windows), leave the therapist ' +
        'or the location open, or start the series later.',
    );
  if (equipmentKind && /therapist and the equipment are free/.test(text))
    out.push(
      `The ${words(equipmentKind)} is booked or in maintenance at the free times: ask the therapist whether ` +
        'these visits can go without it, or see the Equipment page for when it is free.',
    );
  if (/authorization (has no visits left|ends before then)|needs an extension/.test(text))
    out.push(
      'The authorization does not cover the whole series: book what it covers now and ask for an extension ' +
        '(the authorization process requests it with the latest progress report), or book fewer weeks.',
    );
  if (/same or the next day as another visit/.test(text))
    out.push('Visits must be at least a day apart: add windows on other weekdays.');
  if (/No plan was found within the time limit/.test(text))
    out.push('Try fewer weeks or more availability windows, then preview again.');
  if (out.length === 0 && result.visits.length < result.requested)
    out.push('Add availability windows, leave the therapist or location open, or start later.');
  return out;
}

function dateAndTime(iso: string, timeZone: string): { date: string; time: string } {
  const d = new Date(iso);
  return {
    date: new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      month: 'short',
      day: 'numeric',
      year: 'numeric',
    }).format(d),
    time: new Intl.DateTimeFormat('en-US', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    }).format(d),
  };
}

/** The visits as a table (date, time, therapist, location, device). */
export function visitsTable(
  caption: string,
  result: BookCareSeriesResult,
  choices: SeriesChoices,
  timeZone: string,
): string {
  const name = (list: { id: string; name: string }[], id: string | undefined, none: string) =>
    id === undefined ? none : (list.find((x) => x.id === id)?.name ?? 'another');
  const rows = result.visits
    .map((v, i) => {
      const { date, time } = dateAndTime(v.start, timeZone);
      return (
        `<tr><td>${i + 1}</td><td><time datetime="${esc(new Date(v.start).toISOString())}">${esc(date)}</time></td>` +
        `<td>${esc(time)}</td><td>${esc(name(choices.therapists, v.therapistId, '—'))}</td>` +
        `<td>${esc(name(choices.locations, v.locationId, '—'))}</td>` +
        `<td>${esc(name(choices.equipment, v.equipmentId, 'none'))}</td></tr>`
      );
    })
    .join('');
  return (
    `<table class="list"><caption>${esc(caption)}</caption><thead><tr><th scope="col">#</th>` +
    `<th scope="col">Date</th><th scope="col">Time</th><th scope="col">Therapist</th>` +
    `<th scope="col">Location</th><th scope="col">Device</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

/** A preview or booking result: table, explanation, and what blocks the rest with what can be changed. */
function resultBlock(
  heading: string,
  result: BookCareSeriesResult,
  choices: SeriesChoices,
  timeZone: string,
  equipmentKind: string | undefined,
): string {
  const minutes = `${result.visits.length} of ${result.requested} visits, ${result.visitMinutes} minutes each`;
  const table =
    result.visits.length > 0
      ? visitsTable(`${heading}: ${minutes}`, result, choices, timeZone)
      : `<p class="notice" role="alert">No visit of the series could be placed.</p>`;
  const changes = result.visits.length < result.requested ? whatToChange(result, equipmentKind) : [];
  return (
    `<section aria-labelledby="series-result"><h2 id="series-result">${esc(heading)}</h2>${table}` +
    `<h3>Why this plan</h3><ul class="explanation">${result.explanation.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` +
    (changes.length > 0
      ? `<h3>What you can change</h3><ul>${changes.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>`
      : '') +
    `</section>`
  );
}

/** What the page shows under the form. */
export type SeriesOutcome =
  | { kind: 'preview'; result: BookCareSeriesResult; stale?: boolean }
  | { kind: 'booked'; result: BookCareSeriesResult; notAsPlanned: string[] };

/** The page body: the form (values kept, errors beside fields), then the preview or booking. */
export function seriesPageBody(opts: {
  action: string;
  csrf: string;
  choices: SeriesChoices;
  state: FormState;
  timeZone: string;
  outcome?: SeriesOutcome;
}): string {
  const { main, rows, more } = seriesFields(opts.choices);
  const all = [...main, ...rows.flat(), ...more];
  const prefix = 'series';
  const form =
    `<form method="post" action="${esc(opts.action)}" novalidate>${opts.csrf}` +
    renderFields(prefix, main, opts.state) +
    `<fieldset><legend>When the patient can come (leave a window empty to skip it; none = any open hour)</legend>` +
    rows.map((r) => `<div class="row">${renderFields(prefix, r, opts.state)}</div>`).join('') +
    `</fieldset>` +
    renderFields(prefix, more, opts.state) +
    `<button type="submit" name="intent" value="preview">Preview</button></form>`;
  let below = '';
  const o = opts.outcome;
  if (o?.kind === 'preview') {
    const hidden = Object.entries(opts.state.values)
      .filter(([k]) => all.some((f) => f.key === k))
      .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
      .join('');
    below =
      resultBlock('Proposed visits', o.result, opts.choices, opts.timeZone, opts.state.values.equipmentKind) +
      (o.result.visits.length > 0
        ? `<form method="post" action="${esc(opts.action)}">${opts.csrf}${hidden}` +
          `<input type="hidden" name="fingerprint" value="${esc(planFingerprint(o.result))}">` +
          `<button type="submit" name="intent" value="book">Book these ${o.result.visits.length} visits</button>` +
          `<p class="hint">Books exactly the visits above. If the free times change before you press it, the new ` +
          `plan is shown to you instead.</p></form>`
        : '');
  } else if (o?.kind === 'booked') {
    const missed =
      o.notAsPlanned.length > 0
        ? `<p class="notice" role="alert">${o.notAsPlanned.length} previewed visit(s) were taken by another booking ` +
          `while this one ran and are not booked: ${esc(
            o.notAsPlanned.map((s) => Object.values(dateAndTime(s, opts.timeZone)).join(' ')).join('; '),
          )}. Preview again to place them.</p>`
        : '';
    below =
      missed +
      resultBlock('Booked visits', o.result, opts.choices, opts.timeZone, opts.state.values.equipmentKind);
  }
  return (
    `<p>Plans every visit of the plan of care at once: one therapist throughout when possible, inside the ` +
    `patient's times, a device at every visit when needed, within the authorization. Preview first; nothing is ` +
    `booked until you press Book.</p>` +
    errorSummary(prefix, opts.state) +
    form +
    below
  );
}

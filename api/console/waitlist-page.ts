// The console's waitlist page (issue 18 §2; HTML bodies for api/console/layout.ts): the patients waiting for a
// freed slot, per location, oldest first, each with a "Remove" form; and a form that adds one (errors beside the
// field). Like the worklist, it names patients by our opaque id only: no name, no date of birth. Therapist and
// location names are practice data, not PHI.
import type { WaitlistEntryRow } from '../../db/repositories/visits.js';
import { esc } from '../auth/pages.js';
import { errorSummary, renderFields, type FormField, type FormState } from './forms.js';
import { consoleCsrf, formatInZone, type ConsoleContext } from './layout.js';

export const WAITLIST_PATH = '/console/waitlist';

const ACUITY: Record<number, string> = { 1: 'Routine', 2: 'Subacute', 3: 'Urgent' };
const SOURCE: Record<string, string> = { api: 'Front desk', cli: 'Front desk', emr: 'EMR' };

/** The add form's fields (option lists filled in per practice). */
export function waitlistFields(
  locations: readonly { id: string; name: string }[],
  therapists: readonly { id: string; name: string }[],
): FormField[] {
  return [
    {
      key: 'patientId',
      label: 'Patient id',
      hint: "The patient's ptflow id (as on the onboarding or the task), e.g. 3f2b…-….",
      required: true,
    },
    {
      key: 'locationId',
      label: 'Location',
      type: 'select',
      options: locations.map((l) => [l.id, l.name] as const),
      required: true,
    },
    {
      key: 'therapistId',
      label: 'Therapist',
      hint: 'Only for continuity of care; leave on "Choose…" for any therapist of the location.',
      type: 'select',
      options: therapists.map((t) => [t.id, t.name] as const),
    },
    {
      key: 'acuity',
      label: 'Acuity',
      hint: 'Routine when not chosen. Urgent: post-surgical or acute.',
      type: 'select',
      options: [
        ['1', 'Routine'],
        ['2', 'Subacute'],
        ['3', 'Urgent'],
      ],
    },
    {
      key: 'minutes',
      label: 'Visit length (minutes)',
      hint: '15 to 120; 45 when empty. A freed slot must be at least this long.',
      type: 'integer',
    },
    {
      key: 'authorizationEndsOn',
      label: 'Authorization ends on',
      hint: "The authorization's last day of visits, when there is one (it moves the patient up the order).",
      type: 'date',
    },
  ];
}

export interface WaitlistView {
  entries: readonly WaitlistEntryRow[];
  locations: readonly { id: string; name: string }[];
  therapists: readonly { id: string; name: string }[];
  /** The location the list is filtered to ('' for all). */
  locationId: string;
}

/** GET /console/waitlist: the waiting patients per location, the filter, the add form. */
export function waitlistBody(
  ctx: ConsoleContext,
  view: WaitlistView,
  state: FormState,
  message?: string,
): string {
  const locationName = new Map(view.locations.map((l) => [l.id, l.name]));
  const therapistName = new Map(view.therapists.map((t) => [t.id, t.name]));
  const shown = view.locationId ? view.locations.filter((l) => l.id === view.locationId) : view.locations;
  const option = (value: string, label: string) =>
    `<option value="${esc(value)}"${value === view.locationId ? ' selected' : ''}>${esc(label)}</option>`;
  const filter =
    `<form method="get" action="${WAITLIST_PATH}" class="filters" aria-label="Choose the location">` +
    `<div><label for="w-filter">Location</label><select id="w-filter" name="locationId">` +
    option('', 'All locations') +
    view.locations.map((l) => option(l.id, l.name)).join('') +
    `</select></div><div><button type="submit">Show</button></div></form>`;
  const tables = shown
    .map((l) => {
      const rows = view.entries.filter((e) => e.locationId === l.id);
      const headingId = `h-loc-${l.id}`;
      return (
        `<section aria-labelledby="${headingId}"><h2 id="${headingId}">${esc(l.name)}: ${rows.length} waiting</h2>` +
        (rows.length === 0
          ? `<p>Nobody is waiting here.</p>`
          : `<table class="list"><caption>Waiting at ${esc(l.name)}, longest waiting first</caption><thead><tr>` +
            [
              'Waiting since',
              'Patient id',
              'Therapist',
              'Acuity',
              'Minutes',
              'Authorization ends',
              'Added by',
              'Action',
            ]
              .map((h) => `<th scope="col">${esc(h)}</th>`)
              .join('') +
            `</tr></thead><tbody>` +
            rows
              .map(
                (e) =>
                  `<tr><td>${esc(formatInZone(e.createdAt, ctx.timeZone))}</td>` +
                  `<td><code>${esc(e.patientId)}</code></td>` +
                  `<td>${esc(e.therapistId ? (therapistName.get(e.therapistId) ?? 'Another therapist') : 'Any')}</td>` +
                  `<td>${esc(ACUITY[e.acuity] ?? String(e.acuity))}</td>` +
                  `<td>${e.minutes}</td>` +
                  `<td>${esc(e.authorizationEndsOn ?? '—')}</td>` +
                  `<td>${esc(SOURCE[e.source] ?? e.source)}</td>` +
                  `<td><form method="post" action="${WAITLIST_PATH}/${esc(e.id)}/remove" class="inline">` +
                  consoleCsrf(ctx) +
                  `<button type="submit" class="small" aria-label="Remove the patient waiting since ${esc(formatInZone(e.createdAt, ctx.timeZone))} from the waitlist">Remove</button></form></td></tr>`,
              )
              .join('') +
            `</tbody></table>`) +
        `</section>`
      );
    })
    .join('');
  const unknownLocations = view.entries.filter((e) => !locationName.has(e.locationId)).length;
  const prefix = 'w';
  return (
    `<p>Patients waiting for a freed slot. When an appointment is cancelled, the slot is offered in a fair, ` +
    `explained order: authorization ending soonest, then longest waiting, then acuity.</p>` +
    (message ? `<div class="notice" role="alert"><p>${esc(message)}</p></div>` : '') +
    filter +
    tables +
    (unknownLocations > 0
      ? `<p class="note">${unknownLocations} waiting at a location the practice no longer lists.</p>`
      : '') +
    `<section aria-labelledby="h-add"><h2 id="h-add">Add a patient to the waitlist</h2>` +
    errorSummary(prefix, state) +
    `<form method="post" action="${WAITLIST_PATH}">${consoleCsrf(ctx)}` +
    renderFields(prefix, waitlistFields(view.locations, view.therapists), state) +
    `<p><button type="submit">Add to the waitlist</button></p></form></section>`
  );
}

/** The page other roles get (the waitlist is the front desk's). */
export const waitlistNotForYourRole =
  `<p class="notice" role="alert">The waitlist is kept by the front desk and administrators.</p>` +
  `<p><a href="/console/worklist">Back to the worklist</a></p>`;

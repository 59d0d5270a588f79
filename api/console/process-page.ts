// The body of a process page (GET /console/processes/:kind/:id) as an HTML fragment: state, a timeline of its
// steps, what it waits for next, its open tasks (links to /console/tasks/:id), the fields of the caller's role
// view, and a link to its Temporal UI page. Everything shown comes from the role-shaped view (process-data.ts),
// so a field the role may not see is never rendered; nothing here goes into a title or URL but opaque ids.
import { esc } from '../auth/pages.js';
import { formatInZone } from './layout.js';
import type { ConsoleKind, ProcessPageData } from './process-data.js';
import { processPagePath } from './process-data.js';

type View = Record<string, unknown>;

interface Step {
  at?: string | Date;
  text: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const words = (v: string): string => v.replace(/_/g, ' ');

/** A scrubber finding code in words (`REFERRING_PROVIDER_MISSING` → "referring provider missing"). */
export function findingInWords(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

/** The state a process is in, from its view (`state` or `status`). */
export function stateOf(view: View): string {
  return str(view.state) ?? str(view.status) ?? 'unknown';
}

function claimSteps(view: View): Step[] {
  const decisions = Array.isArray(view.decisions) ? (view.decisions as View[]) : [];
  return decisions.map((d) => ({
    ...(str(d.at) ? { at: str(d.at) } : {}),
    text: `${words(str(d.what) ?? '')}${str(d.reason) ? ` — ${str(d.reason)}` : ''}`,
  }));
}

function onboardingSteps(view: View): Step[] {
  const steps: Step[] = [];
  for (const c of Array.isArray(view.coverages) ? (view.coverages as View[]) : []) {
    const outcome = str(c.outcome);
    steps.push({
      text: `Coverage ${num(c.priority) ?? ''} checked ${num(c.verifications) ?? 0} time(s)${outcome ? `: ${words(outcome)}` : ''}`,
    });
  }
  const forms = view.forms as View | undefined;
  if (forms) {
    steps.push({
      text: `Intake forms ${words(str(forms.state) ?? 'unknown')} (${num(forms.remindersSent) ?? 0} reminder(s))`,
    });
  }
  for (const m of Array.isArray(view.messages) ? (view.messages as View[]) : []) {
    steps.push({ text: `Message ${words(str(m.template) ?? '')}: ${words(str(m.status) ?? '')}` });
  }
  const appointment = view.appointment as View | undefined;
  if (appointment) {
    steps.push({
      ...(str(appointment.start) ? { at: str(appointment.start) } : {}),
      text: 'Initial evaluation booked',
    });
  }
  if (str(view.authorizationWorkflowId)) steps.push({ text: 'Prior authorization started' });
  if (str(view.planOfCareWorkflowId)) steps.push({ text: 'Handed over to the plan of care' });
  return steps;
}

function authorizationSteps(view: View): Step[] {
  const steps: Step[] = [];
  if (str(view.startDate) || str(view.endDate)) {
    steps.push({ text: `Authorized ${str(view.startDate) ?? '?'} to ${str(view.endDate) ?? '?'}` });
  }
  const authorized = num(view.visitsAuthorized);
  steps.push({
    text: `${num(view.visitsUsed) ?? 0} visit(s) used${authorized !== undefined ? ` of ${authorized}` : ''}`,
  });
  if (num(view.extensionsRequested)) {
    steps.push({
      text: `Extensions: ${num(view.extensionsRequested)} requested, ${num(view.extensionsApproved) ?? 0} approved`,
    });
  }
  return steps;
}

function planOfCareSteps(view: View): Step[] {
  const steps: Step[] = [];
  if (str(view.certification)) steps.push({ text: `Certification: ${words(str(view.certification) ?? '')}` });
  if (num(view.treatmentDays) !== undefined) {
    steps.push({
      text: `${num(view.treatmentDays)} treatment day(s), ${num(view.visitsCounted) ?? 0} visit(s)`,
    });
  }
  if (view.progressReportOverdue === true) steps.push({ text: 'Progress report overdue (claims are held)' });
  const discharged = view.discharged as View | undefined;
  if (discharged)
    steps.push({ ...(str(discharged.date) ? { at: str(discharged.date) } : {}), text: 'Discharged' });
  return steps;
}

const claimWaits: Record<string, string> = {
  coding: 'Coding and scrubbing of the visit.',
  needs_correction: 'A correction of the held claim (the fix-claim task, or a correction through the API).',
  submitted: "The payer's acknowledgement (999 / 277CA).",
  acknowledged: "The payer's remittance (835).",
  resubmitting: 'The replacement claim to go out.',
  denied: "A biller's decision on the denial.",
  appeal: "The appeal's outcome.",
  reopening: 'The reopened claim to be filed again.',
  unbalanced_remittance: "A biller's review of a remittance that does not balance.",
  needs_review: "A biller's review.",
};
const onboardingWaits: Record<string, string> = {
  registering: 'The patient to be registered in the EMR.',
  verifying_eligibility: "The payer's eligibility answer.",
  awaiting_coverage_update: 'Updated insurance from the patient or front desk.',
  awaiting_phone_verification: 'Coverage verified by phone (front-desk task).',
  scheduling: 'The initial evaluation to be booked.',
  needs_scheduling: 'The front desk to book the initial evaluation.',
  awaiting_check_in: 'The patient to check in for the evaluation.',
};
const authorizationWaits: Record<string, string> = {
  draft: 'The request to be submitted.',
  submitted: "The payer's decision.",
  pending: "The payer's decision.",
  approved: 'Visits to be recorded.',
  partially_approved: 'Visits to be recorded.',
  active: 'Visits to be recorded until the end date or the last visit.',
  expiring: 'An extension (the authorization runs out soon).',
  extension_requested: "The payer's decision on the extension.",
  needs_attention: 'Staff to resolve what the payer reported.',
};
const planOfCareWaits: Record<string, string> = {
  awaiting_certification: "The physician's signature on the plan of care.",
  certification_late: "The physician's signature (late: past the certification window).",
  recertification_due: 'Re-evaluation and recertification.',
  certified: 'Visits, progress reports and the next recertification.',
};
const waitsByKind: Record<ConsoleKind, Record<string, string>> = {
  claim: claimWaits,
  onboarding: onboardingWaits,
  authorization: authorizationWaits,
  'plan-of-care': planOfCareWaits,
};
const stepsByKind: Record<ConsoleKind, (view: View) => Step[]> = {
  claim: claimSteps,
  onboarding: onboardingSteps,
  authorization: authorizationSteps,
  'plan-of-care': planOfCareSteps,
};

/** What the process waits for next, in words (undefined once it has finished). */
export function waitsFor(data: Pick<ProcessPageData, 'kind' | 'view' | 'execution'>): string | undefined {
  if (data.execution !== 'RUNNING') return undefined;
  return waitsByKind[data.kind][stateOf(data.view)] ?? `Its next step (state: ${words(stateOf(data.view))}).`;
}

function when(at: string | Date | undefined, timeZone: string): string {
  if (at === undefined) return '';
  // Calendar dates (YYYY-MM-DD) are the practice's own dates already.
  if (typeof at === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(at))
    return `<time datetime="${esc(at)}">${esc(at)}</time>`;
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return esc(String(at));
  return `<time datetime="${esc(date.toISOString())}">${esc(formatInZone(date, timeZone))}</time>`;
}

function renderValue(value: unknown, timeZone: string): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    const page = processPagePath(value);
    if (page) return `<a href="${esc(page)}">${esc(value)}</a>`;
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return when(value, timeZone);
    return esc(value);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    return `<ul>${value.map((v) => `<li>${renderValue(v, timeZone)}</li>`).join('')}</ul>`;
  }
  if (typeof value === 'object') {
    return Object.entries(value as View)
      .map(([k, v]) => `${esc(k)}: ${renderValue(v, timeZone)}`)
      .join('; ');
  }
  return esc(String(value));
}

/** The fields of the caller's view as a definition list (only what the role view kept). */
export function viewFields(view: View, timeZone: string): string {
  return (
    `<dl class="who">` +
    Object.entries(view)
      .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${renderValue(v, timeZone)}</dd>`)
      .join('') +
    `</dl>`
  );
}

/** The page body of a process (an HTML fragment for the console layout). */
export function processPageBody(data: ProcessPageData, timeZone: string): string {
  const state = stateOf(data.view);
  const steps: Step[] = [
    ...(data.startedAt ? [{ at: data.startedAt, text: 'Started' }] : []),
    ...stepsByKind[data.kind](data.view),
    ...(data.closedAt ? [{ at: data.closedAt, text: `Closed (${data.execution.toLowerCase()})` }] : []),
  ];
  const waits = waitsFor(data);
  const blocking = Array.isArray(data.view.blockingFindings) ? (data.view.blockingFindings as string[]) : [];
  const tasks = data.openTasks.length
    ? `<ul>${data.openTasks
        .map(
          (t) =>
            `<li><a href="/console/tasks/${esc(t.id)}">${esc(t.title)}</a> · ${esc(words(t.assigneeRole))} · ` +
            `due ${when(t.dueAt, timeZone)}${t.status === 'escalated' ? ' · <span class="overdue">escalated</span>' : ''}</li>`,
        )
        .join('')}</ul>`
    : '<p>No open tasks.</p>';
  return [
    data.breakGlass
      ? `<p class="notice" role="note">Break-glass access: you see the full record, and this view is audited.</p>`
      : '',
    `<dl class="who">` +
      `<dt>Process</dt><dd>${esc(data.spec.label)} <code>${esc(data.workflowId)}</code></dd>` +
      `<dt>State</dt><dd><strong class="state">${esc(words(state))}</strong>` +
      (data.view.needsAttention === true ? ' · <span class="overdue">needs attention</span>' : '') +
      `</dd>` +
      `<dt>Execution</dt><dd>${esc(data.execution.toLowerCase())}</dd>` +
      (blocking.length
        ? `<dt>Held because</dt><dd>${esc(blocking.map(findingInWords).join('; '))}</dd>`
        : '') +
      `</dl>`,
    `<h2>Waits for</h2>`,
    `<p>${waits ? esc(waits) : 'Nothing: the process has finished.'}</p>` +
      (data.nextDeadline ? `<p>Next deadline: ${when(data.nextDeadline, timeZone)}</p>` : ''),
    `<h2>Open tasks</h2>`,
    tasks,
    `<h2>Timeline</h2>`,
    `<ol class="timeline">${steps
      .map((s) => `<li>${s.at !== undefined ? `${when(s.at, timeZone)} · ` : ''}${esc(s.text)}</li>`)
      .join('')}</ol>`,
    `<h2>Details</h2>`,
    viewFields(data.view, timeZone),
    `<h2>In Temporal</h2>`,
    `<p><a href="${esc(data.temporalUi)}" rel="noreferrer">Open this workflow in the Temporal UI</a> ` +
      `<span class="note">(its history; inputs decode after you sign in there)</span></p>`,
  ].join('\n');
}

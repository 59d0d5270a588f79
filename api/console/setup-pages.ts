// The first-run setup wizard's pages (HTML bodies for api/console/layout.ts): the overview ("setup N of M" and
// each step's state), one page per step (a form that saves on its own; list steps show what is saved and add
// one more; the upload step takes a CSV file), and the review page naming exactly what is still missing.
// Titles are fixed words; URLs carry step names only (practice data, no PHI).
import { esc } from '../auth/pages.js';
import { consoleCsrf, type ConsoleContext } from './layout.js';
import { errorSummary, renderFields, type FormState } from './forms.js';
import type { SetupProgress, SetupStep, StepView } from './setup-steps.js';

/** Where the wizard lives. */
export const SETUP_PATH = '/console/setup';
/** The URL of a step. */
export const stepPath = (key: string) => `${SETUP_PATH}/${key}`;

/** "setup N of M" in words. */
export const progressWords = (p: SetupProgress) => `${p.done} of ${p.total} steps done`;

function stepList(progress: SetupProgress, current?: string): string {
  return (
    `<ol class="steps">` +
    progress.steps
      .map(
        (s) =>
          `<li><a href="${stepPath(s.key)}"${s.key === current ? ' aria-current="step"' : ''}>${esc(s.title)}</a>` +
          ` <span class="${s.done ? 'state-done' : 'state-missing'}">${s.done ? 'done' : 'to do'}</span></li>`,
      )
      .join('') +
    `<li><a href="${SETUP_PATH}/review"${current === 'review' ? ' aria-current="step"' : ''}>Review</a></li>` +
    `</ol>`
  );
}

/** GET /console/setup: where setup stands and the way in. */
export function overviewBody(progress: SetupProgress): string {
  const next = progress.steps.find((s) => !s.done);
  return (
    `<p>Set up the practice once, step by step: each step saves on its own, so you can stop and come back. ` +
    `Claims, messages and reports take every party from this profile.</p>` +
    `<p class="${next ? 'notice' : 'success'}">Practice setup: ${esc(progressWords(progress))}.</p>` +
    `<nav aria-label="Setup steps">${stepList(progress)}</nav>` +
    (next
      ? `<p><a class="button" href="${stepPath(next.key)}">Continue with ${esc(next.title.toLowerCase())}</a></p>`
      : `<p><a class="button" href="${SETUP_PATH}/review">Review the profile</a></p>`)
  );
}

/** One step's page: the steps, what is saved, the form (with its errors), and the way on. */
export function stepBody(
  ctx: ConsoleContext,
  step: SetupStep,
  progress: SetupProgress,
  view: StepView,
  state: FormState,
  notice?: string,
): string {
  const index = progress.steps.findIndex((s) => s.key === step.key);
  const next = progress.steps[index + 1];
  const prefix = 's';
  const table = view.table
    ? view.table.rows.length === 0
      ? `<p>None yet.</p>`
      : `<table class="list"><caption>${esc(view.table.caption)}</caption><thead><tr>` +
        view.table.columns.map((c) => `<th scope="col">${esc(c)}</th>`).join('') +
        `</tr></thead><tbody>` +
        view.table.rows.map((r) => `<tr>${r.map((cell) => `<td>${esc(cell)}</td>`).join('')}</tr>`).join('') +
        `</tbody></table>`
    : '';
  const enctype = step.fields.some((f) => f.type === 'file') ? ' enctype="multipart/form-data"' : '';
  const missing = progress.steps[index]?.missing ?? [];
  return (
    `<p class="note">Step ${index + 1} of ${progress.total} · ${esc(progressWords(progress))}</p>` +
    (notice ? `<p class="success" role="status">${esc(notice)}</p>` : '') +
    `<h2>${esc(step.title)}</h2><p>${esc(step.intro)}</p>` +
    (missing.length > 0
      ? `<p class="note">Still needed here: ${missing.map((m) => esc(m)).join('; ')}.</p>`
      : `<p class="note">This step is complete.</p>`) +
    table +
    (step.formHeading ? `<h3>${esc(step.formHeading)}</h3>` : '') +
    errorSummary(prefix, state) +
    `<form method="post" action="${stepPath(step.key)}"${enctype}>${consoleCsrf(ctx)}` +
    renderFields(
      prefix,
      step.fields.map((f) => (view.options?.[f.key] ? { ...f, options: view.options[f.key] } : f)),
      state,
    ) +
    `<p><button type="submit">${esc(step.submitLabel)}</button></p></form>` +
    `<p>${next ? `<a href="${stepPath(next.key)}">Next: ${esc(next.title)}</a> · ` : ''}` +
    `<a href="${SETUP_PATH}/review">Review what is missing</a></p>` +
    `<nav aria-label="Setup steps">${stepList(progress, step.key)}</nav>`
  );
}

/** GET /console/setup/review: every missing item by step, or that the profile is complete. */
export function reviewBody(progress: SetupProgress): string {
  const incomplete = progress.steps.filter((s) => !s.done);
  return (
    (incomplete.length === 0
      ? `<p class="success" role="status">The practice profile is complete. Claims, messages and reports ` +
        `take every party from it.</p>`
      : `<p class="notice">The practice profile is not complete yet: ${esc(progressWords(progress))}. ` +
        `Still missing:</p>` +
        `<ul class="missing">` +
        incomplete
          .map(
            (s) =>
              `<li><a href="${stepPath(s.key)}">${esc(s.title)}</a><ul>` +
              s.missing.map((m) => `<li>${esc(m)}</li>`).join('') +
              `</ul></li>`,
          )
          .join('') +
        `</ul>`) + `<nav aria-label="Setup steps">${stepList(progress, 'review')}</nav>`
  );
}

/** The page non-admins get (setup is the administrator's). */
export const notForYourRoleBody =
  `<p class="notice" role="alert">Only an administrator sets up the practice.</p>` +
  `<p><a href="/console/worklist">Back to the worklist</a></p>`;

// The console's shared form helper: field definitions, rendering (label, hint, error beside the field, joined to
// the input by aria-describedby, aria-invalid), an error summary that links to each field, reading a posted form
// into trimmed strings, building the REST body the schema validates (dotted keys nest, e.g. `payTo.line1`), zod
// issues and problem+json `errors` turned into field messages, and `runForm`: the one read → validate → refuse →
// submit → problem-to-page sequence every console form POST runs (pages keep the typed values on every error).
// Messages come from the schema's side only (api/problem.ts `fieldErrors`): never a submitted value.
import type { FastifyReply } from 'fastify';
import { esc } from '../auth/pages.js';
import { fieldErrors, HttpProblem, type FieldError, type IssueLike } from '../problem.js';

/** One field of a console form. */
export interface FormField {
  /** Form field name; dots nest in the body (`payTo.line1` → `{ payTo: { line1 } }`). */
  key: string;
  label: string;
  hint?: string;
  type?: 'text' | 'date' | 'tel' | 'integer' | 'select' | 'file' | 'email';
  /** select: [value, label] pairs. */
  options?: readonly (readonly [string, string])[];
  required?: boolean;
  /** The HTML autocomplete token (default "off"). */
  autocomplete?: string;
  /** file: the accepted types (e.g. ".csv,text/csv"). */
  accept?: string;
}

/** What a form shows: the typed values, per-field errors and a message about the whole form. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** Itemised errors under a field's error (e.g. a CSV file's rows: "Line 3, column amount: …"). */
  details?: Record<string, string[]>;
  message?: string;
}

/** A form showing `values` and no errors (a page's first load). */
export const emptyForm = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });

/** The id of a field's input on a page (prefix keeps two forms on one page apart). */
export const fieldId = (prefix: string, key: string) => `${prefix}-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;

function describedBy(id: string, error: string | undefined, hint: boolean, details = false): string {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : '', details ? `${id}-details` : '']
    .filter(Boolean)
    .join(' ');
  return (ids ? ` aria-describedby="${ids}"` : '') + (error ? ' aria-invalid="true"' : '');
}

/** One field: label, hint, the error (beside the input, referenced by aria-describedby), the input. */
export function renderField(
  prefix: string,
  f: FormField,
  value: string,
  error: string | undefined,
  details: readonly string[] = [],
): string {
  const id = fieldId(prefix, f.key);
  const req = f.required ? ' <span class="note">(required)</span>' : '';
  const hint = f.hint ? `<p class="hint" id="${id}-hint">${esc(f.hint)}</p>` : '';
  const err =
    (error ? `<p class="error" id="${id}-error">${esc(error)}</p>` : '') +
    (details.length > 0
      ? `<ul class="error" id="${id}-details">${details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>`
      : '');
  const aria = describedBy(id, error, Boolean(f.hint), details.length > 0) + (f.required ? ' required' : '');
  let input: string;
  if (f.type === 'select') {
    input =
      `<select id="${id}" name="${esc(f.key)}"${aria}>` +
      `<option value="">Choose…</option>` +
      (f.options ?? [])
        .map(([v, l]) => `<option value="${esc(v)}"${v === value ? ' selected' : ''}>${esc(l)}</option>`)
        .join('') +
      `</select>`;
  } else if (f.type === 'file') {
    input = `<input id="${id}" name="${esc(f.key)}" type="file"${f.accept ? ` accept="${esc(f.accept)}"` : ''}${aria}>`;
  } else {
    const type = f.type === 'integer' || !f.type ? 'text' : f.type;
    input =
      `<input id="${id}" name="${esc(f.key)}" type="${type}"${f.type === 'integer' ? ' inputmode="numeric"' : ''}` +
      ` value="${esc(value)}" autocomplete="${esc(f.autocomplete ?? 'off')}"${aria}>`;
  }
  return `<div class="field"><label for="${id}">${esc(f.label)}${req}</label>${hint}${err}${input}</div>`;
}

/** All fields of a form, in order. */
export function renderFields(prefix: string, fields: readonly FormField[], state: FormState): string {
  return fields
    .map((f) =>
      renderField(prefix, f, state.values[f.key] ?? '', state.errors[f.key], state.details?.[f.key]),
    )
    .join('');
}

/** The alert above a form: how many fields need attention, each a link to its field; and the form's message. */
export function errorSummary(prefix: string, state: FormState): string {
  const entries = Object.entries(state.errors);
  const list =
    entries.length > 0
      ? `<div class="notice" role="alert"><p>${entries.length === 1 ? 'One field needs' : `${entries.length} fields need`} attention:</p><ul>` +
        entries.map(([k, m]) => `<li><a href="#${fieldId(prefix, k)}">${esc(m)}</a></li>`).join('') +
        `</ul></div>`
      : '';
  const message = state.message ? `<div class="notice" role="alert"><p>${esc(state.message)}</p></div>` : '';
  return list + message;
}

/** The posted form's values of `fields` (strings, trimmed; files are read elsewhere). */
export function readValues(body: unknown, fields: readonly FormField[]): Record<string, string> {
  const b = (body ?? {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const f of fields) {
    if (f.type === 'file') continue;
    const v = b[f.key];
    if (typeof v === 'string' && v.trim() !== '') values[f.key] = v.trim();
  }
  return values;
}

/** The request body a schema validates: dotted keys nested, integers as numbers, empty fields left out. */
export function bodyOf(
  values: Record<string, string>,
  fields: readonly FormField[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.key];
    if (v === undefined || f.type === 'file') continue;
    const path = f.key.split('.');
    let at = body;
    for (const part of path.slice(0, -1)) {
      at[part] = (at[part] as Record<string, unknown> | undefined) ?? {};
      at = at[part] as Record<string, unknown>;
    }
    at[path[path.length - 1]!] = f.type === 'integer' && /^-?\d+$/.test(v) ? Number(v) : v;
  }
  return body;
}

/** The form field a JSON pointer of the body lands on (the longest field key that is a prefix of it). */
function fieldOfPointer(pointer: string, fields: readonly FormField[]): FormField | undefined {
  const dotted = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  return [...fields]
    .sort((a, b) => b.key.length - a.key.length)
    .find((f) => dotted === f.key || dotted.startsWith(`${f.key}.`));
}

/** problem+json field errors → messages beside the form's fields (the rest go to the form's message). */
export function formErrorsOf(
  errors: readonly Pick<FieldError, 'pointer' | 'detail' | 'code'>[],
  fields: readonly FormField[],
  values: Record<string, string>,
): { errors: Record<string, string>; unplaced: string[] } {
  const out: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const e of errors) {
    const field = fieldOfPointer(e.pointer, fields);
    if (!field) {
      unplaced.push(e.detail);
      continue;
    }
    if (out[field.key]) continue;
    const missing = values[field.key] === undefined && e.code === 'invalid_type';
    out[field.key] = `${field.label}: ${missing ? 'enter a value.' : e.detail}`;
  }
  return { errors: out, unplaced };
}

/** zod issues (from `safeParse`) → the form's field messages. */
export function formErrorsOfIssues(
  issues: readonly IssueLike[],
  fields: readonly FormField[],
  values: Record<string, string>,
): { errors: Record<string, string>; unplaced: string[] } {
  return formErrorsOf(
    issues.flatMap((i) => fieldErrors('body', i)),
    fields,
    values,
  );
}

/** A schema with zod's `safeParse` (kept structural so any zod object schema fits). */
export interface ParsesBody<T> {
  safeParse(
    input: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly IssueLike[] } };
}

/** Thrown by a form's `submit` to show the page again with these errors (e.g. a CSV file's rows). */
export class FormRejected extends Error {
  constructor(
    readonly status: number,
    readonly state: Omit<FormState, 'values'>,
  ) {
    super('form rejected');
    this.name = 'FormRejected';
  }
}

/** What `runForm` needs: the values, how to validate, submit and answer. */
export interface RunFormOptions<T> {
  reply: FastifyReply;
  fields: readonly FormField[];
  /** The posted values (from `readValues`). */
  values: Record<string, string>;
  /** Validation: a zod schema of the body, or a function answering the data or the field errors. */
  validate:
    | ParsesBody<T>
    | ((values: Record<string, string>) => { data?: T; errors: Record<string, string>; message?: string });
  /** A reason to refuse before submitting (status and text), e.g. the caller's role. */
  refuse?: () => { status: number; text: string } | undefined;
  /**
   * Does the work; an HttpProblem it throws is shown on the page (its `errors` beside the fields), a FormRejected
   * as it says.
   */
  submit: (data: T) => Promise<void>;
  /** Sends the page of the form again with `state`, with the status to answer. */
  render: (status: number, state: FormState) => FastifyReply | Promise<FastifyReply>;
  /** After success (post/redirect/get). */
  done: () => FastifyReply | Promise<FastifyReply>;
  /** Answers a 404 from `submit` (another practice's object: it does not exist for the caller). */
  notFound?: () => FastifyReply | Promise<FastifyReply>;
}

/**
 * The console's form POST, once: validate the values (400 with each error beside its field, values kept), refuse
 * when `refuse` says so (its status, the values kept), submit, and turn a problem the shared code path raises into
 * the same page (its field errors beside the fields, else its detail as the form's message). Success → `done`.
 */
export async function runForm<T>(o: RunFormOptions<T>): Promise<FastifyReply> {
  let data: T;
  if (typeof o.validate === 'function') {
    const checked = o.validate(o.values);
    if (Object.keys(checked.errors).length > 0 || checked.data === undefined || checked.message) {
      return o.render(400, {
        values: o.values,
        errors: checked.errors,
        ...(checked.message ? { message: checked.message } : {}),
      });
    }
    data = checked.data;
  } else {
    const parsed = o.validate.safeParse(bodyOf(o.values, o.fields));
    if (!parsed.success) {
      const { errors, unplaced } = formErrorsOfIssues(parsed.error.issues, o.fields, o.values);
      return o.render(400, {
        values: o.values,
        errors,
        ...(unplaced.length > 0 ? { message: unplaced.join(' ') } : {}),
      });
    }
    data = parsed.data;
  }
  const refused = o.refuse?.();
  if (refused) return o.render(refused.status, { values: o.values, errors: {}, message: refused.text });
  try {
    await o.submit(data);
  } catch (err) {
    if (err instanceof FormRejected) return o.render(err.status, { ...err.state, values: o.values });
    if (!(err instanceof HttpProblem)) throw err;
    if (err.problem.status === 404 && o.notFound) return o.notFound();
    const listed = Array.isArray(err.problem.errors) ? (err.problem.errors as FieldError[]) : [];
    const { errors, unplaced } = formErrorsOf(listed, o.fields, o.values);
    const message =
      Object.keys(errors).length > 0 && unplaced.length === 0
        ? undefined
        : unplaced.length > 0
          ? unplaced.join(' ')
          : (err.problem.detail ?? err.problem.title);
    return o.render(err.problem.status, {
      values: o.values,
      errors,
      ...(message ? { message } : {}),
    });
  }
  return o.done();
}

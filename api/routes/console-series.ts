// The console's series booking and equipment pages (issue 18 part 3; server-rendered HTML, no script):
//   GET  /console/processes/plan-of-care/:id/series   the "Book the series" form of a plan of care
//   POST /console/processes/plan-of-care/:id/series   intent=preview: plan and show the visits and the explanation;
//                                                     intent=book: plan again, book only if the plan is the one
//                                                     previewed (its fingerprint), else show the new plan and ask
//   GET  /console/equipment                           the practice's devices per location: session length,
//                                                     maintenance windows, the next two weeks' reservations
//   POST /console/equipment                           add a device (the REST body, errors beside the fields)
//   POST /console/equipment/:id/maintenance           add a weekly maintenance window to a device
//   POST /console/equipment/:id/maintenance/remove    remove one of its windows (ruleId)
// Both go through the REST routes' code: `runCareSeries` (POST /v1/plans-of-care/{id}/series) and the equipment
// service of /v1/practice/equipment (`createEquipmentService`: the same tenancy, validation schemas and audit). Roles as in the API: the series for admin and front desk (the
// route's roles), the equipment page for admins. Another practice's plan of care is the 404 page. CSRF: the auth
// plugin checks the form's token.
import formbody from '@fastify/formbody';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createMaintenanceRuleRepository } from '../../db/repositories/equipment-maintenance-rules.js';
import { createReservationRepository } from '../../db/repositories/equipment-reservations.js';
import { createEquipmentRepository } from '../../db/repositories/equipment.js';
import { createLocationRepository } from '../../db/repositories/locations.js';
import { therapists } from '../../db/schema.js';
import { isUuid } from '../../domain/ids.js';
import { EQUIPMENT_KINDS, equipmentSessionMinutes } from '../../domain/scheduling/equipment.js';
import { esc } from '../auth/pages.js';
import { staffRoles } from '../auth/session.js';
import {
  emptyForm,
  errorSummary,
  formErrorsOfIssues,
  FormRejected,
  readValues,
  renderFields,
  runForm,
  type FormField,
  type FormState,
} from '../console/forms.js';
import {
  consoleContext,
  consoleCsrf,
  formatInZone,
  sendConsoleNotFound,
  sendConsolePage,
  type ConsoleContext,
} from '../console/layout.js';
import { todayInZone, type ConsoleDeps } from '../console/process-data.js';
import {
  allSeriesFields,
  seriesFromForm,
  seriesPageBody,
  visitsNotAsPlanned,
  WEEKDAY_NAMES,
  type SeriesChoices,
  type SeriesOutcome,
} from '../console/series-page.js';
import { ownedProcess } from '../processes.js';
import { planFingerprint } from '../series-fingerprint.js';
import { HttpProblem } from '../problem.js';
import { runCareSeries, SERIES_ROLES } from './care-series.js';
import { createEquipmentService, EquipmentInputSchema, MaintenanceRulesSchema } from './equipment.js';

/** The path of a plan of care's "Book the series" page. */
export const seriesPagePath = (planOfCareId: string) =>
  `/console/processes/plan-of-care/${planOfCareId}/series`;

/** How far ahead the equipment page lists reservations. */
const RESERVATION_DAYS = 14;

async function choicesOf(deps: ConsoleDeps, practiceId: string): Promise<SeriesChoices> {
  const [staff, places, devices] = await Promise.all([
    deps.db
      .select({ id: therapists.id, name: therapists.name })
      .from(therapists)
      .where(and(eq(therapists.practiceId, practiceId), eq(therapists.active, true)))
      .orderBy(asc(therapists.name)),
    createLocationRepository(deps.db).list(practiceId),
    createEquipmentRepository(deps.db).list(practiceId),
  ]);
  return {
    therapists: staff,
    locations: places.filter((l) => l.active).map((l) => ({ id: l.id, name: l.name })),
    equipment: devices.map((d) => ({ id: d.id, name: d.name })),
  };
}

/** A refusal of the process in the form's words: a field's own error beside it, else what to do. */
function refusalOf(err: HttpProblem, fieldsLabel: (key: string) => string | undefined): FormRejected {
  const reason = err.problem.reason;
  const detail = err.problem.detail ?? '';
  if (reason === 'PatientNotInEmr')
    return new FormRejected(422, {
      errors: {},
      message:
        'The patient is not registered in the EMR yet, so no visit can be booked. Finish the onboarding ' +
        '(it registers the patient), then preview again.',
    });
  const m = /^([A-Za-z]+): (.*)$/.exec(detail);
  const label = m ? fieldsLabel(m[1]!) : undefined;
  if (m && label) return new FormRejected(422, { errors: { [m[1]!]: `${label}: ${m[2]}` } });
  return new FormRejected(err.problem.status, {
    errors: {},
    message: `The series cannot be planned as asked: ${detail || 'check the values and preview again.'}`,
  });
}

/** The series and equipment console pages. */
export function consoleSeriesRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    const options = { config: { roles: staffRoles, page: true }, schema: { hide: true } } as const;

    const notForRole = (reply: FastifyReply, ctx: ConsoleContext, section: 'processes' | 'equipment') =>
      sendConsolePage(reply, 403, ctx, {
        title: 'Not for your role',
        section,
        body: `<p class="notice" role="alert">Your role may not use this page.</p><p><a href="/console">Back to the console</a></p>`,
      });

    /** The console context and the plan of care's id when the caller may book its series, else the answer sent. */
    const seriesContext = async (
      req: FastifyRequest<{ Params: { id: string } }>,
      reply: FastifyReply,
    ): Promise<ConsoleContext | undefined> => {
      const ctx = await consoleContext(app, deps.db, req);
      if (!isUuid(req.params.id)) {
        await sendConsoleNotFound(reply, ctx, 'processes');
        return undefined;
      }
      if (!(SERIES_ROLES as readonly string[]).includes(ctx.principal.role)) {
        await notForRole(reply, ctx, 'processes');
        return undefined;
      }
      try {
        await ownedProcess(deps, req, 'poc', req.params.id);
      } catch (err) {
        if (err instanceof HttpProblem && err.problem.status === 404) {
          await sendConsoleNotFound(reply, ctx, 'processes');
          return undefined;
        }
        throw err;
      }
      return ctx;
    };

    const sendSeries = (
      reply: FastifyReply,
      ctx: ConsoleContext,
      id: string,
      choices: SeriesChoices,
      status: number,
      state: FormState,
      outcome?: SeriesOutcome,
    ) =>
      sendConsolePage(reply, status, ctx, {
        title: 'Book the series',
        section: 'processes',
        body:
          `<p><a href="/console/processes/plan-of-care/${esc(id)}">Back to the plan of care</a></p>` +
          seriesPageBody({
            action: seriesPagePath(id),
            csrf: consoleCsrf(ctx),
            choices,
            state,
            timeZone: ctx.timeZone,
            ...(outcome ? { outcome } : {}),
          }),
      });

    app.get<{ Params: { id: string } }>(
      '/console/processes/plan-of-care/:id/series',
      options,
      async (req, reply) => {
        const ctx = await seriesContext(req, reply);
        if (!ctx) return reply;
        const choices = await choicesOf(deps, ctx.principal.practiceId);
        const today = todayInZone(deps.now(), ctx.timeZone);
        return sendSeries(
          reply,
          ctx,
          req.params.id,
          choices,
          200,
          emptyForm({ acuity: 'subacute', visitsPerWeek: '2', weeks: '6', startDate: today }),
        );
      },
    );

    app.post<{ Params: { id: string } }>(
      '/console/processes/plan-of-care/:id/series',
      options,
      async (req, reply) => {
        const ctx = await seriesContext(req, reply);
        if (!ctx) return reply;
        const id = req.params.id;
        const choices = await choicesOf(deps, ctx.principal.practiceId);
        const fields = allSeriesFields(choices);
        const body = (req.body ?? {}) as Record<string, unknown>;
        const intent = body.intent === 'book' ? 'book' : 'preview';
        const fingerprint = typeof body.fingerprint === 'string' ? body.fingerprint : '';
        const values = readValues(body, fields);
        let outcome: SeriesOutcome | undefined;
        let status = 200;
        let message: string | undefined;
        const run = async (input: Parameters<typeof runCareSeries>[3]) => {
          try {
            return await runCareSeries(deps, req, id, input);
          } catch (err) {
            if (err instanceof HttpProblem && err.problem.status === 422)
              throw refusalOf(err, (k) => fields.find((f) => f.key === k)?.label);
            throw err;
          }
        };
        return runForm({
          reply,
          fields,
          values,
          validate: (v) => seriesFromForm(v, fields),
          submit: async (data) => {
            const preview = await run({ ...data, preview: true });
            if (intent === 'preview') {
              outcome = { kind: 'preview', result: preview };
              return;
            }
            if (planFingerprint(preview) !== fingerprint) {
              // The free times changed since the preview: show the plan as it is now and ask again.
              outcome = { kind: 'preview', result: preview, stale: true };
              status = 409;
              message =
                'The free times changed since your preview, so nothing was booked. This is the plan now: ' +
                'check it and press Book again.';
              return;
            }
            const booked = await run({ ...data, preview: false });
            outcome = { kind: 'booked', result: booked, notAsPlanned: visitsNotAsPlanned(preview, booked) };
          },
          render: (code, state) => sendSeries(reply, ctx, id, choices, code, state),
          done: () =>
            sendSeries(
              reply,
              ctx,
              id,
              choices,
              status,
              { values, errors: {}, ...(message ? { message } : {}) },
              outcome,
            ),
          notFound: () => sendConsoleNotFound(reply, ctx, 'processes'),
        });
      },
    );

    /** The equipment page with the forms' states (a failed form keeps its values and errors). */
    const sendEquipment = async (
      reply: FastifyReply,
      ctx: ConsoleContext,
      status: number,
      forms: EquipmentForms = {},
      notice?: string,
    ) =>
      sendConsolePage(reply, status, ctx, {
        title: 'Equipment',
        section: 'equipment',
        body: await equipmentBody(deps, ctx, forms),
        ...(notice ? { notice } : {}),
      });
    const adminOnly = async (req: FastifyRequest, reply: FastifyReply) => {
      const ctx = await consoleContext(app, deps.db, req);
      if (ctx.principal.role === 'admin') return ctx;
      await notForRole(reply, ctx, 'equipment');
      return undefined;
    };
    const actorOf = (ctx: ConsoleContext, req: FastifyRequest) => ({
      principal: ctx.principal,
      requestId: req.id,
      ip: req.ip,
    });
    const service = createEquipmentService(deps.db);
    const rulesRepo = createMaintenanceRuleRepository(deps.db);
    const NOTICES: Record<string, string> = {
      device: 'Device added.',
      window: 'Maintenance window added; the nightly schedule reserves it ahead.',
      removed: 'Maintenance window removed.',
    };

    app.get<{ Querystring: { saved?: string } }>('/console/equipment', options, async (req, reply) => {
      const ctx = await adminOnly(req, reply);
      if (!ctx) return reply;
      const saved = req.query.saved;
      return sendEquipment(
        reply,
        ctx,
        200,
        {},
        saved && Object.hasOwn(NOTICES, saved) ? NOTICES[saved] : undefined,
      );
    });

    app.post('/console/equipment', options, async (req, reply) => {
      const ctx = await adminOnly(req, reply);
      if (!ctx) return reply;
      const places = await createLocationRepository(deps.db).list(ctx.principal.practiceId);
      const fields = deviceFields(places);
      return runForm({
        reply,
        fields,
        values: readValues(req.body, fields),
        validate: EquipmentInputSchema,
        submit: async (data) => {
          await service.add(actorOf(ctx, req), data);
        },
        render: (status, state) => sendEquipment(reply, ctx, status, { device: state }),
        done: () => reply.redirect('/console/equipment?saved=device', 303),
      });
    });

    app.post<{ Params: { id: string } }>(
      '/console/equipment/:id/maintenance',
      options,
      async (req, reply) => {
        const ctx = await adminOnly(req, reply);
        if (!ctx) return reply;
        const id = req.params.id;
        if (!isUuid(id)) return sendConsoleNotFound(reply, ctx, 'equipment');
        return runForm({
          reply,
          fields: WINDOW_FIELDS,
          values: readValues(req.body, WINDOW_FIELDS),
          validate: windowFromForm,
          submit: async (rule) => {
            const existing = await rulesRepo.list(ctx.principal.practiceId, id);
            const all = MaintenanceRulesSchema.safeParse({ rules: [...existing.map(ruleWrite), rule] });
            if (!all.success)
              throw new FormRejected(400, {
                errors: {},
                message: 'A device has at most 28 maintenance windows: remove one first.',
              });
            await service.replaceMaintenance(actorOf(ctx, req), id, all.data);
          },
          render: (status, state) => sendEquipment(reply, ctx, status, { window: { deviceId: id, state } }),
          done: () => reply.redirect('/console/equipment?saved=window', 303),
          notFound: () => sendConsoleNotFound(reply, ctx, 'equipment'),
        });
      },
    );

    app.post<{ Params: { id: string } }>(
      '/console/equipment/:id/maintenance/remove',
      options,
      async (req, reply) => {
        const ctx = await adminOnly(req, reply);
        if (!ctx) return reply;
        const id = req.params.id;
        const ruleId = (req.body as Record<string, unknown> | undefined)?.ruleId;
        if (!isUuid(id) || typeof ruleId !== 'string') return sendConsoleNotFound(reply, ctx, 'equipment');
        const existing = await rulesRepo.list(ctx.principal.practiceId, id);
        if (!existing.some((r) => r.ruleId === ruleId)) return sendConsoleNotFound(reply, ctx, 'equipment');
        await service.replaceMaintenance(actorOf(ctx, req), id, {
          rules: existing.filter((r) => r.ruleId !== ruleId).map(ruleWrite),
        });
        return reply.redirect('/console/equipment?saved=removed', 303);
      },
    );
  };
}

/** The forms of the equipment page that show a posted state (values and errors kept). */
interface EquipmentForms {
  device?: FormState;
  window?: { deviceId: string; state: FormState };
}

/** The "Add a device" form: the REST body's fields (POST /v1/practice/equipment). */
function deviceFields(places: { id: string; name: string; active: boolean }[]): FormField[] {
  return [
    {
      key: 'locationId',
      label: 'Location',
      type: 'select',
      required: true,
      options: places.filter((l) => l.active).map((l) => [l.id, l.name] as const),
    },
    {
      key: 'kind',
      label: 'Kind',
      type: 'select',
      required: true,
      options: EQUIPMENT_KINDS.map((k) => [k, k.replace(/-/g, ' ')] as const),
    },
    { key: 'name', label: 'Name', required: true, hint: 'As staff call it, e.g. AlterG Via 400.' },
    {
      key: 'sessionMinutes',
      label: 'Minutes per visit (optional)',
      type: 'integer',
      hint: 'How long a visit holds it, 5 to 240; empty = the kind’s default.',
    },
  ];
}

/** The "Add a maintenance window" form: one rule of the REST body (PUT /v1/practice/equipment/{id}/maintenance). */
const WINDOW_FIELDS: FormField[] = [
  {
    key: 'weekday',
    label: 'Weekday',
    type: 'select',
    required: true,
    options: WEEKDAY_NAMES.map((d, n) => [String(n), d] as const),
  },
  { key: 'start', label: 'From', required: true, hint: 'HH:MM, the location’s time.' },
  { key: 'end', label: 'Until', required: true, hint: 'HH:MM.' },
  { key: 'effectiveFrom', label: 'Effective from', type: 'date', required: true },
  { key: 'effectiveTo', label: 'Effective until (optional)', type: 'date' },
  {
    key: 'source',
    label: 'Source',
    required: true,
    hint: 'Where the window comes from, e.g. the service contract.',
  },
];

const RuleSchema = MaintenanceRulesSchema.shape.rules.element;
type RuleWrite = ReturnType<typeof RuleSchema.parse>;

/** The window form's values as one rule, validated by the REST body's rule schema (errors beside the fields). */
function windowFromForm(values: Record<string, string>): {
  data?: RuleWrite;
  errors: Record<string, string>;
  message?: string;
} {
  const body: Record<string, unknown> = { ...values };
  if (values.weekday !== undefined && /^\d$/.test(values.weekday)) body.weekday = Number(values.weekday);
  const parsed = RuleSchema.safeParse(body);
  if (parsed.success) return { data: parsed.data, errors: {} };
  const { errors, unplaced } = formErrorsOfIssues(parsed.error.issues, WINDOW_FIELDS, values);
  return { errors, ...(unplaced.length ? { message: unplaced.join(' ') } : {}) };
}

/** A saved rule as the REST body's rule. */
const ruleWrite = (r: {
  weekday: number;
  start: string;
  end: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  source: string;
}): RuleWrite => ({
  weekday: r.weekday,
  start: r.start,
  end: r.end,
  effectiveFrom: r.effectiveFrom,
  effectiveTo: r.effectiveTo,
  source: r.source,
});

const hhmm = (ms: number, timeZone: string) =>
  new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(ms),
  );

/** The equipment page: per location, each device's session length, maintenance windows and reservations ahead. */
async function equipmentBody(deps: ConsoleDeps, ctx: ConsoleContext, forms: EquipmentForms): Promise<string> {
  const practiceId = ctx.principal.practiceId;
  const [places, devices] = await Promise.all([
    createLocationRepository(deps.db).list(practiceId),
    createEquipmentRepository(deps.db).list(practiceId),
  ]);
  const rules = createMaintenanceRuleRepository(deps.db);
  const now = deps.now();
  const until = new Date(now.getTime() + RESERVATION_DAYS * 86_400_000);
  const [ruleLists, busy] = await Promise.all([
    Promise.all(devices.map((d) => rules.list(practiceId, d.id))),
    createReservationRepository(deps.db).busy(
      practiceId,
      devices.map((d) => d.id),
      now,
      until,
    ),
  ]);
  const today = todayInZone(now, ctx.timeZone);
  const csrf = consoleCsrf(ctx);
  const intro =
    `<p>The devices visits book as a resource. A visit that needs one is booked only when a device of its kind ` +
    `is free; maintenance windows are reserved ahead by the nightly equipment-maintenance schedule. The same ` +
    `changes go over the API (<code>POST /v1/practice/equipment</code>, ` +
    `<code>PUT /v1/practice/equipment/{id}/maintenance</code>); <code>ptflow equipment list</code> lists them.</p>`;
  const deviceState = forms.device ?? emptyForm();
  const addDevice =
    `<h2 id="add-device">Add a device</h2>` +
    errorSummary('d', deviceState) +
    `<form method="post" action="/console/equipment" novalidate>${csrf}` +
    renderFields('d', deviceFields(places), deviceState) +
    `<button type="submit">Add the device</button></form>`;
  if (devices.length === 0) return intro + '<p>No equipment yet.</p>' + addDevice;
  const sections = places
    .filter((l) => devices.some((d) => d.locationId === l.id))
    .map((l) => {
      const rows = devices
        .filter((d) => d.locationId === l.id)
        .map((d) => {
          const i = devices.indexOf(d);
          const minutes = equipmentSessionMinutes(d.kind, today, d.sessionMinutes);
          const windows = ruleLists[i]!.length
            ? `<ul>${ruleLists[i]!.map(
                (r) =>
                  `<li>${esc(WEEKDAY_NAMES[r.weekday] ?? '?')} ${esc(r.start)}–${esc(r.end)}, from ${esc(r.effectiveFrom)}` +
                  `${r.effectiveTo ? ` to ${esc(r.effectiveTo)}` : ''} <span class="note">(${esc(r.source)})</span>` +
                  `<form method="post" action="/console/equipment/${esc(d.id)}/maintenance/remove" class="inline">` +
                  `${csrf}<input type="hidden" name="ruleId" value="${esc(r.ruleId)}">` +
                  `<button type="submit" class="small">Remove this window</button></form></li>`,
              ).join('')}</ul>`
            : 'none';
          const held = busy.filter((b) => b.equipmentId === d.id).sort((a, b) => a.startMs - b.startMs);
          const ahead = held.length
            ? `<ul>${held
                .slice(0, 10)
                .map(
                  (b) =>
                    `<li><time datetime="${new Date(b.startMs).toISOString()}">${esc(formatInZone(new Date(b.startMs), ctx.timeZone))}</time>` +
                    `–${esc(hhmm(b.endMs, ctx.timeZone))} · ${b.purpose === 'visit' ? 'a visit' : 'maintenance'}</li>`,
                )
                .join('')}</ul>${held.length > 10 ? `<p class="note">and ${held.length - 10} more</p>` : ''}`
            : 'free';
          return (
            `<tr><td>${esc(d.name)}${d.active ? '' : ' <span class="note">(inactive)</span>'}</td>` +
            `<td>${esc(d.kind.replace(/-/g, ' '))}</td>` +
            `<td>${minutes}${d.sessionMinutes ? '' : ' <span class="note">(kind default)</span>'}</td>` +
            `<td>${windows}</td><td>${ahead}</td></tr>`
          );
        })
        .join('');
      const windowForms = devices
        .filter((d) => d.locationId === l.id)
        .map((d) => {
          const state =
            forms.window?.deviceId === d.id ? forms.window.state : emptyForm({ effectiveFrom: today });
          const prefix = `w-${d.id}`;
          return (
            `<h3 id="${prefix}">Add a maintenance window to ${esc(d.name)}</h3>` +
            errorSummary(prefix, state) +
            `<form method="post" action="/console/equipment/${esc(d.id)}/maintenance" novalidate>${csrf}` +
            renderFields(prefix, WINDOW_FIELDS, state) +
            `<button type="submit">Add the window to ${esc(d.name)}</button></form>`
          );
        })
        .join('');
      return (
        `<h2>${esc(l.name)}</h2><table class="list"><caption>Devices at ${esc(l.name)}</caption><thead><tr>` +
        `<th scope="col">Device</th><th scope="col">Kind</th><th scope="col">Minutes per visit</th>` +
        `<th scope="col">Maintenance windows</th><th scope="col">Next ${RESERVATION_DAYS} days</th></tr></thead>` +
        `<tbody>${rows}</tbody></table>` +
        windowForms
      );
    })
    .join('');
  return intro + sections + addDevice;
}

// `ptflow series preview|book <planOfCareId>` and `ptflow equipment list`: the front desk's series booking and the
// practice's devices over the REST API (PTFLOW_API_URL, PTFLOW_API_KEY), printed as tables with the plan's
// explanation. `series book --expect <fingerprint>` books exactly the plan `series preview` printed: it plans
// again first and books only while the plan is the same (else it prints the new plan and books nothing).
// Start-up is module loading (issue 15): no zod here; the API validates the body and names the field.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { planFingerprint } from '../../api/series-fingerprint.js';
import type { ApiClientConfig } from '../api-client-config.js';
import { ApiCliError, createApiClient, EXIT, type ApiClient } from './api-client.js';
import { renderTable } from './table.js';

type Out = (text: string) => void;

/** The options of `series preview` and `series book` (the POST /v1/plans-of-care/{id}/series body). */
export interface SeriesOptions {
  acuity: string;
  visitsPerWeek: string;
  weeks: string;
  start: string;
  window?: string[];
  therapist?: string;
  location?: string;
  equipment?: string;
  authorization?: string;
  expect?: string;
}

interface SeriesVisit {
  start: string;
  therapistId: string;
  locationId: string;
  equipmentId?: string;
}

/** The REST route's answer (api/routes/care-series.ts SeriesResultSchema). */
export interface SeriesResult {
  seriesId: string;
  outcome: 'booked' | 'partially_booked' | 'nothing_booked' | 'preview';
  requested: number;
  visitMinutes: number;
  visits: SeriesVisit[];
  taken: number;
  explanation: string[];
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** `tue@12:00-18:00` (or `2@12:00-18:00`) → a weekly window of the body. */
export function parseWindow(text: string): { weekday: number; start: string; end: string } {
  const m = /^([a-z]{3}|[0-6])@(\d{2}:\d{2})-(\d{2}:\d{2})$/i.exec(text.trim());
  const weekday = m ? (/^\d$/.test(m[1]!) ? Number(m[1]) : DAYS.indexOf(m[1]!.toLowerCase())) : -1;
  if (!m || weekday < 0)
    throw new ApiCliError(
      `--window ${JSON.stringify(text)}: expected <day>@HH:MM-HH:MM, e.g. tue@12:00-18:00 (days sun…sat)`,
      EXIT.input,
    );
  return { weekday, start: m[2]!, end: m[3]! };
}

/** The request body from the options; numbers and ids checked by hand, the rest by the API's schema. */
export function seriesBody(opts: SeriesOptions, preview: boolean): Record<string, unknown> {
  const int = (flag: string, v: string) => {
    if (!/^\d+$/.test(v)) throw new ApiCliError(`${flag} must be a whole number`, EXIT.input);
    return Number(v);
  };
  const uuid = (flag: string, v: string | undefined) => {
    if (v !== undefined && !UUID.test(v)) throw new ApiCliError(`${flag} must be a UUID`, EXIT.input);
    return v;
  };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.start))
    throw new ApiCliError('--start must be a date as YYYY-MM-DD', EXIT.input);
  const therapist = uuid('--therapist', opts.therapist);
  const location = uuid('--location', opts.location);
  const authorization = uuid('--authorization', opts.authorization);
  return {
    acuity: opts.acuity,
    visitsPerWeek: int('--visits-per-week', opts.visitsPerWeek),
    weeks: int('--weeks', opts.weeks),
    startDate: opts.start,
    availability: (opts.window ?? []).map(parseWindow),
    ...(therapist ? { preferredTherapistId: therapist } : {}),
    ...(location ? { preferredLocationId: location } : {}),
    ...(opts.equipment ? { equipmentKind: opts.equipment } : {}),
    ...(authorization ? { authorizationId: authorization } : {}),
    preview,
  };
}

/** Names of locations and devices by id, when the key's role may list them (ids otherwise). */
async function namesOf(client: ApiClient): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const list = async (path: string) => {
    try {
      return (await client.get<{ items: { id: string; name: string }[] }>(path)).items;
    } catch (err) {
      if (err instanceof ApiCliError && (err.status === 403 || err.status === 404)) return [];
      throw err;
    }
  };
  const [places, devices] = await Promise.all([
    list('/v1/practice/locations'),
    list('/v1/practice/equipment'),
  ]);
  for (const x of [...places, ...devices]) names.set(x.id, x.name);
  return names;
}

/** The plan as a table (date and time as the API gives them, in UTC, and the clinic's words in the explanation). */
export function renderSeries(result: SeriesResult, names: Map<string, string>): string {
  const rows = result.visits.map((v, i) => [
    String(i + 1),
    v.start.slice(0, 10),
    `${v.start.slice(11, 16)}Z`,
    v.therapistId,
    names.get(v.locationId) ?? v.locationId,
    v.equipmentId ? (names.get(v.equipmentId) ?? v.equipmentId) : '-',
  ]);
  const head =
    `${result.outcome === 'preview' ? 'Proposed' : 'Booked'}: ${result.visits.length} of ${result.requested} ` +
    `visits, ${result.visitMinutes} minutes each\n`;
  return (
    head +
    (rows.length ? renderTable(['#', 'DATE', 'TIME', 'THERAPIST', 'LOCATION', 'DEVICE'], rows) : '') +
    '\nWhy:\n' +
    result.explanation.map((l) => `  - ${l}\n`).join('')
  );
}

/** `ptflow series preview`: plans and explains, books nothing; prints the fingerprint `series book --expect` takes. */
export async function runSeriesPreview(
  config: ApiClientConfig,
  out: Out,
  planOfCareId: string,
  opts: SeriesOptions,
  client: ApiClient = createApiClient(config),
): Promise<SeriesResult> {
  const id = pocId(planOfCareId);
  const body = seriesBody(opts, true);
  const [result, names] = await Promise.all([
    client.post<SeriesResult>(`/v1/plans-of-care/${id}/series`, body, randomUUID()),
    namesOf(client),
  ]);
  out(renderSeries(result, names));
  if (result.visits.length > 0)
    out(
      `\nBook exactly this plan: ptflow series book ${id} <the same options> --expect ${planFingerprint(result)}\n`,
    );
  return result;
}

/**
 * `ptflow series book`: with `--expect`, plans again and books only if the plan still has that fingerprint (else
 * prints the new plan with its fingerprint, books nothing and exits 6); without it, books what is free now.
 */
export async function runSeriesBook(
  config: ApiClientConfig,
  out: Out,
  planOfCareId: string,
  opts: SeriesOptions,
  client: ApiClient = createApiClient(config),
): Promise<SeriesResult> {
  const id = pocId(planOfCareId);
  const names = await namesOf(client);
  if (opts.expect !== undefined) {
    const now = await client.post<SeriesResult>(
      `/v1/plans-of-care/${id}/series`,
      seriesBody(opts, true),
      randomUUID(),
    );
    const fingerprint = planFingerprint(now);
    if (fingerprint !== opts.expect) {
      out(renderSeries(now, names));
      throw new ApiCliError(
        `the free times changed since the preview, so nothing was booked; this is the plan now ` +
          `(book it with --expect ${fingerprint})`,
        EXIT_STALE,
      );
    }
  }
  // One key per run: a retry of this request answers the same series rather than booking a second.
  const booked = await client.post<SeriesResult>(
    `/v1/plans-of-care/${id}/series`,
    seriesBody(opts, false),
    randomUUID(),
  );
  out(renderSeries(booked, names));
  if (booked.outcome !== 'booked')
    throw new ApiCliError(
      `${booked.visits.length} of ${booked.requested} visits booked (${booked.outcome.replace(/_/g, ' ')})`,
      EXIT.failed,
    );
  return booked;
}

/** Exit code of `series book --expect` when the plan changed since the preview. */
export const EXIT_STALE = 6;

function pocId(text: string): string {
  const bare = text.replace(/^poc:/, '');
  if (!UUID.test(bare)) throw new ApiCliError('the plan of care id must be a UUID or poc:<uuid>', EXIT.input);
  return bare;
}

interface DeviceView {
  id: string;
  locationId: string;
  kind: string;
  name: string;
  sessionMinutes: number | null;
  active: boolean;
}

/** `ptflow equipment list`: the practice's devices per location. */
export async function runEquipmentList(
  config: ApiClientConfig,
  out: Out,
  client: ApiClient = createApiClient(config),
): Promise<DeviceView[]> {
  const [{ items }, names] = await Promise.all([
    client.get<{ items: DeviceView[] }>('/v1/practice/equipment'),
    namesOf(client),
  ]);
  const rows = [...items]
    .sort((a, b) => (names.get(a.locationId) ?? '').localeCompare(names.get(b.locationId) ?? ''))
    .map((d) => [
      names.get(d.locationId) ?? d.locationId,
      d.name,
      d.kind,
      d.sessionMinutes === null ? 'kind default' : String(d.sessionMinutes),
      d.active ? 'yes' : 'no',
      d.id,
    ]);
  out(
    rows.length
      ? renderTable(['LOCATION', 'NAME', 'KIND', 'MINUTES', 'ACTIVE', 'ID'], rows)
      : 'No equipment yet (add it with POST /v1/practice/equipment).\n',
  );
  return items;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function seriesOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--acuity <acuity>', 'post-surgical | acute | subacute | chronic')
    .requiredOption('--visits-per-week <n>', '1-5')
    .requiredOption('--weeks <n>', '1-26')
    .requiredOption('--start <date>', 'first day the series may start (YYYY-MM-DD)')
    .option(
      '--window <day@HH:MM-HH:MM>',
      'a weekly window the patient can come, e.g. tue@12:00-18:00 (repeat it)',
      collect,
    )
    .option('--therapist <id>', 'preferred therapist (UUID)')
    .option('--location <id>', 'preferred location (UUID)')
    .option('--equipment <kind>', 'every visit needs a device of this kind, e.g. anti-gravity-treadmill')
    .option(
      '--authorization <id>',
      "the episode's authorization (UUID): its visits left and end date cap the series",
    );
}

/** Registers `series preview|book` and `equipment list` on the program. */
export function registerSeriesCommands(
  program: Command,
  name: 'series' | 'equipment',
  config: () => ApiClientConfig,
  out: Out,
): void {
  if (name === 'equipment') {
    program
      .command('equipment')
      .description("the practice's bookable devices via the API")
      .command('list')
      .description('devices per location: kind, minutes per visit, active')
      .action(async () => {
        await runEquipmentList(config(), out);
      });
    return;
  }
  const series = program.command('series').description("a plan of care's series of visits via the API");
  seriesOptions(series.command('preview <planOfCareId>'))
    .description('plan the series and explain it; nothing is booked')
    .action(async (id: string, opts: SeriesOptions) => {
      await runSeriesPreview(config(), out, id, opts);
    });
  seriesOptions(series.command('book <planOfCareId>'))
    .description('book the series (with --expect: only the plan series preview printed)')
    .option('--expect <fingerprint>', 'the fingerprint series preview printed')
    .action(async (id: string, opts: SeriesOptions) => {
      await runSeriesBook(config(), out, id, opts);
    });
}

// `ptflow practice …`: setting a practice up. `practice create` runs on the server (like `apikey create`: it
// writes the database directly, so a brand-new practice needs no key yet) and can print the practice's first admin
// API key; everything else goes through the admin REST API (`/v1/practice…`, PTFLOW_API_URL + an admin's
// PTFLOW_API_KEY). Input is checked locally with the API's own schemas first — a fee schedule CSV row by row, so
// a bad file fails naming line and column before anything is sent.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import { createApiKey } from '../../api/auth/api-keys.js';
import { connectDb } from '../../db/connection.js';
import { runMigrations } from '../../db/migrate.js';
import { createPracticeRepository } from '../../db/repositories/practices.js';
import { parseFeeScheduleCsv } from '../../domain/practice/fee-schedule-csv.js';
import { RoomInputSchema } from '../../domain/scheduling/rooms.js';
import {
  FeeScheduleImportSchema,
  LocationInputSchema,
  NpiSchema,
  PayerIdSchema,
  PracticeCreateSchema,
  PracticePayerInputSchema,
  PracticeUpdateSchema,
  ReferrerInputSchema,
  TherapistInputSchema,
} from '../../domain/practice/profile.js';
import type { ApiClientConfig, Config } from '../config.js';
import { openDatabase } from '../database.js';
import { dataKeys } from '../keyrings.js';
import { ApiCliError, createApiClient, EXIT, type ApiClient } from './api-client.js';
import { renderTable } from './table.js';

type Out = (text: string) => void;

/** Profile options shared by `create` and `update` (addresses as "line1, city, ST, ZIP"). */
interface ProfileOptions {
  name?: string;
  legalName?: string;
  npi?: string;
  taxId?: string;
  taxonomy?: string;
  phone?: string;
  timezone?: string;
  serviceAddress?: string;
  payToAddress?: string;
}

/** "2200 Lakeshore Dr, Madison, WI, 53703" (or with a second line: "line1, line2, city, ST, ZIP"). */
export function parseAddressOption(text: string, option: string): unknown {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 4 && parts.length !== 5) {
    throw new ApiCliError(`--${option} must be "line1, [line2,] city, ST, ZIP"`, EXIT.input);
  }
  const [line1, ...rest] = parts;
  const [postalCode, state, city, line2] = rest.reverse();
  return { line1, ...(parts.length === 5 ? { line2 } : {}), city, state, postalCode };
}

/** The profile fields given on the command line, in the API's body shape. */
function profileBody(o: ProfileOptions): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({
      name: o.name,
      legalName: o.legalName,
      npi: o.npi,
      taxId: o.taxId,
      taxonomy: o.taxonomy,
      phone: o.phone?.replace(/\D/g, ''),
      timezone: o.timezone,
      serviceAddress: o.serviceAddress && parseAddressOption(o.serviceAddress, 'service-address'),
      payToAddress: o.payToAddress && parseAddressOption(o.payToAddress, 'pay-to-address'),
    }).filter(([, v]) => v !== undefined),
  );
}

/** Field names only (the values may be the practice's own, but a tax id is never echoed). */
function invalid(what: string, error: z.ZodError): ApiCliError {
  const fields = error.issues
    .slice(0, 8)
    .map((i) => `${i.path.length ? `/${i.path.join('/')}` : '/'} (${i.message})`)
    .join(', ');
  return new ApiCliError(`${what}: ${fields}`, EXIT.input);
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ApiCliError(
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      EXIT.input,
    );
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readText(file)) as unknown;
  } catch (err) {
    if (err instanceof ApiCliError) throw err;
    throw new ApiCliError(`${file} is not JSON`, EXIT.input);
  }
}

function checked<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalid(what, parsed.error);
  return parsed.data;
}

interface PracticeView {
  id: string;
  name: string;
  legalName: string | null;
  npi: string;
  taxId: string | null;
  phone: string | null;
  timezone: string;
  serviceAddress: { line1: string; city: string; state: string; postalCode: string } | null;
  payToAddress: { line1: string; city: string; state: string; postalCode: string } | null;
  missing: string[];
}

const addressLine = (a: PracticeView['serviceAddress']) =>
  a ? `${a.line1}, ${a.city}, ${a.state} ${a.postalCode}` : '-';

function renderPractice(p: PracticeView): string {
  return renderTable(
    ['FIELD', 'VALUE'],
    [
      ['Practice', p.id],
      ['Name', p.name],
      ['Legal name', p.legalName ?? '-'],
      ['NPI', p.npi],
      ['Tax id', p.taxId ?? '-'],
      ['Phone', p.phone ?? '-'],
      ['Time zone', p.timezone],
      ['Service address', addressLine(p.serviceAddress)],
      ['Pay-to address', addressLine(p.payToAddress)],
      ['Claims need', p.missing.length ? p.missing.join(', ') : 'nothing (profile complete)'],
    ],
  );
}

/**
 * `ptflow practice create`: a new practice straight in the database (the operator's bootstrap, like `apikey
 * create`). Prints its id; with `adminKey`, also its first admin API key (shown once).
 */
export async function runPracticeCreate(
  config: Config,
  log: (l: string) => void,
  out: Out,
  opts: ProfileOptions & { adminKey?: boolean },
): Promise<{ practiceId: string; key?: string }> {
  const body = checked(PracticeCreateSchema, profileBody(opts), 'the practice is not valid');
  const db = await openDatabase(config, log);
  const handle = connectDb(db.url, { max: 1 });
  try {
    const keyring = dataKeys(config).keyring;
    await runMigrations(db.url, undefined, { dataKeyring: keyring });
    const practices = createPracticeRepository(handle.db, keyring);
    const practiceId = await practices.create(body);
    const view = await practices.profile(practiceId);
    out(renderPractice(view as PracticeView));
    if (!opts.adminKey) return { practiceId };
    const key = await createApiKey(handle.db, { practiceId, role: 'admin', label: 'first admin' });
    log(`Admin API key ${key.prefix} created. It is shown once; store it now:`);
    out(`${key.key}\n`);
    return { practiceId, key: key.key };
  } finally {
    await handle.close();
    await db.stop();
  }
}

/** `ptflow practice show`: the caller's practice profile via the API, and what claims still need from it. */
export async function runPracticeShow(
  config: ApiClientConfig,
  out: Out,
  client: ApiClient = createApiClient(config),
): Promise<PracticeView> {
  const view = await client.get<PracticeView>('/v1/practice');
  out(renderPractice(view));
  return view;
}

function sender(client: ApiClient) {
  if (!client.send) throw new ApiCliError('this API client cannot PATCH or PUT', EXIT.failed);
  return client.send.bind(client);
}

/** `ptflow practice update`: changes the given profile fields via the API (completing it releases held claims). */
export async function runPracticeUpdate(
  config: ApiClientConfig,
  out: Out,
  opts: ProfileOptions,
  client: ApiClient = createApiClient(config),
): Promise<PracticeView> {
  const body = checked(PracticeUpdateSchema, profileBody(opts), 'the profile change is not valid');
  if (Object.keys(body).length === 0) throw new ApiCliError('name at least one field to change', EXIT.input);
  const view = await sender(client)<PracticeView>('PATCH', '/v1/practice', body);
  out(renderPractice(view));
  return view;
}

/** A key derived from the request itself: running the same command again answers the same result. */
const keyOf = (what: string, body: unknown) =>
  `${what}-${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 40)}`;

/** `ptflow practice locations add <file.json>`. */
export async function runLocationAdd(
  config: ApiClientConfig,
  out: Out,
  file: string,
  client: ApiClient = createApiClient(config),
): Promise<{ id: string }> {
  const body = checked(LocationInputSchema, readJson(file), `${file} is not a valid location`);
  const created = await client.post<{ id: string; name: string }>(
    '/v1/practice/locations',
    body,
    keyOf('location', body),
  );
  out(renderTable(['LOCATION', 'NAME'], [[created.id, created.name]]));
  return created;
}

interface RoomView {
  id: string;
  locationId: string;
  name: string;
  capacity: number;
  private: boolean;
  active: boolean;
}

const roomRows = (rooms: RoomView[]) =>
  renderTable(
    ['ROOM', 'LOCATION', 'NAME', 'CAPACITY', 'PRIVATE', 'ACTIVE'],
    rooms.map((r) => [
      r.id,
      r.locationId,
      r.name,
      String(r.capacity),
      r.private ? 'yes' : 'no',
      r.active ? 'yes' : 'no',
    ]),
  );

/** `ptflow practice rooms list`. */
export async function runRoomList(
  config: ApiClientConfig,
  out: Out,
  client: ApiClient = createApiClient(config),
): Promise<RoomView[]> {
  const { items } = await client.get<{ items: RoomView[] }>('/v1/practice/rooms');
  out(roomRows(items));
  return items;
}

/** `ptflow practice rooms add <file.json>` (the POST /v1/practice/rooms body). */
export async function runRoomAdd(
  config: ApiClientConfig,
  out: Out,
  file: string,
  client: ApiClient = createApiClient(config),
): Promise<RoomView> {
  const body = checked(RoomInputSchema, readJson(file), `${file} is not a valid room`);
  const created = await client.post<RoomView>('/v1/practice/rooms', body, keyOf('room', body));
  out(roomRows([created]));
  return created;
}

/** `ptflow practice rooms set <roomId> <file.json>` (the PUT /v1/practice/rooms/{id} body). */
export async function runRoomSet(
  config: ApiClientConfig,
  out: Out,
  roomId: string,
  file: string,
  client: ApiClient = createApiClient(config),
): Promise<RoomView> {
  const body = checked(RoomInputSchema, readJson(file), `${file} is not a valid room`);
  const updated = await sender(client)<RoomView>(
    'PUT',
    `/v1/practice/rooms/${encodeURIComponent(roomId)}`,
    body,
  );
  out(roomRows([updated]));
  return updated;
}

/** `ptflow practice payers set <payerId> --name … --profile …`. */
export async function runPayerSet(
  config: ApiClientConfig,
  out: Out,
  payerId: string,
  opts: { name: string; profile: string; clearinghouseId?: string; inactive?: boolean },
  client: ApiClient = createApiClient(config),
): Promise<void> {
  checked(PayerIdSchema, payerId, 'the payer id is not valid');
  const body = checked(
    PracticePayerInputSchema,
    {
      name: opts.name,
      profileId: opts.profile,
      ...(opts.clearinghouseId ? { clearinghousePayerId: opts.clearinghouseId } : {}),
      ...(opts.inactive ? { active: false } : {}),
    },
    'the payer is not valid',
  );
  const saved = await sender(client)<{ payerId: string; name: string; profileId: string; active: boolean }>(
    'PUT',
    `/v1/practice/payers/${encodeURIComponent(payerId)}`,
    body,
  );
  out(
    renderTable(
      ['PAYER', 'NAME', 'PROFILE', 'ACTIVE'],
      [[saved.payerId, saved.name, saved.profileId, String(saved.active)]],
    ),
  );
}

/**
 * `ptflow practice fee-schedule import <file.csv> --payer <id|*> --from <date>`: validated here row by row first
 * (every defect printed with its line and column, nothing sent), then imported all at once.
 */
export async function runFeeScheduleImport(
  config: ApiClientConfig,
  out: Out,
  file: string,
  opts: { payer: string; from: string; to?: string; source?: string },
  client: ApiClient = createApiClient(config),
): Promise<{ id: string; rowCount: number }> {
  const csv = readText(file);
  const body = checked(
    FeeScheduleImportSchema,
    {
      payerId: opts.payer,
      effectiveFrom: opts.from,
      ...(opts.to ? { effectiveTo: opts.to } : {}),
      ...(opts.source ? { source: opts.source } : {}),
      csv,
    },
    'the import is not valid',
  );
  const parsed = parseFeeScheduleCsv(csv);
  if (!parsed.ok) {
    const lines = parsed.errors.map(
      (e) =>
        `${file}: line ${e.line}, column ${e.column}${e.columnNumber ? ` (${e.columnNumber})` : ''}: ${e.detail}`,
    );
    throw new ApiCliError(
      `${lines.join('\n')}\n${parsed.errors.length} error(s); nothing was imported`,
      EXIT.input,
    );
  }
  const saved = await client.post<{
    id: string;
    rowCount: number;
    effectiveFrom: string;
    endsOn: string | null;
  }>('/v1/practice/fee-schedules', body, keyOf('fees', body));
  out(
    renderTable(
      ['SCHEDULE', 'PAYER', 'FROM', 'UNTIL', 'ROWS'],
      [[saved.id, opts.payer, saved.effectiveFrom, saved.endsOn ?? 'open', String(saved.rowCount)]],
    ),
  );
  return saved;
}

/** `ptflow practice therapists set <npi> <file.json>` / `referrers set <npi> <file.json>`. */
export async function runDirectorySet(
  config: ApiClientConfig,
  out: Out,
  kind: 'therapists' | 'referrers',
  npi: string,
  file: string,
  client: ApiClient = createApiClient(config),
): Promise<void> {
  checked(NpiSchema, npi, 'the NPI is not valid');
  const schema = kind === 'therapists' ? TherapistInputSchema : ReferrerInputSchema;
  const body = checked(schema, readJson(file), `${file} is not a valid ${kind.slice(0, -1)}`);
  const saved = await sender(client)<{ npi: string; lastName: string; firstName: string | null }>(
    'PUT',
    `/v1/practice/${kind}/${npi}`,
    body,
  );
  out(
    renderTable(['NPI', 'NAME'], [[saved.npi, [saved.firstName, saved.lastName].filter(Boolean).join(' ')]]),
  );
}

const profileOptions = (c: Command, required: boolean) => {
  const opt = required ? 'requiredOption' : 'option';
  c[opt]('--name <name>', 'display name');
  c[opt]('--npi <npi>', 'type-2 (organization) NPI; the check digit is verified');
  c[opt]('--timezone <zone>', 'IANA time zone, e.g. America/Chicago');
  return c
    .option('--legal-name <name>', 'legal name (NPPES / IRS): the billing provider on claims')
    .option('--tax-id <ein>', 'federal tax id (EIN), stored encrypted')
    .option('--taxonomy <code>', 'billing taxonomy, e.g. 261QP2000X')
    .option('--phone <digits>', 'ten-digit phone')
    .option('--service-address <address>', '"line1, city, ST, ZIP": where care is given (billing address)')
    .option('--pay-to-address <address>', '"line1, city, ST, ZIP": where payers send payment, if different');
};

export function registerPracticeCommands(
  program: Command,
  config: () => Config,
  log: (l: string) => void,
  out: Out,
  api: () => ApiClientConfig,
): void {
  const practice = program
    .command('practice')
    .description('practice setup: profile, locations, payers, fees, staff');
  profileOptions(
    practice.command('create').description('create a practice (on the server; no API key needed)'),
    true,
  )
    .option('--admin-key', "also create and print the practice's first admin API key (shown once)")
    .action(async (opts: ProfileOptions & { adminKey?: boolean }) => {
      await runPracticeCreate(config(), log, out, opts);
    });
  practice
    .command('show')
    .description("your practice's profile and what claims still need from it (via the API)")
    .action(async () => {
      await runPracticeShow(api(), out);
    });
  profileOptions(
    practice.command('update').description('change profile fields (via the API, admin key)'),
    false,
  ).action(async (opts: ProfileOptions) => {
    await runPracticeUpdate(api(), out, opts);
  });
  practice
    .command('locations')
    .description('locations')
    .command('add <file>')
    .description('add a location from a JSON file (the POST /v1/practice/locations body)')
    .action(async (file: string) => {
      await runLocationAdd(api(), out, file);
    });
  const roomsCommand = practice
    .command('rooms')
    .description(
      'treatment rooms per location (capacity = patients at once; evaluations need a private room)',
    );
  roomsCommand
    .command('list')
    .description("the practice's rooms")
    .action(async () => {
      await runRoomList(api(), out);
    });
  roomsCommand
    .command('add <file>')
    .description('add a room from a JSON file (the POST /v1/practice/rooms body)')
    .action(async (file: string) => {
      await runRoomAdd(api(), out, file);
    });
  roomsCommand
    .command('set <roomId> <file>')
    .description(
      'replace a room from a JSON file (the PUT /v1/practice/rooms/{id} body; "active": false retires it)',
    )
    .action(async (roomId: string, file: string) => {
      await runRoomSet(api(), out, roomId, file);
    });
  practice
    .command('payers')
    .description('payers the practice bills')
    .command('set <payerId>')
    .description('add or change a payer and the payer profile it follows')
    .requiredOption('--name <name>', 'payer name')
    .requiredOption('--profile <profileId>', 'payer profile id (GET /v1/practice/payers lists them)')
    .option('--clearinghouse-id <id>', "the payer's id at the clearinghouse")
    .option('--inactive', 'no longer billed')
    .action(
      async (
        payerId: string,
        opts: { name: string; profile: string; clearinghouseId?: string; inactive?: boolean },
      ) => {
        await runPayerSet(api(), out, payerId, opts);
      },
    );
  practice
    .command('fee-schedule')
    .description('fee schedules')
    .command('import <file.csv>')
    .description('import a CSV (code,charge[,expected_allowed]); every row is checked, all or nothing')
    .requiredOption('--payer <payerId>', "the payer it applies to, or '*' for every payer (chargemaster)")
    .requiredOption('--from <date>', 'first date of service it applies to (YYYY-MM-DD)')
    .option('--to <date>', 'last date of service (default: until the next schedule of the payer)')
    .option('--source <text>', 'where the numbers come from (contract, MPFS year)')
    .action(async (file: string, opts: { payer: string; from: string; to?: string; source?: string }) => {
      await runFeeScheduleImport(api(), out, file, opts);
    });
  for (const kind of ['therapists', 'referrers'] as const) {
    practice
      .command(kind)
      .description(kind === 'therapists' ? 'therapists on staff (PT/PTA)' : 'referring-provider directory')
      .command('set <npi> <file>')
      .description(`add or change one from a JSON file (the PUT /v1/practice/${kind}/{npi} body)`)
      .action(async (npi: string, file: string) => {
        await runDirectorySet(api(), out, kind, npi, file);
      });
  }
}

// `ptflow waitlist add|list|remove` (issue 18 §2): the front desk's waitlist through the running API
// (POST/GET /v1/waitlist, DELETE /v1/waitlist/:id; PTFLOW_API_URL + a front desk's or admin's PTFLOW_API_KEY).
// Options are checked here first, naming the option, before anything is sent; API failures are one line
// (api-client.ts). Patients are named by our id only. No schema library is loaded: `--help` stays instant.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { ApiClientConfig } from '../api-client-config.js';
import { ApiCliError, createApiClient, EXIT, type ApiClient } from './api-client.js';
import { renderTable } from './table.js';

type Out = (text: string) => void;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACUITY: Record<number, string> = { 1: 'routine', 2: 'subacute', 3: 'urgent' };

/** A waitlist entry as the API answers it. */
export interface WaitlistEntry {
  id: string;
  patientId: string;
  locationId: string;
  therapistId: string | null;
  acuity: number;
  minutes: number;
  authorizationEndsOn: string | null;
  status: 'waiting' | 'filled' | 'removed';
  waitingSince: string;
  filledAt: string | null;
}

export interface WaitlistAddOptions {
  patient: string;
  location: string;
  therapist?: string;
  acuity?: string;
  minutes?: string;
  authorizationEnds?: string;
  /** Retry-safe: the same key answers the same entry (default: a fresh one per run). */
  idempotencyKey?: string;
}

const uuidOption = (v: string | undefined, option: string): string => {
  if (v === undefined || !UUID.test(v)) throw new ApiCliError(`--${option} must be a UUID`, EXIT.input);
  return v.toLowerCase();
};

const intOption = (v: string, option: string, min: number, max: number): number => {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ApiCliError(`--${option} must be a whole number from ${min} to ${max}`, EXIT.input);
  }
  return Number(v);
};

/** The POST /v1/waitlist body of the options (checked here; the API checks again). */
export function waitlistAddBody(o: WaitlistAddOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    patientId: uuidOption(o.patient, 'patient'),
    locationId: uuidOption(o.location, 'location'),
  };
  if (o.therapist !== undefined) body.therapistId = uuidOption(o.therapist, 'therapist');
  if (o.acuity !== undefined) body.acuity = intOption(o.acuity, 'acuity', 1, 3);
  if (o.minutes !== undefined) body.minutes = intOption(o.minutes, 'minutes', 15, 120);
  if (o.authorizationEnds !== undefined) {
    const d = o.authorizationEnds;
    const t = /^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(`${d}T00:00:00Z`) : undefined;
    if (!t || Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== d) {
      throw new ApiCliError('--authorization-ends must be a calendar date YYYY-MM-DD', EXIT.input);
    }
    body.authorizationEndsOn = d;
  }
  return body;
}

const line = (e: WaitlistEntry) =>
  `${e.id} ${e.status}: patient ${e.patientId} at location ${e.locationId}` +
  `${e.therapistId ? ` with therapist ${e.therapistId}` : ' (any therapist)'}, ` +
  `${ACUITY[e.acuity] ?? e.acuity}, ${e.minutes} min, waiting since ${e.waitingSince}\n`;

/** Puts a patient on the waitlist; prints the entry. */
export async function runWaitlistAdd(
  config: ApiClientConfig,
  out: Out,
  opts: WaitlistAddOptions,
  client: ApiClient = createApiClient(config),
): Promise<WaitlistEntry> {
  const body = waitlistAddBody(opts);
  const entry = await client.post<WaitlistEntry>('/v1/waitlist', body, opts.idempotencyKey ?? randomUUID());
  out(`added ${line(entry)}`);
  return entry;
}

/** Lists the waiting patients (of one location with --location), longest waiting first. */
export async function runWaitlistList(
  config: ApiClientConfig,
  out: Out,
  opts: { location?: string },
  client: ApiClient = createApiClient(config),
): Promise<WaitlistEntry[]> {
  const query = opts.location === undefined ? '' : `?locationId=${uuidOption(opts.location, 'location')}`;
  const { items } = await client.get<{ items: WaitlistEntry[] }>(`/v1/waitlist${query}`);
  out(
    renderTable(
      ['ID', 'PATIENT', 'LOCATION', 'THERAPIST', 'ACUITY', 'MIN', 'AUTH ENDS', 'WAITING SINCE'],
      items.map((e) => [
        e.id,
        e.patientId,
        e.locationId,
        e.therapistId ?? 'any',
        ACUITY[e.acuity] ?? String(e.acuity),
        String(e.minutes),
        e.authorizationEndsOn ?? '-',
        e.waitingSince,
      ]),
    ),
  );
  return items;
}

/** Takes an entry off the waitlist (repeatable; refused once the patient got a slot). */
export async function runWaitlistRemove(
  config: ApiClientConfig,
  out: Out,
  id: string,
  client: ApiClient = createApiClient(config),
): Promise<WaitlistEntry> {
  if (!UUID.test(id)) throw new ApiCliError('the waitlist entry id must be a UUID', EXIT.input);
  if (!client.send) throw new ApiCliError('this API client cannot remove entries', EXIT.failed);
  const entry = await client.send<WaitlistEntry>('DELETE', `/v1/waitlist/${id.toLowerCase()}`);
  out(`removed ${line(entry)}`);
  return entry;
}

/** `ptflow waitlist …` */
export function registerWaitlistCommands(program: Command, config: () => ApiClientConfig, out: Out): void {
  const waitlist = program
    .command('waitlist')
    .description('the waitlist for freed slots via the API (front desk, admin)');
  waitlist
    .command('add')
    .description('put a patient on the waitlist of a location (offered freed slots in a fair order)')
    .requiredOption('--patient <uuid>', "the patient's ptflow id")
    .requiredOption('--location <uuid>', 'the location')
    .option('--therapist <uuid>', 'only this therapist (continuity of care); default any')
    .option('--acuity <1|2|3>', '1 routine, 2 subacute, 3 urgent (default 1)')
    .option('--minutes <n>', 'the visit length a slot must have, 15-120 (default 45)')
    .option('--authorization-ends <YYYY-MM-DD>', "the authorization's last day of visits")
    .option('--idempotency-key <key>', 'retry-safe: the same key answers the same entry')
    .action(async (opts: WaitlistAddOptions) => {
      await runWaitlistAdd(config(), out, opts);
    });
  waitlist
    .command('list')
    .description('patients waiting for a slot, longest waiting first')
    .option('--location <uuid>', 'only this location')
    .action(async (opts: { location?: string }) => {
      await runWaitlistList(config(), out, opts);
    });
  waitlist
    .command('remove <id>')
    .description('take an entry off the waitlist (refused once the patient got a slot)')
    .action(async (id: string) => {
      await runWaitlistRemove(config(), out, id);
    });
}

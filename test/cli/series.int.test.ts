// `ptflow series preview|book` and `ptflow equipment list` against a real API on a free port (Temporal dev server,
// PostgreSQL, sandbox EMR): a preview prints the visits and the explanation and the fingerprint `book --expect`
// takes, and books nothing; `book --expect` with that fingerprint books exactly the previewed visits; the same
// fingerprint again (its times now taken) books nothing, prints the new plan and exits 6; a bad window is named
// before anything is sent; the device list prints the AlterG at its location.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCliError, EXIT } from '../../cli/commands/api-client.js';
import {
  EXIT_STALE,
  runEquipmentList,
  runSeriesBook,
  runSeriesPreview,
  type SeriesOptions,
} from '../../cli/commands/series.js';
import { loadApiClientConfig, type ApiClientConfig } from '../../cli/api-client-config.js';
import { addDays } from '../../domain/core/dates.js';
import { onboardingBody, planOfCareBody, startApiStack, today, until, type ApiStack } from '../api/stack.js';

const DOWNTOWN = '00000000-0000-4000-8000-000000000101';
let stack: ApiStack;
let apiUrl: string;
let poc: string;
let patientId: string;

const api = (role: 'admin' | 'front_desk' | 'therapist', url: string, payload: object) =>
  stack.app.inject({
    method: 'POST',
    url,
    headers: { ...stack.auth.own[role], 'idempotency-key': randomUUID() },
    payload,
  });

beforeAll(async () => {
  stack = await startApiStack();
  apiUrl = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  const body = onboardingBody();
  patientId = body.patientId;
  const started = await api('front_desk', '/v1/onboardings', body);
  expect(started.statusCode, started.body).toBe(202);
  const onboardingId = started.json<{ id: string }>().id;
  await until(async () => {
    const res = await stack.app.inject({
      url: `/v1/onboardings/${onboardingId}`,
      headers: stack.auth.own.front_desk,
    });
    return !['registering', 'started'].includes(res.json<{ state: string }>().state);
  }, 'the patient registered in the EMR');
  const created = await api('therapist', '/v1/plans-of-care', { ...planOfCareBody(), patientId });
  expect(created.statusCode, created.body).toBe(202);
  poc = created.json<{ id: string }>().id;
  const device = await api('admin', '/v1/practice/equipment', {
    locationId: DOWNTOWN,
    kind: 'anti-gravity-treadmill',
    name: 'AlterG Via 400 (cli)',
  });
  expect(device.statusCode, device.body).toBe(201);
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const config = (role: 'admin' | 'front_desk' = 'front_desk'): ApiClientConfig =>
  loadApiClientConfig({ PTFLOW_API_URL: apiUrl, PTFLOW_API_KEY: stack.keys.own[role] });

function capture() {
  let text = '';
  return { out: (t: string) => void (text += t), text: () => text };
}

async function failure(run: Promise<unknown>): Promise<ApiCliError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiCliError);
  return err as ApiCliError;
}

const opts = (over: Partial<SeriesOptions> = {}): SeriesOptions => ({
  acuity: 'acute',
  visitsPerWeek: '2',
  weeks: '2',
  start: addDays(today(), 2),
  window: ['tue@12:00-18:00', 'thu@12:00-18:00'],
  equipment: 'anti-gravity-treadmill',
  ...over,
});

const bookedCount = async () =>
  Number(
    (
      await stack.db.sql<{ n: string }[]>`select count(*) as n from appointments
        where patient_id = ${patientId} and kind = 'treatment' and status = 'booked'`
    )[0]!.n,
  );

describe('ptflow series and equipment commands', () => {
  it('preview, book exactly the preview, refuse the stale preview', async () => {
    const shown = capture();
    const preview = await runSeriesPreview(config(), shown.out, poc, opts());
    expect(preview.outcome).toBe('preview');
    expect(preview.visits.length).toBeGreaterThan(0);
    expect(shown.text()).toMatch(
      /^Proposed: \d+ of 4 visits, \d+ minutes each\n#\s+DATE\s+TIME\s+THERAPIST\s+LOCATION\s+DEVICE\n/,
    );
    expect(shown.text()).toContain('Downtown clinic');
    expect(shown.text()).toContain('AlterG Via 400 (cli)');
    expect(shown.text()).toMatch(/Why:\n {2}- Booked \d+ of 4 visits \(2×\/week for 2 weeks\)/);
    const fingerprint = /--expect (\S+)/.exec(shown.text())?.[1];
    expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await bookedCount()).toBe(0);

    const done = capture();
    const booked = await runSeriesBook(config(), done.out, `poc:${poc}`, opts({ expect: fingerprint! }));
    expect(booked.outcome).toBe('booked');
    expect(booked.visits.map((v) => Date.parse(v.start))).toEqual(
      preview.visits.map((v) => Date.parse(v.start)),
    );
    expect(done.text()).toMatch(/^Booked: \d+ of 4 visits/);
    expect(await bookedCount()).toBe(preview.visits.length);

    const stale = capture();
    const err = await failure(runSeriesBook(config(), stale.out, poc, opts({ expect: fingerprint! })));
    expect(err.exitCode).toBe(EXIT_STALE);
    expect(err.message).toMatch(/^the free times changed since the preview, so nothing was booked/);
    expect(stale.text()).toMatch(/^Proposed: /);
    expect(await bookedCount()).toBe(preview.visits.length);
  }, 240_000);

  it('names a bad option before sending; the API names a bad field', async () => {
    const window = await failure(
      runSeriesPreview(config(), capture().out, poc, opts({ window: ['tuesday'] })),
    );
    expect(window.exitCode).toBe(EXIT.input);
    expect(window.message).toMatch(/^--window "tuesday": expected <day>@HH:MM-HH:MM/);
    const field = await failure(runSeriesPreview(config(), capture().out, poc, opts({ visitsPerWeek: '9' })));
    expect(field.exitCode).toBe(EXIT.input);
    expect(field.message).toContain('[/visitsPerWeek]');
  });

  it('equipment list prints the devices per location', async () => {
    const shown = capture();
    const items = await runEquipmentList(config('admin'), shown.out);
    expect(items.some((d) => d.name === 'AlterG Via 400 (cli)')).toBe(true);
    expect(shown.text()).toMatch(/^LOCATION\s+NAME\s+KIND\s+MINUTES\s+ACTIVE\s+ID\n/);
    expect(shown.text()).toMatch(
      /Downtown clinic\s+AlterG Via 400 \(cli\)\s+anti-gravity-treadmill\s+kind default\s+yes/,
    );
  });
});

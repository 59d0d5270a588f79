// The series and equipment routes over the real stack (dev server, PostgreSQL, sandbox connectors): a preview of a
// plan of care's series answers the plan and its explanation; bad input answers problem+json naming the field;
// a request the process refuses (a start date no visit-length rule covers) is a 422 with the reason, not a 500;
// another practice's plan of care or location is a 404.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../domain/core/dates.js';
import { planOfCareBody, startApiStack, today, type ApiStack } from './stack.js';

const DOWNTOWN = '00000000-0000-4000-8000-000000000101';
let stack: ApiStack;
let poc: string;

beforeAll(async () => {
  stack = await startApiStack();
  const res = await post('own', 'therapist', '/v1/plans-of-care', planOfCareBody());
  expect(res.statusCode).toBe(202);
  poc = (res.json() as { id: string }).id;
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

function post(side: 'own' | 'other', role: 'admin' | 'front_desk' | 'therapist', url: string, body: unknown) {
  return stack.app.inject({
    method: 'POST',
    url,
    headers: { ...stack.auth[side][role], 'idempotency-key': randomUUID() },
    payload: body as object,
  });
}

const series = (over: Record<string, unknown> = {}) => ({
  acuity: 'acute',
  visitsPerWeek: 2,
  weeks: 2,
  startDate: addDays(today(), 2),
  availability: [{ weekday: 2, start: '12:00', end: '18:00' }],
  preview: true,
  ...over,
});

describe('POST /v1/plans-of-care/{id}/series', () => {
  it('previews the series: planned visits and the explanation, nothing booked', async () => {
    const res = await post('own', 'front_desk', `/v1/plans-of-care/${poc}/series`, series());
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      outcome: string;
      requested: number;
      visits: unknown[];
      explanation: string[];
    };
    expect(body).toMatchObject({ outcome: 'preview', requested: 4, visitMinutes: 45 });
    expect(body.visits.length).toBeGreaterThan(0);
    expect(body.explanation[0]).toMatch(/^Booked \d+ of 4 visits \(2×\/week for 2 weeks\)/);
    expect(body.explanation).toContain(
      'Each visit is booked for 45 minutes, the standard acute visit (three timed units and set-up).',
    );
  }, 60_000);

  it('names the field of a bad body (problem+json)', async () => {
    const res = await post(
      'own',
      'front_desk',
      `/v1/plans-of-care/${poc}/series`,
      series({ visitsPerWeek: 9 }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      errors: [expect.objectContaining({ in: 'body', pointer: '/visitsPerWeek' })],
    });
    const window = await post(
      'own',
      'front_desk',
      `/v1/plans-of-care/${poc}/series`,
      series({ availability: [{ weekday: 2, start: '18:00', end: '12:00' }] }),
    );
    expect(window.statusCode).toBe(400);
    expect(window.json()).toMatchObject({
      errors: [expect.objectContaining({ pointer: '/availability/0/end' })],
    });
  });

  it('answers 422 with the reason when the process refuses the request', async () => {
    const res = await post(
      'own',
      'front_desk',
      `/v1/plans-of-care/${poc}/series`,
      series({ startDate: '2019-06-04' }),
    );
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      reason: 'InvalidSeriesRequest',
      detail: expect.stringMatching(/^startDate:/),
    });
  }, 60_000);

  it("answers 404 for another practice's plan of care", async () => {
    const res = await post('other', 'front_desk', `/v1/plans-of-care/${poc}/series`, series());
    expect(res.statusCode).toBe(404);
  });
});

describe('equipment routes', () => {
  it('adds a device, replaces its maintenance windows, and names bad fields', async () => {
    const added = await post('own', 'admin', '/v1/practice/equipment', {
      locationId: DOWNTOWN,
      kind: 'isokinetic-dynamometer',
      name: 'Biodex System 4',
    });
    expect(added.statusCode, added.body).toBe(201);
    const { id } = added.json() as { id: string };
    const list = await stack.app.inject({
      method: 'GET',
      url: '/v1/practice/equipment',
      headers: stack.auth.own.front_desk,
    });
    expect((list.json() as { items: { id: string; sessionMinutes: null }[] }).items).toContainEqual(
      expect.objectContaining({ id, kind: 'isokinetic-dynamometer', sessionMinutes: null }),
    );

    const badKind = await post('own', 'admin', '/v1/practice/equipment', {
      locationId: DOWNTOWN,
      kind: 'laser',
      name: 'x',
    });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json()).toMatchObject({ errors: [expect.objectContaining({ pointer: '/kind' })] });
    const foreign = await post('other', 'admin', '/v1/practice/equipment', {
      locationId: DOWNTOWN,
      kind: 'balance-system',
      name: 'x',
    });
    expect(foreign.statusCode).toBe(404);

    const put = (body: unknown) =>
      stack.app.inject({
        method: 'PUT',
        url: `/v1/practice/equipment/${id}/maintenance`,
        headers: stack.auth.own.admin,
        payload: body as object,
      });
    const rule = {
      weekday: 3,
      start: '07:00',
      end: '08:00',
      effectiveFrom: '2026-01-01',
      source: 'service contract',
    };
    const saved = await put({ rules: [rule] });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ equipmentId: id, rules: [{ ...rule, effectiveTo: null }] });
    const backwards = await put({ rules: [{ ...rule, start: '09:00' }] });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({
      errors: [expect.objectContaining({ pointer: '/rules/0/end' })],
    });
  });
});

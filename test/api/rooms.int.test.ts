// The rooms routes over the real stack (dev server, PostgreSQL, sandbox connectors): an admin lists, adds,
// changes and deletes rooms; bad input answers problem+json naming the field (a private room of capacity 4, an
// unknown key, a capacity of 0); another practice's location or room is a 404; a room that has held a visit is
// not deleted (409, deactivate it instead) and cannot shrink below the places upcoming visits hold; every change
// is audited with the field names only.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomBooking } from '../../activities/equipment/rooms.js';
import { runRoomAdd, runRoomList, runRoomSet } from '../../cli/commands/practice.js';
import type { ApiClientConfig } from '../../cli/config.js';
import { DEMO_PRACTICE_ID } from '../../db/seed.js';
import { startApiStack, type ApiStack } from './stack.js';

const NORTHSIDE = '00000000-0000-4000-8000-000000000102';
let stack: ApiStack;

beforeAll(async () => {
  stack = await startApiStack();
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

function call(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
  opts: { side?: 'own' | 'other'; role?: 'admin' | 'front_desk' } = {},
) {
  return stack.app.inject({
    method,
    url,
    headers: {
      ...stack.auth[opts.side ?? 'own'][opts.role ?? 'admin'],
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    ...(body !== undefined ? { payload: body as object } : {}),
  });
}

const gym = { locationId: NORTHSIDE, name: 'Northside gym', capacity: 4 };

describe('rooms routes', () => {
  it('adds, lists, changes and deletes a room, audited by field name', async () => {
    const created = await call('POST', '/v1/practice/rooms', gym);
    expect(created.statusCode, created.body).toBe(201);
    const room = created.json() as { id: string };
    expect(room).toMatchObject({ ...gym, private: false, active: true });
    const list = await call('GET', '/v1/practice/rooms', undefined, { role: 'front_desk' });
    expect(list.statusCode).toBe(200);
    expect((list.json() as { items: { id: string }[] }).items.map((r) => r.id)).toContain(room.id);
    const changed = await call('PUT', `/v1/practice/rooms/${room.id}`, { ...gym, capacity: 2, name: 'Gym' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ id: room.id, capacity: 2, name: 'Gym' });
    const deleted = await call('DELETE', `/v1/practice/rooms/${room.id}`);
    expect(deleted.statusCode).toBe(204);
    expect((await call('GET', '/v1/practice/rooms')).json()).toEqual({ items: [] });
    const audit = await stack.db.sql<{ action: string; fields_disclosed: string[] | null }[]>`
      select action, fields_disclosed from audit_events
      where resource_type = 'room' and resource_id = ${room.id} order by id`;
    expect(audit.map((a) => a.action)).toEqual(['C', 'U', 'D']);
    expect(audit[0]!.fields_disclosed).toEqual(expect.arrayContaining(['locationId', 'name', 'capacity']));
    expect(JSON.stringify(audit)).not.toContain('Northside gym');
  });

  it('answers bad input with problem+json naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ ...gym, private: true }, '/capacity'],
      [{ ...gym, capacity: 0 }, '/capacity'],
      [{ ...gym, colour: 'blue' }, '/colour'],
      [{ ...gym, locationId: 'not-a-uuid' }, '/locationId'],
      [{ ...gym, name: '' }, '/name'],
    ];
    for (const [body, pointer] of cases) {
      const res = await call('POST', '/v1/practice/rooms', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const errors = (res.json() as { errors: { pointer: string }[] }).errors;
      expect(
        errors.map((e) => e.pointer),
        JSON.stringify(body),
      ).toContain(pointer);
    }
    const unknownLocation = await call('POST', '/v1/practice/rooms', { ...gym, locationId: randomUUID() });
    expect(unknownLocation.statusCode).toBe(404);
    expect((unknownLocation.json() as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe(
      '/locationId',
    );
  });

  it('keeps rooms per practice: another practice gets 404 for this practice’s location and room', async () => {
    const own = (await call('POST', '/v1/practice/rooms', gym)).json() as { id: string };
    expect((await call('POST', '/v1/practice/rooms', gym, { side: 'other' })).statusCode).toBe(404);
    expect((await call('PUT', `/v1/practice/rooms/${own.id}`, gym, { side: 'other' })).statusCode).toBe(404);
    expect(
      (await call('DELETE', `/v1/practice/rooms/${own.id}`, undefined, { side: 'other' })).statusCode,
    ).toBe(404);
    const theirs = (await call('GET', '/v1/practice/rooms', undefined, { side: 'other' })).json() as {
      items: { id: string }[];
    };
    expect(theirs.items.map((r) => r.id)).not.toContain(own.id);
    expect((await call('DELETE', `/v1/practice/rooms/${own.id}`)).statusCode).toBe(204);
  });

  it('does not delete a room that held a visit nor shrink it below the places upcoming visits hold', async () => {
    const room = (await call('POST', '/v1/practice/rooms', { ...gym, capacity: 3 })).json() as { id: string };
    // Three upcoming visits fill the three places at the same time.
    const start = new Date(Date.now() + 7 * 86_400_000).toISOString();
    for (let i = 0; i < 3; i++) {
      const held = await roomBooking(stack.db.db).hold({
        practiceId: DEMO_PRACTICE_ID,
        locationId: NORTHSIDE,
        need: 'any',
        appointmentId: randomUUID(),
        slotId: `s${i}`,
        start,
        visitMinutes: 45,
      });
      expect(held).toMatchObject({ roomId: room.id, unit: i });
    }
    const shrink = await call('PUT', `/v1/practice/rooms/${room.id}`, { ...gym, capacity: 2 });
    expect(shrink.statusCode).toBe(409);
    expect((shrink.json() as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe('/capacity');
    const del = await call('DELETE', `/v1/practice/rooms/${room.id}`);
    expect(del.statusCode).toBe(409);
    expect(del.headers['content-type']).toContain('application/problem+json');
    // Deactivating is the way out: the location is no longer room-constrained.
    const off = await call('PUT', `/v1/practice/rooms/${room.id}`, { ...gym, capacity: 3, active: false });
    expect(off.statusCode).toBe(200);
    const after = await roomBooking(stack.db.db).hold({
      practiceId: DEMO_PRACTICE_ID,
      locationId: NORTHSIDE,
      need: 'any',
      appointmentId: randomUUID(),
      slotId: 'after',
      start,
      visitMinutes: 45,
    });
    expect(after).toBe('unconstrained');
  });

  it('ptflow practice rooms add | set | list drive the same routes over HTTP', async () => {
    const apiUrl = await stack.app.listen({ host: '127.0.0.1', port: 0 });
    const config = { apiUrl, apiKey: stack.keys.own.admin } as ApiClientConfig;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-rooms-cli-'));
    const file = path.join(dir, 'room.json');
    const lines: string[] = [];
    const out = (t: string) => lines.push(t);
    fs.writeFileSync(
      file,
      JSON.stringify({ locationId: NORTHSIDE, name: 'Room 2', capacity: 1, private: true }),
    );
    const added = await runRoomAdd(config, out, file);
    expect(added).toMatchObject({ name: 'Room 2', capacity: 1, private: true, active: true });
    fs.writeFileSync(
      file,
      JSON.stringify({ locationId: NORTHSIDE, name: 'Room 2', capacity: 1, private: true, active: false }),
    );
    expect(await runRoomSet(config, out, added.id, file)).toMatchObject({ active: false });
    const listed = await runRoomList(config, out);
    expect(listed.find((r) => r.id === added.id)).toMatchObject({ active: false });
    expect(lines.join('\n')).toContain('Room 2');
    // A bad file is refused before any request, naming the field.
    fs.writeFileSync(
      file,
      JSON.stringify({ locationId: NORTHSIDE, name: 'Gym', capacity: 4, private: true }),
    );
    await expect(runRoomAdd(config, out, file)).rejects.toThrow(/capacity/);
  });
});

// Cursor pagination: `limit` 1–100 (default 10, out of range is a 400, never clamped), stable
// order by (created_at, id), and opaque cursors that are HMAC-signed and bound to the practice, so a tampered
// or foreign cursor is rejected rather than trusted.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { fieldProblem, HttpProblem } from './problem.js';

export const limitSchema = z.coerce.number().int().min(1).max(100).default(10);
export const cursorSchema = z.string().max(512).optional();

export interface CursorPosition {
  createdAt: string;
  id: string;
}

export function encodeCursor(key: Buffer, practiceId: string, pos: CursorPosition): string {
  const body = Buffer.from(JSON.stringify({ p: practiceId, c: pos.createdAt, i: pos.id })).toString(
    'base64url',
  );
  const mac = createHmac('sha256', key).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export function decodeCursor(key: Buffer, practiceId: string, cursor: string): CursorPosition {
  const invalid = () => new HttpProblem(invalidCursor());
  const [body, mac] = cursor.split('.');
  if (!body || !mac) throw invalid();
  const expected = createHmac('sha256', key).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  const parsed = z
    .object({ p: z.string(), c: z.iso.datetime({ offset: true }), i: z.uuid() })
    .safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  if (!parsed.success || parsed.data.p !== practiceId) throw invalid();
  return { createdAt: parsed.data.c, id: parsed.data.i };
}

/** The 400 for a cursor that was not issued for this listing and practice (tampered, foreign, truncated). */
export function invalidCursor() {
  return fieldProblem('The cursor is not valid for this listing.', {
    in: 'query',
    pointer: '/cursor',
    code: 'invalid_cursor',
    detail: 'Pass next_cursor from the previous page unchanged, or omit it.',
  });
}

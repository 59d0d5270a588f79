// A claim submission retried with the same idempotency key re-sends the identical interchange (same ISA13,
// GS06, date and time), and the sandbox payer answers the repeat with its first 999 without filing anything:
// the guarantee a worker killed between "837 sent" and "activity completed" relies on (issue #5 scenario 10).
import { drizzle } from 'drizzle-orm/postgres-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClearinghouseConnector } from '../../../connectors/payer/clearinghouse/adapter.js';
import { PostgresControlNumbers } from '../../../connectors/payer/control-numbers.js';
import { sandboxPayerDirectory } from '../../../connectors/payer/sandbox/plans.js';
import { startSandboxPayer, type SandboxServer } from '../../../connectors/payer/sandbox/server.js';
import { MEDICARE_PART_B } from '../../../domain/rules/data/payer-profiles.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { codedClaim, parties } from './fixtures.js';

const credentials = { username: 'ptflow', password: 'sandbox-secret', submitterId: 'PTFLOWIDEM' };
let db: TestDatabase;
let server: SandboxServer;
let clockMs = Date.parse('2025-07-15T12:00:00Z');

function connector(): ClearinghouseConnector {
  return new ClearinghouseConnector({
    http: {
      baseUrl: server.url,
      auth: { kind: 'basic', username: credentials.username, password: credentials.password },
      timeoutMs: 5_000,
      retry: { maxAttempts: 2, baseDelayMs: 10, budgetMs: 2_000 },
    },
    sender: { qualifier: 'ZZ', id: 'PTFLOWIDEM' },
    receiver: { qualifier: 'ZZ', id: 'SBXPAYER' },
    submitter: {
      name: 'PTFLOW CLINIC BILLING',
      id: 'PTFLOWIDEM',
      contactName: 'BILLING',
      phone: '5555550100',
    },
    receiverName: 'PTFLOW SANDBOX PAYER',
    originatorId: '9123456789',
    usage: 'T',
    payers: sandboxPayerDirectory(),
    controlNumbers: new PostgresControlNumbers(drizzle(db.sql)),
    // The clock moves between calls: a retry minutes later must still carry the first envelope's stamp.
    clock: () => new Date((clockMs += 90_000)),
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startSandboxPayer({ sql: db.sql, credentials, clock: () => new Date(clockMs) });
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

async function payerState(pcn: string) {
  await server.payer.settled(); // the sandbox files after answering the 999
  const claims = await db.sql<{ receipts: number; version: number }[]>`
    select receipts, version from sandbox_payer.claims where patient_control_number = ${pcn}`;
  const mailbox = await db.sql<{ type: string }[]>`
    select type from sandbox_payer.responses where recipient_id = 'PTFLOWIDEM' and x12 like ${`%${pcn}%`}`;
  return { claims, mailbox: mailbox.map((m) => m.type).sort() };
}

describe('claim submission with an idempotency key', () => {
  it('a retried submission (new connector, later clock) is the same interchange: filed once', async () => {
    const claim = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-IDEM-1' });
    const first = await connector().submitClaim({
      claim,
      parties: parties('MBR-7001'),
      idempotencyKey: 'k-1',
    });
    const again = await connector().submitClaim({
      claim,
      parties: parties('MBR-7001'),
      idempotencyKey: 'k-1',
    });
    expect(first.accepted).toBe(true);
    expect(first.resent).toBe(false);
    expect(again).toMatchObject({ accepted: true, resent: true });
    expect(again.interchangeControlNumber).toBe(first.interchangeControlNumber);
    expect(again.groupControlNumber).toBe(first.groupControlNumber);

    const state = await payerState('PCN-IDEM-1');
    expect(state.claims).toEqual([{ receipts: 1, version: 1 }]);
    expect(state.mailbox).toEqual(['277CA', '835']);
    const interchanges = await db.sql<{ duplicates: number }[]>`
      select duplicates from sandbox_payer.interchanges
      where sender_id = 'PTFLOWIDEM' and control_number::bigint = ${first.interchangeControlNumber}`;
    expect(interchanges).toEqual([{ duplicates: 1 }]);
  });

  it('a retried frequency-7 replacement is adjudicated once; a new key is a new submission', async () => {
    const original = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-IDEM-2' });
    await connector().submitClaim({ claim: original, parties: parties('MBR-7002'), idempotencyKey: 'k-2a' });
    const replacement = { ...original, frequency: '7' as const, originalClaimNumber: 'SBXORIGINAL1' };
    for (let i = 0; i < 2; i++)
      await connector().submitClaim({
        claim: replacement,
        parties: parties('MBR-7002'),
        idempotencyKey: 'k-2b',
      });
    expect(await payerState('PCN-IDEM-2')).toEqual({
      claims: [{ receipts: 2, version: 2 }],
      mailbox: ['277CA', '277CA', '835', '835'],
    });
  });

  it('without a key every call is a new interchange (the old behaviour, still deduplicated by CLM01)', async () => {
    const claim = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-IDEM-3' });
    const a = await connector().submitClaim({ claim, parties: parties('MBR-7003') });
    const b = await connector().submitClaim({ claim, parties: parties('MBR-7003') });
    expect(b.interchangeControlNumber).not.toBe(a.interchangeControlNumber);
    expect(b.resent).toBe(false);
    expect((await payerState('PCN-IDEM-3')).claims).toEqual([{ receipts: 2, version: 1 }]);
  });
});

describe('filing after the 999 (issue 15)', () => {
  it('claims of one member sent back to back are filed in arrival order: the deductible is met once', async () => {
    const c = connector();
    const pcns = ['PCN-ORDER-1', 'PCN-ORDER-2', 'PCN-ORDER-3', 'PCN-ORDER-4', 'PCN-ORDER-5'];
    // Each call returns at its 999; the filings run after it, so later claims are received while earlier ones
    // file. One visit a day (the same visit twice would be a duplicate, denied).
    for (const [i, pcn] of pcns.entries())
      await c.submitClaim({
        claim: codedClaim({ payerId: MEDICARE_PART_B, pcn, dos: `2025-07-0${i + 1}` }),
        parties: parties('MBR-7201'),
      });
    await server.payer.settled();
    const rows = await db.sql<{ pcn: string; allowed: number; deductible: number }[]>`
      select patient_control_number as pcn, allowed_cents::int as allowed, deductible_cents::int as deductible
      from sandbox_payer.claims where member_id = 'MBR-7201' order by id`;
    expect(rows.map((r) => r.pcn)).toEqual(pcns);
    // Part B's 2025 deductible is 25,700 cents: each claim takes what the claims before it left, in order.
    let left = 25_700;
    for (const r of rows) {
      expect(r.deductible, r.pcn).toBe(Math.min(r.allowed, left));
      left -= r.deductible;
    }
    expect(rows.reduce((sum, r) => sum + r.allowed, 0)).toBeGreaterThan(25_700); // the deductible was reached
  });

  it('answers the 999 first; a filing that fails rolls back whole and the next mailbox poll files it', async () => {
    // The sandbox refuses to write any mailbox file: the filing after the 999 fails half-way.
    await db.sql.unsafe(`create function sandbox_payer.refuse_response() returns trigger
      language plpgsql as $$ begin raise exception 'refused'; end $$`);
    await db.sql.unsafe(`create trigger refuse before insert on sandbox_payer.responses
      for each row execute function sandbox_payer.refuse_response()`);
    const c = connector();
    const claim = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-LATE-1' });
    expect((await c.submitClaim({ claim, parties: parties('MBR-7101') })).accepted).toBe(true);
    await server.payer.settled();
    // Rolled back whole: no claim on file, no file in the mailbox; the interchange waits with its text.
    expect(await payerState('PCN-LATE-1')).toEqual({ claims: [], mailbox: [] });
    const waiting = () =>
      db.sql<
        { n: number }[]
      >`select count(*)::int as n from sandbox_payer.interchanges where x12 is not null`;
    expect((await waiting())[0]?.n).toBe(1);
    // While filing keeps failing the listing is still served.
    await expect(c.fetchInbound()).resolves.toBeDefined();

    await db.sql.unsafe('drop trigger refuse on sandbox_payer.responses');
    const inbound = await c.fetchInbound();
    expect(inbound.acknowledgements.map((a) => a.patientControlNumber)).toContain('PCN-LATE-1');
    expect(inbound.remittances.flatMap((r) => r.claims).map((x) => x.patientControlNumber)).toContain(
      'PCN-LATE-1',
    );
    expect(await payerState('PCN-LATE-1')).toEqual({
      claims: [{ receipts: 1, version: 1 }],
      mailbox: ['277CA', '835'],
    });
    expect((await waiting())[0]?.n).toBe(0);
  });
});

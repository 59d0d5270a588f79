// The clearinghouse adapter against the sandbox payer over real HTTP on 127.0.0.1, with sandbox state and
// control numbers in a real PostgreSQL (per-file database cloned from the migrated template).
import { drizzle } from 'drizzle-orm/postgres-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClaimActivities } from '../../../activities/claim/index.js';
import { ClearinghouseConnector } from '../../../connectors/payer/clearinghouse/adapter.js';
import { PostgresControlNumbers } from '../../../connectors/payer/control-numbers.js';
import { PayerContractViolation, PayerTransportError } from '../../../connectors/payer/errors.js';
import { sandboxPayerDirectory } from '../../../connectors/payer/sandbox/plans.js';
import { startSandboxPayer, type SandboxServer } from '../../../connectors/payer/sandbox/server.js';
import type { AuthorizationRequest, InboundBatch } from '../../../connectors/payer/types.js';
import { reconcile835, claimBalances, type ClaimPayment835 } from '../../../connectors/payer/x12/index.js';
import { MEDICARE_ADVANTAGE_FASTLANE, MEDICARE_PART_B } from '../../../domain/rules/data/payer-profiles.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { BILLING, CANARY, codedClaim, member, parties } from './fixtures.js';

const NOW = new Date('2025-07-15T12:00:00Z');
const credentials = { username: 'ptflow', password: 'sandbox-secret', submitterId: 'PTFLOWTEST' };

let db: TestDatabase;
let server: SandboxServer;
let connector: ClearinghouseConnector;
let cursor: string | undefined;

function connect(url: string): ClearinghouseConnector {
  return new ClearinghouseConnector({
    http: {
      baseUrl: url,
      auth: { kind: 'basic', username: credentials.username, password: credentials.password },
      timeoutMs: 5_000,
      retry: { maxAttempts: 2, baseDelayMs: 10, budgetMs: 2_000 },
    },
    sender: { qualifier: 'ZZ', id: 'PTFLOWTEST' },
    receiver: { qualifier: 'ZZ', id: 'SBXPAYER' },
    submitter: {
      name: 'PTFLOW CLINIC BILLING',
      id: 'PTFLOWTEST',
      contactName: 'BILLING',
      phone: '5555550100',
    },
    receiverName: 'PTFLOW SANDBOX PAYER',
    originatorId: '9123456789',
    usage: 'T',
    payers: sandboxPayerDirectory(),
    controlNumbers: new PostgresControlNumbers(drizzle(db.sql)),
    clock: () => NOW,
  });
}

async function start(): Promise<void> {
  server = await startSandboxPayer({
    sql: db.sql,
    credentials,
    clock: () => NOW,
    testHooks: true,
    pendPolls: 3,
  });
  connector = connect(server.url);
}

/** Drains the mailbox, returning what arrived since the last call. */
async function inbound(): Promise<InboundBatch> {
  const batch = await connector.fetchInbound(cursor);
  cursor = batch.cursor;
  return batch;
}

function remitFor(batch: InboundBatch, pcn: string): ClaimPayment835 {
  const claim = batch.remittances.flatMap((r) => r.claims).find((c) => c.patientControlNumber === pcn);
  if (!claim) throw new Error(`no 835 for ${pcn}`);
  return claim;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await start();
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('eligibility (270 → 271)', () => {
  it('reports active Medicare coverage with coinsurance and deductible', async () => {
    const r = await connector.checkEligibility({
      payerId: MEDICARE_PART_B,
      member: member('MBR-2001'),
      provider: { name: BILLING.name, npi: BILLING.npi },
      serviceDate: '2025-07-01',
      traceNumber: 'ELIG-1',
    });
    expect(r.coverage).toBe('active');
    expect(r.coinsuranceBasisPoints).toBe(2_000);
    expect(r.deductibleCents).toBe(25_700);
  });

  it('reports inactive coverage', async () => {
    const r = await connector.checkEligibility({
      payerId: MEDICARE_PART_B,
      member: member('SBX-INACTIVE-0001'),
      provider: { name: BILLING.name, npi: BILLING.npi },
      serviceDate: '2025-07-01',
      traceNumber: 'ELIG-2',
    });
    expect(r.coverage).toBe('inactive');
  });
});

describe('prior authorization (278)', () => {
  const request = (memberId: string, trace: string): AuthorizationRequest => ({
    payerId: MEDICARE_ADVANTAGE_FASTLANE,
    member: member(memberId),
    requester: { name: BILLING.name, npi: BILLING.npi },
    traceNumber: trace,
    certificationType: 'initial',
    diagnoses: ['M54.50'],
    period: { from: '2025-07-01', to: '2025-09-30' },
    services: [{ code: '97110', visits: 12, withinWeeks: 8 }],
  });

  it('MA plan: 12 visits requested → the 6-visit fast lane is approved, the rest goes to review', async () => {
    const d = await connector.submitAuthorization(request('MBR-3001', 'PA-1'));
    expect(d.status).toBe('partially_approved');
    expect(d.visitsApproved).toBe(6);
    expect(d.authorizationNumber).toMatch(/^AUTH/);
    expect(d.period).toEqual({ from: '2025-07-01', to: '2025-08-25' });
  });

  it('a pended decision stays pended on a query, then resolves by the test hook', async () => {
    const req = request('SBX-PEND-0001', 'PA-2');
    const first = await connector.submitAuthorization(req);
    expect(first.status).toBe('pended');
    expect((await connector.queryAuthorization(req)).status).toBe('pended');
    const res = await fetch(`${server.url}/sandbox/authorizations/${first.certificationNumber}/decision`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('ptflow:sandbox-secret').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(res.status).toBe(200);
    const decided = await connector.queryAuthorization(req);
    expect(decided.status).toBe('approved');
    expect(decided.authorizationNumber).toBeDefined();
  });

  it('an MA claim without the auth number is denied CO-197; with it, paid less the copay', async () => {
    const d = await connector.submitAuthorization(request('MBR-3002', 'PA-3'));
    const noAuth = codedClaim({ payerId: MEDICARE_ADVANTAGE_FASTLANE, pcn: 'PCN-MA-NOAUTH' });
    const withAuth = codedClaim({
      payerId: MEDICARE_ADVANTAGE_FASTLANE,
      pcn: 'PCN-MA-AUTH',
      dos: '2025-07-02',
      priorAuthNumber: d.authorizationNumber!,
    });
    expect((await connector.submitClaim({ claim: noAuth, parties: parties('MBR-3002') })).accepted).toBe(
      true,
    );
    expect((await connector.submitClaim({ claim: withAuth, parties: parties('MBR-3002') })).accepted).toBe(
      true,
    );
    const batch = await inbound();
    const denied = remitFor(batch, 'PCN-MA-NOAUTH');
    expect(denied.statusCode).toBe('4');
    expect(denied.services.flatMap((s) => s.adjustments).map((a) => `${a.group}-${a.reasonCode}`)).toContain(
      'CO-197',
    );
    const paid = remitFor(batch, 'PCN-MA-AUTH');
    expect(paid.statusCode).toBe('1');
    expect(paid.services.flatMap((s) => s.adjustments)).toContainEqual({
      group: 'PR',
      reasonCode: '3',
      amountCents: 2_000,
    });
  });
});

describe('claims (837P → 999, 277CA, 835)', () => {
  it('Medicare over the KX threshold with GP+KX: 999 accepted, 277CA accepted, 835 paid with coinsurance and reconciling', async () => {
    const claim = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-KX-1', accruedAllowedCents: 250_000 });
    expect(claim.lines.every((l) => l.modifiers.includes('GP') && l.modifiers.includes('KX'))).toBe(true);
    const result = await connector.submitClaim({ claim, parties: parties('SBX-KXOVER-0001') });
    expect(result.accepted).toBe(true);
    const batch = await inbound();
    const ack = batch.acknowledgements.find((a) => a.patientControlNumber === 'PCN-KX-1');
    expect(ack?.accepted).toBe(true);
    expect(ack?.payerClaimNumber).toMatch(/^SBX/);
    const paid = remitFor(batch, 'PCN-KX-1');
    expect(paid.statusCode).toBe('1');
    expect(paid.paidCents).toBeGreaterThan(0);
    const adjustments = paid.services.flatMap((s) => s.adjustments);
    expect(adjustments.some((a) => a.group === 'PR' && a.reasonCode === '2')).toBe(true);
    expect(adjustments.some((a) => a.reasonCode === '119')).toBe(false);
    expect(claimBalances(paid)).toBe(true);
    for (const remit of batch.remittances) expect(reconcile835(remit).balanced).toBe(true);
  });

  it('a provider-level 277CA rejection (2200C A3:562:85, billing NPI) keeps its reason on the acknowledgement', async () => {
    const claim = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-NPIREJ-1' });
    expect((await connector.submitClaim({ claim, parties: parties('SBX-NPIREJECT-0001') })).accepted).toBe(
      true,
    );
    const batch = await inbound();
    const ack = batch.acknowledgements.find((a) => a.patientControlNumber === 'PCN-NPIREJ-1');
    expect(ack).toMatchObject({ accepted: false, categoryCode: 'A3', statusCode: '21' });
    expect(ack?.providerStatuses).toEqual([{ categoryCode: 'A3', statusCode: '562', entity: '85' }]);
    expect(
      batch.remittances.flatMap((r) => r.claims).some((c) => c.patientControlNumber === 'PCN-NPIREJ-1'),
    ).toBe(false);
  });

  it('the sandbox 835 carries the payer technical contact (1000A PER*BL) and a CLP06 from the 835 code list', async () => {
    const claim = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-835SHAPE-1' });
    await connector.submitClaim({ claim, parties: parties('MBR-8350') });
    const paid = remitFor(await inbound(), 'PCN-835SHAPE-1');
    expect(paid.claimFilingIndicator).toBe('MB');
    const [raw] = await db.sql<{ x12: string }[]>`
      select x12 from sandbox_payer.responses where type = '835' order by cursor desc limit 1`;
    expect(raw?.x12).toMatch(/~\s*PER\*BL\*/);
    expect(raw?.x12).toMatch(/~\s*ST\*835\*\d+\s*~/); // ST03 is not used in the 835
  });

  it('the same Medicare visit without KX over the threshold is denied CO-119', async () => {
    const claim = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-KX-MISSING' });
    await connector.submitClaim({ claim, parties: parties('SBX-KXOVER-0002') });
    const codes = remitFor(await inbound(), 'PCN-KX-MISSING').services.flatMap((s) =>
      s.adjustments.map((a) => `${a.group}-${a.reasonCode}`),
    );
    expect(codes).toContain('CO-119');
  });

  it('missing GP → CO-4 with N519 in the 835', async () => {
    const claim = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-NOGP-1' });
    claim.lines = claim.lines.map((l) => ({ ...l, modifiers: l.modifiers.filter((m) => m !== 'GP') }));
    await connector.submitClaim({ claim, parties: parties('MBR-4001') });
    const remit = remitFor(await inbound(), 'PCN-NOGP-1');
    expect(remit.statusCode).toBe('4');
    expect(remit.paidCents).toBe(0);
    for (const s of remit.services) {
      expect(s.adjustments).toEqual([{ group: 'CO', reasonCode: '4', amountCents: s.chargeCents }]);
      expect(s.remarkCodes).toContain('N519');
    }
  });

  it('CO-50 scenario: not medically necessary, with N115', async () => {
    const claim = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-CO50-1' });
    await connector.submitClaim({ claim, parties: parties('SBX-CO50-0001') });
    const remit = remitFor(await inbound(), 'PCN-CO50-1');
    expect(remit.statusCode).toBe('4');
    expect(remit.services.flatMap((s) => s.adjustments.map((a) => `${a.group}-${a.reasonCode}`))).toEqual([
      'CO-50',
      'CO-50',
    ]);
    expect(remit.services[0]?.remarkCodes).toContain('N115');
  });

  it('the same claim submitted three times is one claim at the payer (one 277CA entry, one 835)', async () => {
    const claim = codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-DUP-1' });
    const results = [];
    for (let i = 0; i < 3; i++)
      results.push(await connector.submitClaim({ claim, parties: parties('MBR-5001') }));
    expect(results.every((r) => r.accepted)).toBe(true);
    expect(new Set(results.map((r) => r.interchangeControlNumber)).size).toBe(3);
    await server.payer.settled(); // the sandbox files after answering each 999
    const rows =
      await db.sql`select receipts from sandbox_payer.claims where patient_control_number = 'PCN-DUP-1'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.receipts).toBe(3);
    const batch = await inbound();
    expect(batch.acknowledgements.filter((a) => a.patientControlNumber === 'PCN-DUP-1')).toHaveLength(1);
    expect(
      batch.remittances.flatMap((r) => r.claims).filter((c) => c.patientControlNumber === 'PCN-DUP-1'),
    ).toHaveLength(1);
    expect(
      remitFor(batch, 'PCN-DUP-1')
        .adjustments.concat(remitFor(batch, 'PCN-DUP-1').services.flatMap((s) => s.adjustments))
        .some((a) => a.reasonCode === '18'),
    ).toBe(false);
  });

  it('a restarted sandbox (same database) keeps claims, the mailbox cursor and increasing control numbers', async () => {
    const before = await connector.submitClaim({
      claim: codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-RESTART-1' }),
      parties: parties('MBR-6001'),
    });
    await server.close();
    await start();
    const status = await connector.queryClaimStatus({
      payerId: MEDICARE_PART_B,
      member: member('MBR-6001'),
      provider: { name: BILLING.name, npi: BILLING.npi },
      patientControlNumber: 'PCN-RESTART-1',
      serviceDates: { from: '2025-07-01', to: '2025-07-01' },
      traceNumber: 'STATUS-1',
    });
    expect(status.category).toBe('finalized');
    // The whole allowed amount went to the Part B deductible: finalized, paid 0, charge on file.
    expect(status.paidCents).toBe(0);
    expect(status.chargeCents).toBeGreaterThan(0);
    expect(status.document.controlNumber).toBe('0001');
    const batch = await inbound();
    expect(batch.remittances.flatMap((r) => r.claims).map((c) => c.patientControlNumber)).toEqual([
      'PCN-RESTART-1',
    ]);
    const after = await connector.submitClaim({
      claim: codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-RESTART-2', dos: '2025-07-03' }),
      parties: parties('MBR-6001'),
    });
    expect(after.interchangeControlNumber).toBeGreaterThan(before.interchangeControlNumber);
    const isa = await db.sql`select last_interchange from payer.control_numbers where sender_id = 'SBXPAYER'`;
    expect(Number(isa[0]?.last_interchange)).toBeGreaterThan(10);
  });
});

describe('control numbers in Postgres', () => {
  it('concurrent allocations never reuse a number and stay increasing per sender', async () => {
    const a = new PostgresControlNumbers(drizzle(db.sql));
    const b = new PostgresControlNumbers(drizzle(db.sql));
    const got = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).next('CONCURRENT')));
    const isa = got.map((g) => g.interchange).sort((x, y) => x - y);
    expect(new Set(isa).size).toBe(40);
    expect(isa[0]).toBe(1);
    expect(isa[39]).toBe(40);
    expect((await a.next('OTHER')).interchange).toBe(1);
  });
});

describe('faults and contract violations', () => {
  it('an outage is a retryable error carrying the Retry-After delay', async () => {
    server.faults.startOutage(NOW.getTime(), 30_000);
    try {
      const err = await connector
        .checkEligibility({
          payerId: MEDICARE_PART_B,
          member: member('MBR-7001'),
          provider: { name: BILLING.name, npi: BILLING.npi },
          serviceDate: '2025-07-01',
          traceNumber: 'ELIG-OUT',
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayerTransportError);
      expect((err as PayerTransportError).retryable).toBe(true);
      expect((err as PayerTransportError).retryAfterMs).toBe(30_000);
    } finally {
      server.faults.clear();
    }
  });

  it('a malformed response is a PayerContractViolation that never carries PHI', async () => {
    const err = await connector
      .checkEligibility({
        payerId: MEDICARE_PART_B,
        member: member('SBX-GARBLE-0001', CANARY),
        provider: { name: BILLING.name, npi: BILLING.npi },
        serviceDate: '2025-07-01',
        traceNumber: 'ELIG-GARBLE',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayerContractViolation);
    const e = err as PayerContractViolation;
    expect(e.retryable).toBe(false);
    const text = `${e.message} ${e.stack ?? ''} ${JSON.stringify(e)}`;
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain('SBX-GARBLE');
  });
});

// Last in the file: the claim poll acknowledges every waiting file, which empties the listing the tests above read.
describe('mailbox: downloaded files leave the listing (issue 15)', () => {
  it('a claim poll stores and acknowledges what waits; later polls read their claim by CLM01, not the history', async () => {
    const acts = createClaimActivities({ db: db.db, payer: connector });
    const pcns = ['PCN-MBX-1', 'PCN-MBX-2', 'PCN-MBX-3'];
    for (const [i, pcn] of pcns.entries())
      await connector.submitClaim({
        claim: codedClaim({ payerId: MEDICARE_PART_B, pcn }),
        parties: parties(`MBR-90${i}1`),
      });
    const waiting = await connector.fetchInbound();
    // The files of the tests above are still waiting (they only read), plus a 277CA and an 835 per claim here.
    expect(waiting.files.length).toBeGreaterThanOrEqual(6);

    const first = await acts.pollClaimResponses('PCN-MBX-2');
    expect(first.acknowledgement?.accepted).toBe(true);
    expect(first.payment?.paymentTrace).toBeTruthy();
    expect(Number(first.cursor)).toBeGreaterThan(0);
    // Everything that waited was stored and acknowledged: the listing is empty, whatever the mailbox held before.
    expect((await connector.fetchInbound()).files).toEqual([]);
    const unacked =
      await db.sql`select count(*)::int as n from sandbox_payer.responses where acknowledged_at is null`;
    expect(unacked[0]?.n).toBe(0);

    // Another claim's files were downloaded by that poll: it finds them in the store, in one poll.
    const third = await acts.pollClaimResponses('PCN-MBX-3');
    expect(third.acknowledgement?.accepted).toBe(true);
    expect(third.payment).toBeDefined();
    // After its cursor nothing is new for a claim (a replacement's answers would come later than the cursor).
    expect(await acts.pollClaimResponses('PCN-MBX-2', first.cursor)).toEqual({ cursor: first.cursor });

    // A new claim's poll lists only its own two new files: the cost follows what waits.
    await connector.submitClaim({
      claim: codedClaim({ payerId: MEDICARE_PART_B, pcn: 'PCN-MBX-4' }),
      parties: parties('MBR-9041'),
    });
    const listed = await connector.fetchInbound();
    expect(listed.files).toHaveLength(2);
    const fourth = await acts.pollClaimResponses('PCN-MBX-4', first.cursor);
    expect(fourth.acknowledgement?.accepted).toBe(true);
    expect(fourth.payment).toBeDefined();
    expect((await connector.fetchInbound()).files).toEqual([]);
    // Storing is idempotent: one row per file, claim and kind, even after re-acknowledging.
    await connector.acknowledgeInbound(listed.files.map((f) => f.cursor));
    const rows =
      await db.sql`select kind from payer.inbound_claim_items where patient_control_number = 'PCN-MBX-4'`;
    expect(rows.map((r) => r.kind).sort()).toEqual(['acknowledgement', 'payment']);
  });

  it('the acknowledgement route refuses anything but a list of digit cursors', async () => {
    const res = await fetch(`${server.url}/x12/responses/ack`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ cursors: ['1; drop table'] }),
    });
    expect(res.status).toBe(400);
  });
});

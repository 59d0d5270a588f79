// The fax/Direct gateway adapter over real HTTP against the sandbox gateway: idempotent sends, the delivery
// lifecycle, the sandbox's scenarios (busy fax, invalid number, bouncing Direct address), outages and transient
// failures as retryable errors with the server's delay, the signed-return intake, and the PDF the activity
// sends parsed back. No error message carries an address or a document.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSignatureRequest } from '../../../activities/poc-signature/document.js';
import { GatewayPhysicianDelivery } from '../../../connectors/physician-delivery/gateway/adapter.js';
import {
  PhysicianDeliveryContractViolation,
  PhysicianDeliveryNoRoute,
  PhysicianDeliveryRejected,
  PhysicianDeliveryUnavailable,
  physicianDeliveryFailure,
  type PhysicianDeliveryRequest,
} from '../../../connectors/physician-delivery/index.js';
import {
  startSandboxGateway,
  type SandboxGateway,
} from '../../../connectors/physician-delivery/sandbox/server.js';

const TOKEN = 'sandbox-gateway-token';
let gw: SandboxGateway;
let delivery: GatewayPhysicianDelivery;
let pdf: Uint8Array;

beforeAll(async () => {
  gw = await startSandboxGateway({ token: TOKEN, testHooks: true });
  delivery = new GatewayPhysicianDelivery({ baseUrl: gw.url, token: TOKEN, timeoutMs: 3_000 });
  pdf = (
    await renderSignatureRequest({
      practiceName: 'Riverside PT',
      recipientName: 'Dr. Lee',
      reference: 'C-0000',
      cycle: { kind: 'initial', firstTreatmentDate: '2026-12-01' },
      dueBy: '2026-12-31',
      purpose: 'original',
    })
  ).bytes;
});
afterAll(async () => gw?.close());

function request(overrides: Partial<PhysicianDeliveryRequest> = {}): PhysicianDeliveryRequest {
  return {
    idempotencyKey: `pocsig:${randomUUID()}:original:0:1:auto`,
    practiceId: randomUUID(),
    kind: 'poc_certification',
    purpose: 'original',
    document: { type: 'pdf', bytes: pdf, pageCount: 1 },
    recipient: { practitionerId: randomUUID(), displayName: 'Dr. Lee', fax: '+13125550100' },
    reference: `C-${randomUUID()}`,
    signatureRequested: true,
    ...overrides,
  };
}

describe('GatewayPhysicianDelivery against the sandbox gateway', () => {
  it('sends once per idempotency key; queued → delivered; the office signs; the return is read and acknowledged', async () => {
    const req = request();
    const first = await delivery.send(req);
    expect(first).toMatchObject({ channel: 'fax', status: 'queued', duplicate: false });
    const again = await delivery.send(req);
    expect(again).toMatchObject({ deliveryId: first.deliveryId, duplicate: true });
    expect(gw.deliveries().filter((d) => d.reference === req.reference)).toHaveLength(1);

    const delivered = await delivery.status(first.deliveryId);
    expect(delivered).toMatchObject({ status: 'delivered', channel: 'fax' });
    expect(delivered.deliveredAt).toBeDefined();

    const before = await delivery.listReturns();
    gw.sign(first.deliveryId, '2026-12-10', '1679576722');
    const signed = await delivery.status(first.deliveryId);
    expect(signed).toMatchObject({
      status: 'signed',
      signedReturn: {
        deliveryId: first.deliveryId,
        reference: req.reference,
        kind: 'poc_certification',
        signedDate: '2026-12-10',
        signerNpi: '1679576722',
      },
    });
    const page = await delivery.listReturns(before.nextCursor);
    expect(page.returns.map((r) => r.deliveryId)).toEqual([first.deliveryId]);
    await delivery.acknowledgeReturns(page.returns.map((r) => r.returnId));
    expect((await delivery.listReturns(before.nextCursor)).returns).toEqual([]);
  });

  it('Direct is preferred when the office has an address; a bouncing address fails the delivery with a code', async () => {
    const ok = await delivery.send(
      request({
        recipient: {
          practitionerId: randomUUID(),
          displayName: 'Dr. Lee',
          fax: '+13125550100',
          directAddress: 'dr.lee@direct.clinic.example',
        },
      }),
    );
    expect(ok.channel).toBe('direct');
    const bounced = await delivery.send(
      request({
        recipient: {
          practitionerId: randomUUID(),
          displayName: 'Dr. Lee',
          directAddress: 'bounce@direct.clinic.example',
        },
      }),
    );
    expect(await delivery.status(bounced.deliveryId)).toMatchObject({
      status: 'failed',
      failureCode: 'bounced',
    });
  });

  it('a busy fax fails at the gateway; an invalid number is refused at once, non-retryable, naming no number', async () => {
    const busy = await delivery.send(
      request({ recipient: { practitionerId: randomUUID(), displayName: 'Dr. Lee', fax: '+13125550486' } }),
    );
    expect(await delivery.status(busy.deliveryId)).toMatchObject({ status: 'failed', failureCode: 'busy' });

    const err = await delivery
      .send(
        request({ recipient: { practitionerId: randomUUID(), displayName: 'Dr. Lee', fax: '+13125550404' } }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhysicianDeliveryRejected);
    expect(err).toMatchObject({ status: 422, code: 'invalid_number', retryable: false });
    expect(String((err as Error).message)).not.toContain('555');
    expect(physicianDeliveryFailure(err)).toMatchObject({
      type: 'PhysicianDeliveryRejected',
      nonRetryable: true,
    });
  });

  it('no address on the channel → NoRoute; a bad reference or a wrong token → Rejected', async () => {
    await expect(
      delivery.send(request({ recipient: { practitionerId: randomUUID(), displayName: 'Dr. Lee' } })),
    ).rejects.toBeInstanceOf(PhysicianDeliveryNoRoute);
    await expect(delivery.send(request({ reference: 'has spaces' }))).rejects.toBeInstanceOf(
      PhysicianDeliveryRejected,
    );
    const wrong = new GatewayPhysicianDelivery({ baseUrl: gw.url, token: 'nope' });
    await expect(wrong.send(request())).rejects.toMatchObject({ status: 401, retryable: false });
  });

  it('transient failures and outages are retryable, an outage with the server’s Retry-After', async () => {
    gw.failNext(1);
    const transient = await delivery.send(request()).catch((e: unknown) => e);
    expect(transient).toBeInstanceOf(PhysicianDeliveryUnavailable);
    expect(transient).toMatchObject({ status: 503, retryable: true });

    gw.outage(30);
    const outage = await delivery.status('dl_any').catch((e: unknown) => e);
    expect(outage).toBeInstanceOf(PhysicianDeliveryUnavailable);
    expect((outage as PhysicianDeliveryUnavailable).retryAfterMs).toBeGreaterThan(25_000);
    expect(physicianDeliveryFailure(outage)).toMatchObject({ nonRetryable: false });
    gw.outage(0);
    // The gateway is back: the same request succeeds.
    expect((await delivery.send(request())).status).toBe('queued');
  });

  it('a gateway that is not there is unavailable (retryable); one that redirects violates the contract', async () => {
    const closed = new GatewayPhysicianDelivery({
      baseUrl: 'http://127.0.0.1:9',
      token: TOKEN,
      timeoutMs: 1_000,
    });
    await expect(closed.status('dl_x')).rejects.toBeInstanceOf(PhysicianDeliveryUnavailable);
    const redirecting = new GatewayPhysicianDelivery({
      baseUrl: gw.url,
      token: TOKEN,
      fetch: async () =>
        new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/' } }),
    });
    await expect(redirecting.status('dl_x')).rejects.toBeInstanceOf(PhysicianDeliveryContractViolation);
  });

  it('the certification request the activity sends is a one-page PDF that parses back with the reference and no address', async () => {
    const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: true }).promise;
    expect(doc.numPages).toBe(1);
    const page = await doc.getPage(1);
    const text = (await page.getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ');
    expect(text).toContain('Plan of care certification');
    expect(text).toContain('Reference: C-0000');
    expect(text).toContain('Please sign and date by: 2026-12-31');
    expect(text).not.toMatch(/\+1\d{10}/);
  });
});

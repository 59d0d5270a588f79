// The e-mail fallback over the real messaging service (consent, dedupe, templates) with the sandbox outbox in
// PostgreSQL: the notice carries an opaque https link and the reference, never the document, a patient or an
// address in an id; one notice per idempotency key; and the routed delivery picks e-mail only when the office
// has neither a fax number nor a Direct address (or when asked).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxMessaging, listOutbox } from '../../../connectors/messaging/index.js';
import {
  GatewayPhysicianDelivery,
  memorySecureDocumentStore,
  PhysicianDeliveryNoRoute,
  routedPhysicianDelivery,
  SecureLinkEmailDelivery,
  type PhysicianDeliveryRequest,
} from '../../../connectors/physician-delivery/index.js';
import {
  startSandboxGateway,
  type SandboxGateway,
} from '../../../connectors/physician-delivery/sandbox/server.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { captureLogger, hashAddress, practiceContact } from '../messaging/fixtures.js';

let db: TestDatabase;
let gw: SandboxGateway;
const logger = captureLogger();
const store = memorySecureDocumentStore();
let email: SecureLinkEmailDelivery;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  gw = await startSandboxGateway({ token: 't0ken' });
  email = new SecureLinkEmailDelivery({
    messaging: createSandboxMessaging({ db: db.db, hashAddress, logger, practiceContact }),
    store,
    linkBase: 'https://portal.riverside.example/d/',
    practice: async () => ({ name: 'Riverside PT', phone: '+1 555 555 0100' }),
    timeZone: 'America/Chicago',
  });
});
afterAll(async () => {
  await gw?.close();
  await db?.drop();
});

const PDF = new TextEncoder().encode('%PDF-1.7 synthetic plan of care for ZZCANARY-PATIENT');

function request(overrides: Partial<PhysicianDeliveryRequest> = {}): PhysicianDeliveryRequest {
  return {
    idempotencyKey: `pocsig:${randomUUID()}:original:0:1:email`,
    practiceId: DEMO_PRACTICE_ID,
    kind: 'poc_certification',
    purpose: 'original',
    document: { type: 'pdf', bytes: PDF },
    recipient: { practitionerId: randomUUID(), displayName: 'Dr. Lee', email: 'office@lee-clinic.example' },
    reference: 'C-0A1B2C3D4E5F60718293',
    signatureRequested: true,
    ...overrides,
  };
}

describe('SecureLinkEmailDelivery', () => {
  it('one notice per key, with an opaque https link and the reference only; the status reads delivered', async () => {
    const req = request();
    const first = await email.send(req);
    const again = await email.send(req);
    expect(first).toMatchObject({ channel: 'email', status: 'delivered', duplicate: false });
    expect(again).toMatchObject({ deliveryId: first.deliveryId, duplicate: true });
    expect(first.deliveryId).toMatch(/^em_[0-9a-f]{32}$/);

    const outbox = (await listOutbox(db.db, { practiceId: DEMO_PRACTICE_ID })).filter(
      (e) => e.channel === 'email' && e.template === 'physician_report_notice',
    );
    expect(outbox).toHaveLength(1);
    const text = JSON.stringify(outbox[0]);
    const link = /https:\/\/portal\.riverside\.example\/d\/([A-Za-z0-9_-]+)/.exec(text);
    expect(link?.[1]).toHaveLength(32);
    expect(text).toContain('C-0A1B2C3D4E5F60718293');
    // The document (and what it says about the patient) stays behind the link.
    expect(text).not.toContain('ZZCANARY');
    expect(first.deliveryId).not.toContain(link![1]!);
    expect(await email.status(first.deliveryId)).toMatchObject({ status: 'delivered', channel: 'email' });
    expect((await store.get(first.deliveryId))?.document).toEqual({ type: 'pdf', bytes: PDF });
  });

  it('no e-mail address: no route', async () => {
    await expect(
      email.send(request({ recipient: { practitionerId: randomUUID(), displayName: 'Dr. Lee' } })),
    ).rejects.toBeInstanceOf(PhysicianDeliveryNoRoute);
  });

  it('the routed delivery faxes when it can and e-mails when asked or when there is nothing else', async () => {
    const routed = routedPhysicianDelivery(
      new GatewayPhysicianDelivery({ baseUrl: gw.url, token: 't0ken' }),
      email,
    );
    expect(routed.channels).toEqual(['fax', 'direct', 'email']);
    const both = {
      practitionerId: randomUUID(),
      displayName: 'Dr. Lee',
      fax: '+13125550100',
      email: 'office@lee-clinic.example',
    };
    expect((await routed.send(request({ recipient: both }))).channel).toBe('fax');
    const asked = await routed.send(request({ recipient: both, channel: 'email' }));
    expect(asked.channel).toBe('email');
    expect((await routed.status(asked.deliveryId)).channel).toBe('email');
    expect((await routed.send(request())).channel).toBe('email');
    await expect(
      routedPhysicianDelivery(new GatewayPhysicianDelivery({ baseUrl: gw.url, token: 't0ken' })).send(
        request(),
      ),
    ).rejects.toBeInstanceOf(PhysicianDeliveryNoRoute);
  });
});

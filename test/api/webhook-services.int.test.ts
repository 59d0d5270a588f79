// The webhook routes as `ptflow api` composes them (cli/services.ts startApiService): a signed EMR delivery
// starts an `emrEventRouter` workflow on the configured task queue (the worker routes it), and Twilio inbound
// messages and status callbacks are recorded by the messaging service in our tables, answered with TwiML.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createEmrEventRouter, eventWorkflowUuid } from '../../api/webhooks/emr-router.js';
import { deliveryDedupeKey } from '../../api/webhooks/signed.js';
import { loadConfig } from '../../cli/config.js';
import { startApiService, type ApiService } from '../../cli/services.js';
import { computeTwilioSignature } from '../../connectors/messaging/sms/twilio-signature.js';
import type { EmrEvent } from '../../connectors/webhooks/emr-events.js';
import { generateWebhookSecret, signedWebhookHeaders } from '../../connectors/webhooks/standard-webhooks.js';
import { messages } from '../../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { workflowId } from '../../domain/ids.js';
import { freePort } from '../../devtools/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { devServerClient, uniqueTaskQueue } from '../helpers/temporal.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-webhook-services-'));
const secret = generateWebhookSecret();
const AUTH_TOKEN = 'twilio-services-auth-token-0123456789';
const taskQueue = uniqueTaskQueue('webhook-services');
let db: TestDatabase;
let api: ApiService;
let twilioUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  const port = await freePort();
  twilioUrl = `http://127.0.0.1:${port}/v1/webhooks/messaging/twilio`;
  const config = loadConfig({
    PTFLOW_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    PORT: String(port),
    LOG_LEVEL: 'silent',
  });
  api = await startApiService(config, db.url, {
    webhooks: {
      perMinute: 10_000,
      sources: {
        emr: { sandbox: { tenant: DEMO_PRACTICE_ID, secrets: [secret] } },
        payer: {},
        messaging: { twilio: { tenant: DEMO_PRACTICE_ID, authToken: AUTH_TOKEN, publicUrl: twilioUrl } },
      },
    },
  });
});
afterAll(async () => {
  await api?.stop();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sid = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '')}`;
function twilio(params: Record<string, string>) {
  return fetch(twilioUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': computeTwilioSignature(AUTH_TOKEN, twilioUrl, params),
    },
    body: new URLSearchParams(params).toString(),
  });
}

describe('webhooks composed by startApiService', () => {
  it('records a Twilio inbound message (TwiML answer) and a status callback', async () => {
    const inboundSid = sid('SM');
    const res = await twilio({
      MessageSid: inboundSid,
      AccountSid: sid('AC'),
      From: '+15555550177',
      To: '+15555550100',
      Body: 'HELP',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    // A sender we never wrote to gets no keyword reply (nothing tells which practice's text it answers).
    expect(await res.text()).toContain('<Response');
    const rows = await db.db.select().from(messages).where(eq(messages.providerMessageId, inboundSid));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ direction: 'inbound', practiceId: DEMO_PRACTICE_ID });

    const status = await twilio({ MessageSid: sid('SM'), AccountSid: sid('AC'), MessageStatus: 'delivered' });
    expect(status.status).toBe(200);
  });

  it('hands a signed EMR event to an emrEventRouter workflow on the task queue; a failed routing runs again', async () => {
    const event: EmrEvent = {
      type: 'appointment.no_show',
      timestamp: new Date().toISOString(),
      data: {
        practiceId: DEMO_PRACTICE_ID,
        emrAppointmentId: randomUUID(),
        appointmentId: null,
        emrPatientId: randomUUID(),
        therapistId: randomUUID(),
        locationId: randomUUID(),
        kind: 'treatment',
        start: new Date().toISOString(),
        end: new Date().toISOString(),
      },
    };
    const body = JSON.stringify(event);
    const id = `msg_${randomUUID().replace(/-/g, '')}`;
    const res = await fetch(`${api.url}/v1/webhooks/emr/sandbox`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signedWebhookHeaders({ id, timestamp: Math.floor(Date.now() / 1000), body }, [secret]),
      },
      body,
    });
    expect(res.status).toBe(202);
    const temporal = await devServerClient();
    try {
      const dedupeKey = deliveryDedupeKey(DEMO_PRACTICE_ID, 'emr:sandbox', id);
      const handle = temporal.client.workflow.getHandle(workflowId('event', eventWorkflowUuid(dedupeKey)));
      const described = await handle.describe();
      expect(described).toMatchObject({ type: 'emrEventRouter', taskQueue });
      expect(described.typedSearchAttributes.getAll().map((p) => p.key.name)).toContain('ProcessKind');
      // No worker polls this queue in this test. A run that ended badly (here: terminated) is started again
      // when the same delivery is routed again (inbox lease expired, reconciler); a running one is reused.
      const router = createEmrEventRouter({ temporal: temporal.client, taskQueue });
      const verified = {
        kind: 'emr' as const,
        event,
        source: 'sandbox',
        tenant: DEMO_PRACTICE_ID,
        webhookId: id,
        inboxId: randomUUID(),
        dedupeKey,
      };
      await router.route(verified);
      expect((await handle.describe()).runId).toBe(described.runId);
      await handle.terminate('test: a failed routing');
      await router.route(verified);
      const again = await handle.describe();
      expect(again.runId).not.toBe(described.runId);
      expect(again.status.name).toBe('RUNNING');
      await handle.terminate('test cleanup');
    } finally {
      await temporal.close();
    }
  });
});

// The OpenAPI document of the whole API, built from the route schemas without serving anything: the app is
// assembled around lazy clients (nothing connects until a route runs) and asked for its document.
import { Client } from '@temporalio/client';
import { connectDb } from '../db/connection.js';
import { generateKeyring } from '../db/crypto/keyring.js';
import { buildApp } from './app.js';
import { loadWebhookSettings } from './webhooks/config.js';

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const db = connectDb('postgres://openapi@127.0.0.1:1/openapi', { max: 1 });
  const app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: new Client(),
    cursorKey: Buffer.alloc(32),
    readiness: {},
    idempotency: { keyring: generateKeyring('docs') },
    // No sources configured: the webhook routes exist (and are documented) but accept nothing.
    webhooks: {
      settings: loadWebhookSettings({ PTFLOW_WEBHOOK_SOURCES: '{"emr":{},"payer":{},"messaging":{}}' })!,
    },
  });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
    await db.close();
  }
}

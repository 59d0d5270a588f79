// The OpenAPI document of the whole API, built from the route schemas without serving anything: the app is
// assembled around lazy clients (nothing connects until a route runs) and asked for its document.
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { connectDb } from '../db/connection.js';
import { generateKeyring } from '../db/crypto/keyring.js';
import { EncryptionCodec } from '../temporal/codec/encryption-codec.js';
import { buildApp } from './app.js';
import { loadWebhookSettings } from './webhooks/config.js';

/** The app as `npm run openapi` documents it (lazy clients); `close` shuts the app and its pool. */
export async function documentedApp(): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const db = connectDb('postgres://openapi@127.0.0.1:1/openapi', { max: 1 });
  const app = await buildApp({
    logLevel: 'silent',
    db: db.db,
    temporal: new Client(),
    cursorKey: Buffer.alloc(32),
    readiness: {},
    idempotency: { keyring: generateKeyring('docs') },
    // The codec server's routes are documented like every other route (nothing is encoded here).
    codec: {
      codec: new EncryptionCodec(generateKeyring('docs-codec')),
      allowedOrigin: 'http://127.0.0.1:8233',
    },
    // No sources configured: the webhook routes exist (and are documented) but accept nothing.
    webhooks: {
      settings: loadWebhookSettings({ PTFLOW_WEBHOOK_SOURCES: '{"emr":{},"payer":{},"messaging":{}}' })!,
    },
  });
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const { app, close } = await documentedApp();
  try {
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await close();
  }
}

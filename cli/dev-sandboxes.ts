// The simulated outside world of `ptflow dev`: the sandbox EMR (schema sandbox_emr, seeded with the demo
// practice) and sandbox messaging (its outbox), handed to the worker as the onboarding connectors. Demo only:
// production configures real EMR and messaging adapters.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { PracticeProfile } from '../activities/emr-events/index.js';
import type { OnboardingConnectorDeps } from '../activities/onboarding/index.js';
import type { WebhookSettings } from '../api/webhooks/config.js';
import { SandboxEmr } from '../connectors/emr/sandbox/sandbox-emr.js';
import type { WebhookTarget } from '../connectors/emr/sandbox/webhooks.js';
import { seedSandboxEmr } from '../connectors/emr/sandbox/seed.js';
import { createSandboxMessaging } from '../connectors/messaging/index.js';
import { GatewayPhysicianDelivery, type PhysicianDelivery } from '../connectors/physician-delivery/index.js';
import { startSandboxGateway } from '../connectors/physician-delivery/sandbox/server.js';
import { generateWebhookSecret } from '../connectors/webhooks/standard-webhooks.js';
import type { Database } from '../db/connection.js';
import { createReferrerRepository } from '../db/repositories/referring-providers.js';
import { DEMO_PRACTICE_ID } from '../db/seed.js';
import type { Config } from './config.js';
import { productionPhysicianDelivery } from './worker-connectors.js';
import { dataKeys } from './keyrings.js';
import { messagingBasics } from './messaging-sink.js';

/**
 * The intake side of a practice's profile for the EMR event router under `ptflow dev`: the sandbox forms
 * service's links and the default evaluation, for every practice on file (the claim's parties come from the
 * practice profile in the database, `ptflow practice …`).
 */
export async function devPracticeProfile(practiceId: string): Promise<PracticeProfile | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(practiceId)) return undefined;
  return {
    intakeFormLink: 'https://forms.ptflow.example/intake',
    insuranceUpdateLink: 'https://forms.ptflow.example/insurance',
    defaultEvaluation: { acuity: 'subacute', bodyRegion: 'general' },
  };
}

/**
 * The sandbox EMR as a webhook source of `ptflow dev`: the configured `emr.sandbox` source when
 * PTFLOW_WEBHOOK_SOURCES has one, else one for the demo practice with a secret made up for this run (sender
 * and receiver live in the same process). Returns the API's settings and where the sandbox sends.
 */
export function devWebhookSetup(
  config: Config,
  configured: WebhookSettings | undefined,
): { settings: WebhookSettings; target: WebhookTarget } {
  const own = configured?.sources.emr.sandbox;
  const secret = own
    ? own.secrets.map((s) => (typeof s === 'string' ? s : s.secret))
    : [generateWebhookSecret()];
  const settings: WebhookSettings = configured
    ? own
      ? configured
      : {
          ...configured,
          sources: {
            ...configured.sources,
            emr: { ...configured.sources.emr, sandbox: { tenant: DEMO_PRACTICE_ID, secrets: secret } },
          },
        }
    : {
        perMinute: 600,
        sources: {
          emr: { sandbox: { tenant: DEMO_PRACTICE_ID, secrets: secret } },
          payer: {},
          messaging: {},
        },
      };
  return {
    settings,
    target: { url: `http://${config.HOST}:${config.PORT}/v1/webhooks/emr/sandbox`, secrets: secret },
  };
}

/** Delivers the sandbox EMR's due webhooks every `everyMs` (its retry schedule applies to failed attempts). */
export function pumpSandboxWebhooks(emr: SandboxEmr, everyMs = 1_000): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => emr.webhooks.deliverDue().catch(() => undefined));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export async function devOnboardingConnectors(
  config: Config,
  databaseUrl: string,
  db: Database,
  opts: { webhookTarget?: WebhookTarget } = {},
): Promise<{ deps: OnboardingConnectorDeps; emr: SandboxEmr; stop(): Promise<void> }> {
  const sql = postgres(databaseUrl, { max: 5, onnotice: () => undefined });
  await seedSandboxEmr(sql, new Date());
  const keys = dataKeys(config);
  const basics = messagingBasics(config, db, keys);
  // The sandbox keeps its own message repository beside its transports' outbox.
  const messaging = createSandboxMessaging({ ...basics, db });
  const emr = new SandboxEmr(sql, {
    practiceId: DEMO_PRACTICE_ID,
    ...(opts.webhookTarget ? { target: opts.webhookTarget } : {}),
  });
  return {
    deps: { emr, messaging, keys, practiceContact: basics.practiceContact },
    emr,
    stop: () => sql.end({ timeout: 5 }),
  };
}

/**
 * PhysicianDelivery of `ptflow dev`: the configured gateway when PHYSICIAN_DELIVERY_URL is set, else the sandbox
 * fax/Direct gateway on SANDBOX_PHYSICIAN_GATEWAY_PORT (in memory: deliveries are gone after a restart; its
 * test hooks let a developer play the office). Its bearer token is made up for this run.
 */
export async function devPhysicianDelivery(
  config: Config,
): Promise<{ delivery: PhysicianDelivery; url: string; stop?: () => Promise<void> }> {
  if (config.PHYSICIAN_DELIVERY_URL)
    return { delivery: productionPhysicianDelivery(config), url: config.PHYSICIAN_DELIVERY_URL };
  const token = randomBytes(24).toString('base64url');
  const gateway = await startSandboxGateway({
    token,
    port: config.SANDBOX_PHYSICIAN_GATEWAY_PORT,
    testHooks: true,
  });
  return {
    delivery: new GatewayPhysicianDelivery({ baseUrl: gateway.url, token }),
    url: gateway.url,
    stop: () => gateway.close(),
  };
}

/** The demo referring physician's EMR practitioner id: a plan of care naming it is faxed to the sandbox gateway. */
export const DEV_REFERRING_PRACTITIONER_ID = '5f0c2a8e-7d4b-4c1e-9a36-2b8d1e0f4c71';

/**
 * The demo practice's referring physician in its referrer directory (made-up NPI, name and fax), once: an
 * admin's later edit is kept. Without an entry the POC signature process has no route and asks the front desk.
 */
export async function seedDevReferrer(db: Database): Promise<void> {
  const referrers = createReferrerRepository(db);
  const npi = '1679576722';
  if (await referrers.findActive(DEMO_PRACTICE_ID, npi)) return;
  await referrers.syncFromEmr(DEMO_PRACTICE_ID, [
    { npi, lastName: 'Lee', firstName: 'Dana', emrPractitionerId: DEV_REFERRING_PRACTITIONER_ID },
  ]);
  await referrers.put(DEMO_PRACTICE_ID, npi, {
    lastName: 'Lee',
    firstName: 'Dana',
    organization: 'Springfield Family Medicine',
    fax: '5555550123',
  });
}

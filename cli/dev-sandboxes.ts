// The simulated outside world of `ptflow dev`: the sandbox EMR (schema sandbox_emr, seeded with the demo
// practice) and sandbox messaging (its outbox), handed to the worker as the onboarding connectors. Demo only:
// production configures real EMR and messaging adapters.
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import type { OnboardingConnectorDeps } from '../activities/onboarding/index.js';
import { SandboxEmr } from '../connectors/emr/sandbox/sandbox-emr.js';
import { seedSandboxEmr } from '../connectors/emr/sandbox/seed.js';
import { createAddressHasher, createSandboxMessaging } from '../connectors/messaging/index.js';
import type { Database } from '../db/connection.js';
import { practices } from '../db/schema.js';
import { DEMO_PRACTICE_ID } from '../db/seed.js';
import { createLogger } from './logger.js';
import type { Config } from './config.js';
import { dataKeys } from './keyrings.js';

/** The demo practice's phone in message templates (practices have no phone column yet). */
const DEMO_PRACTICE_PHONE = '+1 555 555 0100';

export async function devOnboardingConnectors(
  config: Config,
  databaseUrl: string,
  db: Database,
): Promise<{ deps: OnboardingConnectorDeps; stop(): Promise<void> }> {
  const sql = postgres(databaseUrl, { max: 5, onnotice: () => undefined });
  await seedSandboxEmr(sql, new Date());
  const keys = dataKeys(config);
  const log = createLogger(config.LOG_LEVEL, 'messaging');
  const practiceContact = async (practiceId: string) => {
    const [p] = await db.select({ name: practices.name }).from(practices).where(eq(practices.id, practiceId));
    return { practiceName: p?.name ?? 'Your physical therapy clinic', practicePhone: DEMO_PRACTICE_PHONE };
  };
  const messaging = createSandboxMessaging({
    db,
    hashAddress: createAddressHasher(keys.blindIndexKey),
    logger: { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m) },
    practiceContact,
  });
  return {
    deps: { emr: new SandboxEmr(sql, { practiceId: DEMO_PRACTICE_ID }), messaging, keys, practiceContact },
    stop: () => sql.end({ timeout: 5 }),
  };
}

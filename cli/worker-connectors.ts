// The real connectors of a production worker, from configuration: the EMR (FHIR R4 with SMART Backend
// Services), messaging (Twilio SMS and SMTP e-mail) and the clearinghouse (CLEARINGHOUSE_*). Every workflow
// the worker registers (onboarding, authorizations, claims, schedules, the EMR event router) needs them, and
// the POC signature process sends through the fax/Direct gateway (PHYSICIAN_DELIVERY_*), so in
// production `ptflow worker` refuses to start while one is incomplete and names every missing variable at
// once (ConfigError, one line, exit 2). `ptflow dev` wires the sandboxes instead (cli/dev-sandboxes.ts).
import { importPKCS8 } from 'jose';
import type { OnboardingConnectorDeps } from '../activities/onboarding/index.js';
import { createFhirEmr } from '../connectors/emr/fhir/index.js';
import { GatewayPhysicianDelivery, type PhysicianDelivery } from '../connectors/physician-delivery/index.js';
import { createMessaging, SmtpEmailTransport, TwilioSmsTransport } from '../connectors/messaging/index.js';
import type { Database } from '../db/connection.js';
import { ConfigError, type Config } from './config.js';
import { dataKeys } from './keyrings.js';
import { messagingBasics } from './messaging-sink.js';

type ConnectorConfig = Pick<
  Config,
  | 'EMR_FHIR_BASE_URL'
  | 'EMR_SMART_TOKEN_URL'
  | 'EMR_SMART_CLIENT_ID'
  | 'EMR_SMART_SCOPE'
  | 'EMR_SMART_PRIVATE_KEY'
  | 'EMR_SMART_KEY_ID'
  | 'TWILIO_ACCOUNT_SID'
  | 'TWILIO_AUTH_TOKEN'
  | 'TWILIO_FROM'
  | 'TWILIO_MESSAGING_SERVICE_SID'
  | 'SMTP_HOST'
  | 'SMTP_FROM'
  | 'SMTP_MESSAGE_ID_DOMAIN'
  | 'SMTP_USERNAME'
  | 'SMTP_PASSWORD'
  | 'CLEARINGHOUSE_URL'
  | 'CLEARINGHOUSE_USERNAME'
  | 'CLEARINGHOUSE_PASSWORD'
  | 'PHYSICIAN_DELIVERY_URL'
  | 'PHYSICIAN_DELIVERY_TOKEN'
>;

/** Each connector the worker's processes use, with the variables that must all be set for it. */
export const WORKER_CONNECTORS = {
  emr: [
    'EMR_FHIR_BASE_URL',
    'EMR_SMART_TOKEN_URL',
    'EMR_SMART_CLIENT_ID',
    'EMR_SMART_SCOPE',
    'EMR_SMART_PRIVATE_KEY',
    'EMR_SMART_KEY_ID',
  ],
  sms: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'],
  email: ['SMTP_HOST', 'SMTP_FROM', 'SMTP_MESSAGE_ID_DOMAIN'],
  clearinghouse: [
    'CLEARINGHOUSE_URL',
    'CLEARINGHOUSE_USERNAME',
    'CLEARINGHOUSE_PASSWORD',
    'CLEARINGHOUSE_SUBMITTER_ID',
  ],
  physicianDelivery: ['PHYSICIAN_DELIVERY_URL', 'PHYSICIAN_DELIVERY_TOKEN'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Variables missing for the worker's connectors (empty when complete). CLEARINGHOUSE_SUBMITTER_ID has a
 * development default, so it counts as missing unless the environment sets it. TWILIO_FROM is satisfied by
 * TWILIO_MESSAGING_SERVICE_SID; SMTP_USERNAME and SMTP_PASSWORD go together.
 */
export function missingWorkerConnectorVariables(
  config: ConnectorConfig,
  explicitlySet: ReadonlySet<string>,
): string[] {
  const isSet = (name: string): boolean => {
    if (name === 'CLEARINGHOUSE_SUBMITTER_ID') return explicitlySet.has(name);
    if (name === 'TWILIO_FROM') return Boolean(config.TWILIO_FROM ?? config.TWILIO_MESSAGING_SERVICE_SID);
    return Boolean((config as Record<string, unknown>)[name]);
  };
  const missing: string[] = Object.values(WORKER_CONNECTORS)
    .flat()
    .filter((name) => !isSet(name));
  if (config.SMTP_USERNAME && !config.SMTP_PASSWORD) missing.push('SMTP_PASSWORD');
  if (config.SMTP_PASSWORD && !config.SMTP_USERNAME) missing.push('SMTP_USERNAME');
  return missing;
}

/** The one-line refusal of `ptflow worker` (names only, never values). */
export function workerConnectorError(missing: readonly string[]): ConfigError {
  return new ConfigError(
    missing.join(', '),
    `${missing.length === 1 ? 'is' : 'are'} required by the worker's connectors (EMR, SMS, e-mail, clearinghouse, physician delivery) in production; ` +
      'set them (or NAME_FILE) and start again',
  );
}

/** EMR and messaging for the onboarding, event-router and schedule activities (the payer comes from CLEARINGHOUSE_*). */
export async function productionConnectors(config: Config, db: Database): Promise<OnboardingConnectorDeps> {
  if (
    !config.EMR_FHIR_BASE_URL ||
    !config.EMR_SMART_TOKEN_URL ||
    !config.EMR_SMART_CLIENT_ID ||
    !config.EMR_SMART_SCOPE
  )
    throw workerConnectorError(missingWorkerConnectorVariables(config, new Set()));
  if (!config.EMR_SMART_PRIVATE_KEY || !config.EMR_SMART_KEY_ID)
    throw workerConnectorError(missingWorkerConnectorVariables(config, new Set()));
  let privateKey: Awaited<ReturnType<typeof importPKCS8>>;
  try {
    privateKey = await importPKCS8(config.EMR_SMART_PRIVATE_KEY, config.EMR_SMART_ALG);
  } catch {
    throw new ConfigError(
      'EMR_SMART_PRIVATE_KEY',
      `is not a PKCS#8 private key usable with ${config.EMR_SMART_ALG}`,
    );
  }
  const emr = createFhirEmr({
    baseUrl: config.EMR_FHIR_BASE_URL,
    vendor: config.EMR_FHIR_VENDOR,
    auth: {
      kind: 'smart-backend',
      tokenUrl: config.EMR_SMART_TOKEN_URL,
      clientId: config.EMR_SMART_CLIENT_ID,
      scope: config.EMR_SMART_SCOPE,
      privateKey,
      alg: config.EMR_SMART_ALG,
      kid: config.EMR_SMART_KEY_ID,
    },
  });
  const keys = dataKeys(config);
  const basics = messagingBasics(config, db, keys);
  const messaging = createMessaging({
    ...basics,
    transports: {
      ...(config.TWILIO_ACCOUNT_SID &&
      config.TWILIO_AUTH_TOKEN &&
      (config.TWILIO_FROM || config.TWILIO_MESSAGING_SERVICE_SID)
        ? {
            sms: new TwilioSmsTransport({
              baseUrl: config.TWILIO_BASE_URL,
              accountSid: config.TWILIO_ACCOUNT_SID,
              ...(config.TWILIO_API_KEY_SID ? { username: config.TWILIO_API_KEY_SID } : {}),
              password: config.TWILIO_AUTH_TOKEN,
              ...(config.TWILIO_FROM ? { from: config.TWILIO_FROM } : {}),
              ...(config.TWILIO_MESSAGING_SERVICE_SID
                ? { messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID }
                : {}),
              ...(config.TWILIO_STATUS_CALLBACK_URL
                ? { statusCallbackUrl: config.TWILIO_STATUS_CALLBACK_URL }
                : {}),
            }),
          }
        : {}),
      ...(config.SMTP_HOST && config.SMTP_FROM && config.SMTP_MESSAGE_ID_DOMAIN
        ? {
            email: new SmtpEmailTransport({
              host: config.SMTP_HOST,
              port: config.SMTP_PORT,
              from: config.SMTP_FROM,
              messageIdDomain: config.SMTP_MESSAGE_ID_DOMAIN,
              ...(config.SMTP_USERNAME && config.SMTP_PASSWORD
                ? { auth: { user: config.SMTP_USERNAME, pass: config.SMTP_PASSWORD } }
                : {}),
            }),
          }
        : {}),
    },
  });
  return { emr, messaging, keys, practiceContact: basics.practiceContact };
}

/** The fax/Direct gateway of a production worker (PHYSICIAN_DELIVERY_*); no e-mail fallback is wired yet. */
export function productionPhysicianDelivery(config: ConnectorConfig): PhysicianDelivery {
  if (!config.PHYSICIAN_DELIVERY_URL || !config.PHYSICIAN_DELIVERY_TOKEN)
    throw workerConnectorError(
      ['PHYSICIAN_DELIVERY_URL', 'PHYSICIAN_DELIVERY_TOKEN'].filter(
        (name) => !(config as Record<string, unknown>)[name],
      ),
    );
  return new GatewayPhysicianDelivery({
    baseUrl: config.PHYSICIAN_DELIVERY_URL,
    token: config.PHYSICIAN_DELIVERY_TOKEN,
  });
}

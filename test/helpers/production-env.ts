// The environment a production `ptflow worker` (NODE_ENV=production) needs besides its database and Temporal: fresh
// random keys and every connector its processes use, with endpoints that are never called (the tests only start
// it, watch it poll or refuse). One list, so a connector the worker comes to require is added in one place.
import { randomBytes } from 'node:crypto';

const b64 = () => randomBytes(32).toString('base64');

/** Secrets the caller may mark (e.g. a PHI/secret canary that must never appear in output). */
export interface ProductionSecrets {
  twilioAuthToken?: string;
  clearinghousePassword?: string;
  physicianDeliveryToken?: string;
}

/** Payload and data keys, blind-index key and cursor secret, freshly generated. */
export function productionKeyEnv(): Record<string, string> {
  return {
    PTFLOW_PAYLOAD_KEYS: `p1:${b64()}`,
    PTFLOW_ACTIVE_PAYLOAD_KEY_ID: 'p1',
    PTFLOW_DATA_KEYS: `d1:${b64()}`,
    PTFLOW_ACTIVE_DATA_KEY_ID: 'd1',
    PTFLOW_BLIND_INDEX_KEY: b64(),
    PTFLOW_CURSOR_SECRET: b64(),
  };
}

/** Every connector of the production worker: FHIR EMR (SMART backend key in `smartKeyFile`), SMS, SMTP, the
 * clearinghouse and the physician fax/Direct gateway. */
export function productionConnectorEnv(
  smartKeyFile: string,
  secrets: ProductionSecrets = {},
): Record<string, string> {
  return {
    EMR_FHIR_BASE_URL: 'https://emr.example.com/fhir/r4',
    EMR_SMART_TOKEN_URL: 'https://emr.example.com/oauth2/token',
    EMR_SMART_CLIENT_ID: 'ptflow',
    EMR_SMART_SCOPE: 'system/Patient.cruds',
    EMR_SMART_KEY_ID: 'k1',
    EMR_SMART_PRIVATE_KEY_FILE: smartKeyFile,
    TWILIO_ACCOUNT_SID: `AC${'c'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: secrets.twilioAuthToken ?? 'twilio-token',
    TWILIO_FROM: '+15555550100',
    SMTP_HOST: 'smtp.example.com',
    SMTP_FROM: 'no-reply@clinic.example',
    SMTP_MESSAGE_ID_DOMAIN: 'clinic.example',
    CLEARINGHOUSE_URL: 'https://clearinghouse.example.com',
    CLEARINGHOUSE_USERNAME: 'ptflow',
    CLEARINGHOUSE_PASSWORD: secrets.clearinghousePassword ?? 'ch-password',
    CLEARINGHOUSE_SUBMITTER_ID: 'CLINIC01',
    PHYSICIAN_DELIVERY_URL: 'https://fax-gateway.example.com/',
    PHYSICIAN_DELIVERY_TOKEN: secrets.physicianDeliveryToken ?? 'gateway-token',
  };
}

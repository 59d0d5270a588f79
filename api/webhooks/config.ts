// Webhook sources and their secrets, from the environment (one JSON variable, validated here so a bad value
// stops start-up with the variable's name and never its content).
//
// PTFLOW_WEBHOOK_SOURCES='{
//   "emr":       { "sandbox": { "tenant": "<practice uuid>", "secrets": ["whsec_new", {"secret": "whsec_old", "notAfter": "2026-12-01T00:00:00Z"}] } },
//   "payer":     { "sandbox": { "tenant": "<practice uuid>", "secrets": ["whsec_…"] } },
//   "messaging": { "twilio":  { "tenant": "<practice uuid>", "authToken": "…", "publicUrl": "https://api.example.com/v1/webhooks/messaging/twilio" } }
// }'
// PTFLOW_WEBHOOK_RATE_LIMIT_PER_MINUTE=600   (per source)
import { z } from 'zod';
import { decodeWebhookSecret } from '../../connectors/webhooks/standard-webhooks.js';

export const WEBHOOK_SOURCES_VARIABLE = 'PTFLOW_WEBHOOK_SOURCES';
export const WEBHOOK_RATE_LIMIT_VARIABLE = 'PTFLOW_WEBHOOK_RATE_LIMIT_PER_MINUTE';

const secret = z.string().refine((s) => {
  try {
    decodeWebhookSecret(s);
    return true;
  } catch {
    return false;
  }
}, 'must be a whsec_<base64> secret of 24-64 bytes');

/** A bare secret, or one that stops being accepted at `notAfter` (the previous secret of a rotation). */
const secretEntry = z.union([secret, z.strictObject({ secret, notAfter: z.iso.datetime({ offset: true }) })]);

const sourceName = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, 'source names are lower-case letters, digits, dashes');

export const signedSourceSchema = z.strictObject({
  tenant: z.uuid(),
  /** One secret, two during a rotation overlap (zero-downtime key change). */
  secrets: z.array(secretEntry).min(1).max(2),
});

/** HTTPS only; plain http is allowed for loopback so local development works. */
const publicUrl = z
  .url()
  .refine(
    (u) => u.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(u),
    'must be an https:// URL',
  );

export const twilioSourceSchema = z.strictObject({
  tenant: z.uuid(),
  authToken: z.string().min(16),
  /** The exact URL configured at Twilio: the signature covers it, so it never comes from the Host header. */
  publicUrl,
});

export const webhookSourcesSchema = z.strictObject({
  emr: z.record(sourceName, signedSourceSchema).default({}),
  payer: z.record(sourceName, signedSourceSchema).default({}),
  messaging: z.record(sourceName, twilioSourceSchema).default({}),
});

export type SignedSource = z.infer<typeof signedSourceSchema>;
export type TwilioSource = z.infer<typeof twilioSourceSchema>;
export type WebhookSources = z.infer<typeof webhookSourcesSchema>;

export interface WebhookSettings {
  sources: WebhookSources;
  /** Deliveries per minute per source before 429. */
  perMinute: number;
}

export class WebhookConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'WebhookConfigError';
  }
}

/** Parse the webhook settings; undefined when no source is configured (the routes are then not mounted). */
export function loadWebhookSettings(env: NodeJS.ProcessEnv): WebhookSettings | undefined {
  const raw = env[WEBHOOK_SOURCES_VARIABLE];
  if (raw === undefined || raw === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new WebhookConfigError(WEBHOOK_SOURCES_VARIABLE, 'must be JSON');
  }
  const parsed = webhookSourcesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Path and message only: zod messages for these checks never quote the (secret) value.
    throw new WebhookConfigError(
      WEBHOOK_SOURCES_VARIABLE,
      `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'is invalid'}`,
    );
  }
  const rate = z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(600)
    .safeParse(env[WEBHOOK_RATE_LIMIT_VARIABLE] || undefined);
  if (!rate.success) throw new WebhookConfigError(WEBHOOK_RATE_LIMIT_VARIABLE, 'must be a whole number ≥ 1');
  return { sources: parsed.data, perMinute: rate.data };
}

/** The secrets still accepted at `now` (a rotated-out secret stops working at its `notAfter`). */
export function activeSecrets(source: SignedSource, now: Date): string[] {
  return source.secrets.flatMap((s) =>
    typeof s === 'string' ? [s] : new Date(s.notAfter).getTime() > now.getTime() ? [s.secret] : [],
  );
}

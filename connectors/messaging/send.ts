// Sending one message at most once per message id (idempotent retries):
//   1. render + validate (a bad request fails before anything is stored),
//   2. INSERT the row ON CONFLICT (dedupe_key) DO NOTHING and read it back: a retry finds its earlier row,
//   3. consent, then quiet hours (deferred: nothing sent, the workflow sleeps until `deferredUntil`),
//   4. claim the row (`queued|deferred → sending`, conditional UPDATE), call the provider, mark `sent`.
// The dangerous window is between the provider accepting the message and step 4's mark: a crash there leaves
// the row `sending`. A later attempt then resends with the same idempotency key only when the channel can
// deduplicate (provider idempotency keys; e-mail's deterministic Message-ID). Otherwise it stops with
// MessagingOutcomeUnknown so a person checks, rather than texting the patient twice.
import { randomUUID } from 'node:crypto';
import { decideConsent, storeConsent } from './consent.js';
import {
  MessagingError,
  MessagingInvalidRequest,
  MessagingOutcomeUnknown,
  MessagingSendInProgress,
} from './errors.js';
import { DEFAULT_QUIET_HOURS, nextAllowedSendTime } from './quiet-hours.js';
import { maskAddress, normalizeAddress, type AddressHasher } from './recipient.js';
import type { MessageRow, MessageStore } from './store.js';
import { renderTemplate, templateAudience } from './templates/index.js';
import type { ChannelTransport, MessagingLogger, SendRequest, SendResult } from './types.js';

export interface SendDeps {
  store: MessageStore;
  hash: AddressHasher;
  transports: Partial<Record<'sms' | 'email', ChannelTransport>>;
  logger: MessagingLogger;
  now: () => Date;
  /** How long a `sending` row counts as an attempt in flight (longer than the transport timeout). */
  inFlightMs: number;
  /** Resend an unknown-outcome attempt even when the channel cannot deduplicate (default false). */
  resendUnknownOutcome: boolean;
}

/** Twilio: "Attempt to send to unsubscribed recipient" — the carrier-level opt-out we must mirror. */
const PROVIDER_OPTED_OUT = '21610';

export async function sendMessage(
  deps: SendDeps,
  req: SendRequest,
  signal?: AbortSignal,
): Promise<SendResult> {
  const transport = deps.transports[req.channel];
  if (!transport) throw new MessagingInvalidRequest(`no transport configured for channel ${req.channel}`);
  const rendered = renderTemplate(req.template, req.language, req.params);
  const audience = templateAudience[req.template];
  if (audience === 'patient' && !req.patientId) {
    throw new MessagingInvalidRequest(`template ${req.template} needs the patient it is sent to`);
  }
  const to = normalizeAddress(req.channel, req.to);
  const recipientHash = deps.hash(req.channel, to);

  let row = await deps.store.insertMessageIfAbsent({
    id: randomUUID(),
    practiceId: req.practiceId,
    patientId: req.patientId ?? null,
    dedupeKey: req.messageId,
    direction: 'outbound',
    channel: req.channel,
    template: req.template,
    language: req.language,
    status: 'queued',
    recipientMasked: maskAddress(req.channel, to),
    recipientHash,
    context: { ...req.context },
    createdAt: deps.now(),
    updatedAt: deps.now(),
  });
  if (
    row.direction !== 'outbound' ||
    row.channel !== req.channel ||
    row.template !== req.template ||
    row.recipientHash !== recipientHash
  ) {
    // The same id for a different message is a caller bug; silently returning the old result would hide it.
    throw new MessagingInvalidRequest('message id already used for a different message');
  }

  const log = (status: string, extra: Record<string, unknown> = {}) =>
    deps.logger.info(
      {
        messageRowId: row.id,
        practiceId: row.practiceId,
        patientId: row.patientId,
        template: row.template,
        channel: row.channel,
        status,
        attempts: row.attempts,
        ...extra,
      },
      'message',
    );

  switch (row.status) {
    case 'sent':
    case 'delivered':
      log(row.status, { duplicate: true });
      return {
        status: 'sent',
        messageId: req.messageId,
        providerMessageId: row.providerMessageId ?? '',
        duplicate: true,
      };
    case 'failed':
      return { status: 'failed', messageId: req.messageId, errorCode: row.errorCode };
    case 'blocked_no_consent':
      return { status: 'blocked_no_consent', messageId: req.messageId };
    case 'received':
      throw new MessagingInvalidRequest('message id already used for a different message');
    case 'sending': {
      const sinceUpdate = deps.now().getTime() - row.updatedAt.getTime();
      // No error recorded and recent: another attempt is talking to the provider right now.
      if (row.errorCode === null && sinceUpdate < deps.inFlightMs) {
        throw new MessagingSendInProgress(deps.inFlightMs - sinceUpdate);
      }
      if (!transport.deduplicatesResends && !deps.resendUnknownOutcome) {
        log('outcome_unknown', { errorCode: row.errorCode });
        throw new MessagingOutcomeUnknown();
      }
      break; // resend with the same idempotency key
    }
    case 'queued':
    case 'deferred': {
      if (audience === 'patient' && req.patientId) {
        const decision = await decideConsent(deps.store, deps.hash, {
          practiceId: req.practiceId,
          patientId: req.patientId,
          channel: req.channel,
          address: to,
        });
        if (!decision.allowed) {
          const blocked = await deps.store.transition(
            row.dedupeKey,
            ['queued', 'deferred'],
            { status: 'blocked_no_consent', errorCode: decision.reason },
            deps.now(),
          );
          if (blocked) row = blocked;
          log('blocked_no_consent', { reason: decision.reason });
          return { status: 'blocked_no_consent', messageId: req.messageId };
        }
      }
      // Quiet hours protect patients and outside offices; the practice's own staff get their digest when it runs.
      const opensAt =
        audience === 'staff'
          ? undefined
          : nextAllowedSendTime(deps.now(), req.timeZone, req.quietHours ?? DEFAULT_QUIET_HOURS);
      if (opensAt) {
        const deferred = await deps.store.transition(
          row.dedupeKey,
          ['queued', 'deferred'],
          { status: 'deferred', deferredUntil: opensAt },
          deps.now(),
        );
        if (deferred) row = deferred;
        log('deferred', { deferredUntil: opensAt.toISOString() });
        return { status: 'deferred', messageId: req.messageId, deferredUntil: opensAt.toISOString() };
      }
      break;
    }
  }

  const claimed = await deps.store.claimForSending(row, deps.now());
  if (!claimed) throw new MessagingSendInProgress(Math.min(deps.inFlightMs, 5_000));
  row = claimed;

  try {
    const { providerMessageId } = await transport.send(
      {
        idempotencyKey: req.messageId,
        practiceId: req.practiceId,
        to,
        template: req.template,
        language: req.language,
        subject: rendered.subject,
        text: req.channel === 'sms' ? rendered.sms : rendered.text,
      },
      signal,
    );
    const sent = await deps.store.transition(
      row.dedupeKey,
      ['sending'],
      { status: 'sent', providerMessageId, sentAt: deps.now(), errorCode: null },
      deps.now(),
    );
    if (sent) row = sent;
    log('sent', { providerMessageId });
    return { status: 'sent', messageId: req.messageId, providerMessageId, duplicate: false };
  } catch (err) {
    await recordFailure(deps, req, row, to, err);
    if (
      err instanceof MessagingError &&
      err.type === 'MessagingRejected' &&
      providerCode(err) === PROVIDER_OPTED_OUT
    ) {
      return { status: 'blocked_no_consent', messageId: req.messageId };
    }
    throw err;
  }
}

function providerCode(err: MessagingError): string | undefined {
  return (err as { providerCode?: string }).providerCode;
}

/** An HTTP/SMTP reply, or a connection that never opened, proves the provider did not take the message. */
function definitelyNotSent(err: MessagingError): boolean {
  if (err.type === 'MessagingRejected') return true;
  if (err.type !== 'MessagingTransportError') return false;
  const e = err as { status?: number; providerCode?: string };
  return (
    e.status !== undefined ||
    ['ECONNREFUSED', 'ECONNECTION', 'ENOTFOUND', 'EDNS'].includes(e.providerCode ?? '')
  );
}

async function recordFailure(
  deps: SendDeps,
  req: SendRequest,
  row: MessageRow,
  to: string,
  err: unknown,
): Promise<void> {
  const now = deps.now();
  const fields = {
    messageRowId: row.id,
    practiceId: row.practiceId,
    patientId: row.patientId,
    template: row.template,
    channel: row.channel,
    attempts: row.attempts,
  };
  if (!(err instanceof MessagingError)) {
    // Unknown failure (a bug, a cancellation): the provider may or may not have the message.
    await deps.store.transition(row.dedupeKey, ['sending'], { status: 'sending', errorCode: 'unknown' }, now);
    deps.logger.warn({ ...fields, status: 'sending', errorType: 'unknown' }, 'message');
    return;
  }
  const code = providerCode(err) ?? null;
  const settle = async (
    status: 'failed' | 'queued' | 'sending',
    extraFields: { retryable?: boolean } = {},
  ): Promise<void> => {
    await deps.store.transition(row.dedupeKey, ['sending'], { status, errorCode: code ?? err.type }, now);
    deps.logger.warn({ ...fields, status, errorType: err.type, errorCode: code, ...extraFields }, 'message');
  };
  if (err.type === 'MessagingRejected') {
    if (code === PROVIDER_OPTED_OUT && req.patientId) {
      await deps.store.transition(
        row.dedupeKey,
        ['sending'],
        { status: 'blocked_no_consent', errorCode: code },
        now,
      );
      // Mirror the carrier's opt-out so we stop trying until the patient texts START.
      await storeConsent(
        deps.store,
        deps.hash,
        {
          practiceId: req.practiceId,
          patientId: req.patientId,
          channel: req.channel,
          status: 'revoked',
          source: 'provider',
          address: to,
        },
        now,
      );
      deps.logger.warn(
        { ...fields, status: 'blocked_no_consent', errorType: err.type, errorCode: code },
        'message',
      );
      return;
    }
    await settle('failed');
    return;
  }
  if (definitelyNotSent(err)) {
    // Safe to try again from scratch: back to queued (consent and quiet hours are re-checked).
    await settle('queued', { retryable: err.retryable });
    return;
  }
  // Timeout, reset, malformed success response: the provider may have the message. Keep `sending` with an
  // error code so the next attempt applies the unknown-outcome rule instead of waiting for an attempt in flight.
  await settle('sending', { retryable: err.retryable });
}

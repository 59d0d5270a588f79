import { describe, expect, it } from 'vitest';
import {
  classifyHttpFailure,
  classifySmtpError,
  createAddressHasher,
  maskAddress,
  MessagingInvalidRequest,
  MessagingRejected,
  MessagingTransportError,
  normalizeAddress,
  parseRetryAfter,
  toApplicationFailure,
} from '../../../connectors/messaging/index.js';
import { ApplicationFailure } from '@temporalio/common';

const now = new Date('2026-05-01T12:00:00Z');

describe('HTTP error classification (WF-3)', () => {
  it.each([400, 401, 403, 404, 409, 422])('%i is non-retryable', (status) => {
    const e = classifyHttpFailure(status, { now, providerCode: '21211' });
    expect(e).toBeInstanceOf(MessagingRejected);
    expect(e.retryable).toBe(false);
  });

  it.each([408, 429, 500, 502, 503, 504])('%i is retryable', (status) => {
    const e = classifyHttpFailure(status, { now });
    expect(e).toBeInstanceOf(MessagingTransportError);
    expect(e.retryable).toBe(true);
  });

  it('honours Retry-After in seconds or as an HTTP date, capped at an hour', () => {
    expect(classifyHttpFailure(429, { now, retryAfter: '7' }).retryAfterMs).toBe(7000);
    expect(parseRetryAfter('Fri, 01 May 2026 12:00:30 GMT', now.getTime())).toBe(30_000);
    expect(parseRetryAfter('999999', now.getTime())).toBe(3_600_000);
    expect(parseRetryAfter('soon', now.getTime())).toBeUndefined();
  });

  it('become ApplicationFailures with a stable type, retryability and nextRetryDelay', () => {
    const f = toApplicationFailure(classifyHttpFailure(429, { now, retryAfter: '3' })) as ApplicationFailure;
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f.type).toBe('MessagingTransportError');
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(3000);
    const g = toApplicationFailure(classifyHttpFailure(400, { now })) as ApplicationFailure;
    expect(g.type).toBe('MessagingRejected');
    expect(g.nonRetryable).toBe(true);
  });
});

describe('SMTP error classification', () => {
  it('5xx replies are permanent, 4xx temporary, connection trouble temporary, auth/TLS permanent', () => {
    expect(classifySmtpError({ responseCode: 550, code: 'EENVELOPE' }).retryable).toBe(false);
    expect(classifySmtpError({ responseCode: 451, code: 'EENVELOPE' }).retryable).toBe(true);
    expect(classifySmtpError({ code: 'ECONNECTION' }).retryable).toBe(true);
    expect(classifySmtpError({ code: 'ETIMEDOUT' }).retryable).toBe(true);
    expect(classifySmtpError({ code: 'EAUTH', responseCode: undefined }).retryable).toBe(false);
    expect(classifySmtpError({ code: 'ETLS' }).retryable).toBe(false);
    expect(
      classifySmtpError({ code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }).retryable,
    ).toBe(false);
    const refused = classifySmtpError({
      code: 'ESOCKET',
      originalCode: 'ECONNREFUSED',
    }) as MessagingTransportError;
    expect(refused.retryable).toBe(true);
    expect(refused.providerCode).toBe('ECONNREFUSED');
  });

  it('never copies the server text (which can quote the recipient) into the error', () => {
    const e = classifySmtpError(
      Object.assign(new Error('550 5.1.1 <zzcanary-3@example.com> ZZCANARY-3 unknown'), {
        responseCode: 550,
      }),
    );
    expect(e.message).not.toMatch(/zzcanary/i);
  });
});

describe('recipients', () => {
  it('normalize, mask and hash phone numbers and e-mail addresses', () => {
    expect(normalizeAddress('sms', '+1 (312) 555-0142')).toBe('+13125550142');
    expect(maskAddress('sms', '+13125550142')).toBe('+1******0142');
    expect(normalizeAddress('email', ' Ana.Garcia@Example.COM ')).toBe('ana.garcia@example.com');
    expect(maskAddress('email', 'ana.garcia@example.com')).toBe('a***@e***.com');
    const hash = createAddressHasher(Buffer.alloc(32, 7));
    expect(hash('sms', '+13125550142')).toMatch(/^[0-9a-f]{64}$/);
    expect(hash('sms', '+13125550142')).not.toBe(
      createAddressHasher(Buffer.alloc(32, 8))('sms', '+13125550142'),
    );
  });

  it('reject addresses that are not E.164 numbers or e-mail addresses, without echoing them', () => {
    expect(() => normalizeAddress('sms', '555-ZZCANARY-3')).toThrow(MessagingInvalidRequest);
    try {
      normalizeAddress('email', 'ZZCANARY-3 at example');
    } catch (e) {
      expect((e as Error).message).not.toContain('ZZCANARY');
    }
  });
});

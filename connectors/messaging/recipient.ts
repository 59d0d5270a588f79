// Recipient addresses are PHI. We keep a masked form for staff screens and a keyed hash (HMAC-SHA256 with a
// key kept apart from the data) to recognise the same number in replies and opt-outs; the address itself is
// only held in memory for the duration of a send.
import { createHmac } from 'node:crypto';
import { MessagingInvalidRequest } from './errors.js';
import type { Channel } from './types.js';

const E164 = /^\+[1-9]\d{7,14}$/;
// Deliberately simple: one @, no spaces or control characters, a dotted domain. The SMTP server is the judge.
const EMAIL = /^[^\s@\p{Cc}]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/u;

/** Canonical form: E.164 for phones (spaces, dashes, dots and brackets dropped), lower case for e-mail. */
export function normalizeAddress(channel: Channel, address: string): string {
  if (channel === 'sms') {
    const phone = address.replace(/[\s().-]/g, '');
    if (!E164.test(phone)) throw new MessagingInvalidRequest('recipient is not an E.164 phone number');
    return phone;
  }
  const email = address.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email))
    throw new MessagingInvalidRequest('recipient is not an e-mail address');
  return email;
}

/** "+1******4567" or "j***@e***.com": enough for staff to tell numbers apart, not enough to contact anyone. */
export function maskAddress(channel: Channel, normalized: string): string {
  if (channel === 'sms') {
    const country = normalized.startsWith('+1') ? '+1' : normalized.slice(0, 2);
    return country + '*'.repeat(Math.max(0, normalized.length - country.length - 4)) + normalized.slice(-4);
  }
  const [local = '', domain = ''] = normalized.split('@');
  const dot = domain.lastIndexOf('.');
  const tld = dot >= 0 ? domain.slice(dot) : '';
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***${tld}`;
}

export type AddressHasher = (channel: Channel, normalized: string) => string;

/** Keyed blind index of an address; the channel is bound in so a phone and an e-mail never collide. */
export function createAddressHasher(key: Buffer): AddressHasher {
  if (key.length < 32) throw new Error('the address hash key must be at least 32 bytes');
  return (channel, normalized) =>
    createHmac('sha256', key).update(`${channel}:${normalized}`, 'utf8').digest('hex');
}

import { describe, expect, it } from 'vitest';
import { computeTwilioSignature, validateTwilioSignature } from '../../../connectors/messaging/index.js';

// Vector from Twilio's security documentation, recomputed independently with
//   printf '%s' '<url><sorted name+value pairs>' | openssl dgst -sha1 -hmac 12345 -binary | base64
const token = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
const expected = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('X-Twilio-Signature', () => {
  it('matches the independently computed vector, in any parameter order', () => {
    expect(computeTwilioSignature(token, url, params)).toBe(expected);
    const shuffled = new URLSearchParams(Object.entries(params).reverse());
    expect(validateTwilioSignature(token, expected, url, shuffled)).toBe(true);
  });

  it('rejects a one-byte change in any parameter', () => {
    expect(validateTwilioSignature(token, expected, url, { ...params, Digits: '1235' })).toBe(false);
    expect(validateTwilioSignature(token, expected, url, { ...params, Extra: '' })).toBe(false);
  });

  it('rejects a one-byte change in the signature', () => {
    const bad = (expected[0] === 'A' ? 'B' : 'A') + expected.slice(1);
    expect(validateTwilioSignature(token, bad, url, params)).toBe(false);
    expect(validateTwilioSignature(token, expected.slice(0, -1), url, params)).toBe(false);
    expect(validateTwilioSignature(token, undefined, url, params)).toBe(false);
  });

  it('rejects the wrong URL and the wrong token', () => {
    expect(
      validateTwilioSignature(token, expected, 'https://mycompany.com/myapp.php?foo=1&bar=3', params),
    ).toBe(false);
    expect(
      validateTwilioSignature(token, expected, 'http://mycompany.com/myapp.php?foo=1&bar=2', params),
    ).toBe(false);
    expect(validateTwilioSignature('12346', expected, url, params)).toBe(false);
  });

  it('signs repeated parameters value by value in sorted order', () => {
    const a = computeTwilioSignature(
      token,
      url,
      new URLSearchParams([
        ['M', 'b'],
        ['M', 'a'],
      ]),
    );
    expect(a).toBe(computeTwilioSignature(token, url, { M: ['a', 'b'] }));
  });
});

// Outbound EMR endpoints come from admin configuration and are checked before use: https only,
// and never a loopback, private, link-local or cloud-metadata address. Tests and local development opt in
// to plain http on loopback explicitly.
import { isIP } from 'node:net';

export class EndpointNotAllowed extends Error {
  override readonly name = 'EndpointNotAllowed';
}

function isPrivateV4(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}

function isPrivateV6(ip: string): boolean {
  const v = ip.toLowerCase();
  if (v.startsWith('::ffff:')) return isPrivateV4(v.slice(7));
  return v === '::1' || v === '::' || v.startsWith('fc') || v.startsWith('fd') || v.startsWith('fe80');
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data']);

/** Validate an EMR base URL (or token URL); returns it normalised without a trailing slash. */
export function validateEndpoint(raw: string, opts: { allowLoopbackHttp?: boolean } = {}): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EndpointNotAllowed('endpoint is not a valid URL');
  }
  if (url.username || url.password) throw new EndpointNotAllowed('endpoint must not embed credentials');
  const host = url.hostname.toLowerCase();
  const loopback = LOOPBACK_NAMES.has(host);
  if (loopback && opts.allowLoopbackHttp) return url.toString().replace(/\/$/, '');
  if (url.protocol !== 'https:') throw new EndpointNotAllowed('endpoint must use https');
  const bare = host.replace(/^\[|\]$/g, '');
  if (
    loopback ||
    METADATA_NAMES.has(host) ||
    (isIP(bare) === 4 && isPrivateV4(bare)) ||
    (isIP(bare) === 6 && isPrivateV6(bare))
  ) {
    throw new EndpointNotAllowed('endpoint address is not allowed');
  }
  return url.toString().replace(/\/$/, '');
}

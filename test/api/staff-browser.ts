// A tiny cookie-keeping browser for staff sign-in tests: requests through Fastify's inject (or real HTTP with
// fetch), remembers Set-Cookie per name and path, never follows redirects by itself.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

interface Jar {
  [name: string]: { value: string; path: string };
}

/** Set-Cookie headers of a response (inject gives a string or an array). */
export function setCookies(headers: Record<string, unknown>): string[] {
  const v = headers['set-cookie'];
  return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [String(v)];
}

/** Keeps the cookies a server sets (expired or cleared ones removed). */
export function remember(jar: Jar, cookies: string[]): void {
  for (const c of cookies) {
    const [pair, ...attrs] = c.split(';').map((s) => s.trim());
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
    const expired =
      value === '' ||
      attrs.some((a) => /^max-age=0$/i.test(a)) ||
      attrs.some((a) => /^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now());
    if (expired) delete jar[name];
    else jar[name] = { value, path };
  }
}

/** The Cookie header a browser would send to `url`. */
export function cookieHeader(jar: Jar, url: string): string {
  const path = new URL(url, 'http://x').pathname;
  return Object.entries(jar)
    .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
    .map(([n, c]) => `${n}=${c.value}`)
    .join('; ');
}

/** A browser over app.inject: `get`/`post` keep cookies; responses are returned as they come (no redirects). */
export class InjectBrowser {
  readonly jar: Jar = {};
  constructor(private readonly app: FastifyInstance) {}

  async request(
    method: 'GET' | 'POST',
    url: string,
    opts: { form?: Record<string, string>; json?: object; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const cookie = cookieHeader(this.jar, url);
    const res = await this.app.inject({
      method,
      url,
      headers: {
        accept: 'text/html',
        ...(cookie ? { cookie } : {}),
        ...(opts.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(opts.headers ?? {}),
      },
      ...(opts.form ? { payload: new URLSearchParams(opts.form).toString() } : {}),
      ...(opts.json ? { payload: opts.json } : {}),
    });
    remember(this.jar, setCookies(res.headers));
    return res;
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, headers ? { headers } : {});
  }
}

/** The value of a hidden input in an HTML page (first match after `after`, when given). */
export function hiddenValue(html: string, name: string, after?: string): string {
  const from = after ? html.indexOf(after) : 0;
  const re = new RegExp(`name="${name}" value="([^"]*)"`);
  const m = re.exec(html.slice(Math.max(0, from)));
  if (!m) throw new Error(`no hidden ${name} in page`);
  return m[1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

/** The dev sign-in form of the button "Sign in as <label>": its fields. */
export function devSignInForm(html: string, label: string): Record<string, string> {
  const at = html.indexOf(`>Sign in as ${label}</button>`);
  if (at < 0) throw new Error(`no button "Sign in as ${label}"`);
  const start = html.lastIndexOf('<form', at);
  const form = html.slice(start, at);
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/name="([^"]+)" value="([^"]*)"/g)) {
    fields[m[1]!] = m[2]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  }
  return fields;
}

/** The same over real HTTP (fetch, manual redirects): for flows that cross to another server (the IdP). */
export class HttpBrowser {
  readonly jar: Jar = {};

  async request(
    method: 'GET' | 'POST',
    url: string,
    opts: { form?: Record<string, string>; json?: object; headers?: Record<string, string> } = {},
  ): Promise<{
    status: number;
    location: string | null;
    body: string;
    headers: Headers;
    setCookie: string[];
  }> {
    const cookie = cookieHeader(this.jar, url);
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(cookie ? { cookie } : {}),
        ...(opts.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(opts.json ? { 'content-type': 'application/json' } : {}),
        ...(opts.headers ?? {}),
      },
      ...(opts.form ? { body: new URLSearchParams(opts.form).toString() } : {}),
      ...(opts.json ? { body: JSON.stringify(opts.json) } : {}),
    });
    const setCookie = res.headers.getSetCookie();
    remember(this.jar, setCookie);
    const location = res.headers.get('location');
    return {
      status: res.status,
      location: location === null ? null : new URL(location, url).href,
      body: await res.text(),
      headers: res.headers,
      setCookie,
    };
  }

  /**
   * Follows redirects (GET) from `url` until a page answers, or until the next hop would be `stopAt` (then that
   * URL is returned unvisited). Returns the final response and the URLs visited.
   */
  async follow(url: string, stopAt?: (next: URL) => boolean) {
    const hops: string[] = [];
    let current = url;
    for (let i = 0; i < 15; i++) {
      hops.push(current);
      const res = await this.request('GET', current);
      if (res.status < 300 || res.status >= 400 || !res.location) return { res, hops, stoppedAt: undefined };
      if (stopAt?.(new URL(res.location))) return { res, hops, stoppedAt: res.location };
      current = res.location;
    }
    throw new Error(`too many redirects: ${hops.join(' → ')}`);
  }
}

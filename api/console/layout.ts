// The staff console's shared page frame: a skip link, the console navigation (Worklist, Processes, Lists; for
// admins "Setup N of M" while the practice's first-run setup is unfinished, then "Practice profile"), who
// is signed in, and the sign-out form (with the session's CSRF token). Pages are server-rendered with no
// script at all and go out with PAGE_CSP (our own stylesheet at /auth/style.css, forms posting back to us).
// Nothing here puts PHI in a title or URL: titles are fixed words, links carry opaque ids only.
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/connection.js';
import { practices } from '../../db/schema.js';
import { principalOf } from '../auth/plugin.js';
import type { Principal } from '../auth/principal.js';
import { csrfField, esc, PAGE_CSP } from '../auth/pages.js';
import { csrfTokenFor } from '../auth/session.js';
import { setupProgress } from './setup-steps.js';

/** The sections of the console's navigation (the key marks the current one). */
export const CONSOLE_NAV = [
  { key: 'worklist', href: '/console/worklist', label: 'Worklist' },
  { key: 'processes', href: '/console/processes', label: 'Processes' },
  { key: 'lists', href: '/console/lists', label: 'Lists' },
] as const;
export type ConsoleSection =
  (typeof CONSOLE_NAV)[number]['key'] | 'home' | 'setup' | 'metrics' | 'waitlist' | 'equipment';

/** Roles that see the "Numbers" entry (the practice's numbers page, api/routes/console-metrics.ts). */
const METRICS_ROLES: readonly string[] = ['admin', 'biller'];

export const ROLE_LABELS: Record<string, string> = {
  admin: 'Administrator',
  front_desk: 'Front desk',
  therapist: 'Therapist',
  biller: 'Biller',
  integration: 'Integration',
};

/** Who is looking at a console page, in which practice (and its time zone). */
export interface ConsoleContext {
  principal: Principal;
  /** The signed-in person's display name (staff names are not PHI), else the principal id. */
  who: string;
  practiceName: string;
  /** IANA time zone of the practice: every date and time on a console page is shown in it. */
  timeZone: string;
  /** The session's CSRF token (absent for bearer/API-key callers, who need none). */
  csrfToken?: string;
  /** Admins only: how far the practice's first-run setup is (the navigation's "Setup N of M" entry). */
  setup?: { done: number; total: number };
}

/** Loads the console context of a request (principal, practice name and time zone, CSRF token). */
export async function consoleContext(
  app: FastifyInstance,
  db: Database,
  req: FastifyRequest,
): Promise<ConsoleContext> {
  const principal = principalOf(req);
  const [practice] = await db
    .select({ name: practices.name, timezone: practices.timezone })
    .from(practices)
    .where(eq(practices.id, principal.practiceId))
    .limit(1);
  const session = req.staffSession;
  const setup = principal.role === 'admin' ? await setupProgress({ db }, principal.practiceId) : undefined;
  return {
    principal,
    who: session?.displayName ?? principal.id,
    practiceName: practice?.name ?? principal.practiceId,
    timeZone: practice?.timezone ?? 'UTC',
    ...(session ? { csrfToken: csrfTokenFor(app.staffSessions.csrfKey, session.id) } : {}),
    ...(setup ? { setup: { done: setup.done, total: setup.total } } : {}),
  };
}

/** The hidden CSRF field of a console form (empty for callers without a session). */
export function consoleCsrf(ctx: ConsoleContext): string {
  return ctx.csrfToken ? csrfField(ctx.csrfToken) : '';
}

export interface ConsolePageOptions {
  /** A fixed, PHI-free title (also the h1). */
  title: string;
  section: ConsoleSection;
  /** HTML of the page's body (already escaped). */
  body: string;
  /** A success notice shown above the content (plain text, escaped here). */
  notice?: string;
}

/** A whole console page: header with navigation and the person, main landmark with one h1. */
export function consolePage(ctx: ConsoleContext, opts: ConsolePageOptions): string {
  const setup = ctx.setup;
  const setupLabel = setup
    ? setup.done < setup.total
      ? `Setup ${setup.done} of ${setup.total}`
      : 'Practice profile'
    : undefined;
  const nav = [
    ...CONSOLE_NAV,
    ...(METRICS_ROLES.includes(ctx.principal.role)
      ? [{ key: 'metrics', href: '/console/metrics', label: 'Numbers' }]
      : []),
    ...(['admin', 'front_desk'].includes(ctx.principal.role)
      ? [{ key: 'waitlist', href: '/console/waitlist', label: 'Waitlist' }]
      : []),
    ...(ctx.principal.role === 'admin'
      ? [{ key: 'equipment', href: '/console/equipment', label: 'Equipment' }]
      : []),
    ...(setupLabel ? [{ key: 'setup', href: '/console/setup', label: setupLabel }] : []),
  ]
    .map(
      (n) =>
        `<li><a href="${n.href}"${n.key === opts.section ? ' aria-current="page"' : ''}>${esc(n.label)}</a></li>`,
    )
    .join('');
  // The admin's worklist says so while the practice's setup is unfinished (the wizard is one click away).
  const setupBanner =
    setup && setup.done < setup.total && opts.section === 'worklist'
      ? `<p class="notice">Practice setup is not finished: ${setup.done} of ${setup.total} steps done. ` +
        `<a href="/console/setup">Continue the setup</a></p>\n`
      : '';
  const signOut = ctx.csrfToken
    ? `<form method="post" action="/auth/sign-out" class="inline">${csrfField(ctx.csrfToken)}` +
      `<button type="submit" class="small">Sign out</button></form>`
    : '';
  const notice = opts.notice ? `<p class="success" role="status">${esc(opts.notice)}</p>\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)} · ptflow console</title>
<link rel="stylesheet" href="/auth/style.css">
</head>
<body class="console">
<a class="skip" href="#main">Skip to content</a>
<header class="bar">
<a class="brand" href="/console">ptflow</a>
<nav aria-label="Console"><ul class="nav">${nav}</ul></nav>
<div class="person"><span>${esc(ctx.who)} · ${esc(ROLE_LABELS[ctx.principal.role] ?? ctx.principal.role)} · ${esc(ctx.practiceName)}</span> ${signOut}</div>
</header>
<main id="main">
<h1>${esc(opts.title)}</h1>
${setupBanner}${notice}${opts.body}
</main>
</body>
</html>
`;
}

/** Sends a console page with the page CSP and no caching (pages may show PHI to the signed-in person). */
export function sendConsolePage(
  reply: FastifyReply,
  status: number,
  ctx: ConsoleContext,
  opts: ConsolePageOptions,
): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', PAGE_CSP)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(consolePage(ctx, opts));
}

/** The console's 404 page (another practice's ids, unknown ids: to the caller they do not exist). */
export function sendConsoleNotFound(
  reply: FastifyReply,
  ctx: ConsoleContext,
  section: ConsoleSection,
): FastifyReply {
  return sendConsolePage(reply, 404, ctx, {
    title: 'Not found',
    section,
    body:
      `<p>There is nothing here. It may have been closed, or it belongs to another practice.</p>` +
      `<p><a href="/console/worklist">Back to the worklist</a></p>`,
  });
}

/** A date and time in the practice's time zone, e.g. "Mon, Dec 7, 2026, 09:30 EST". */
export function formatInZone(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(date);
}

// Small server-rendered HTML for the sign-in pages and the console landing page: no script at all, one
// stylesheet served by the API itself (no CDN), and a Content-Security-Policy that allows exactly that —
// `default-src 'none'` like the API routes, plus same-origin styles and same-origin form targets.
import type { FastifyReply } from 'fastify';

/** CSP of the HTML pages: nothing but our own stylesheet and forms that post back to us. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Escapes text for HTML element content and double-quoted attribute values. */
export function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A whole page: language, title, one stylesheet, a main landmark with one h1. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ptflow</title>
<link rel="stylesheet" href="/auth/style.css">
</head>
<body>
<header class="bar"><span class="brand">ptflow</span></header>
<main id="main">
<h1>${esc(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** Sends an HTML page with the page CSP (replacing the API's `default-src 'none'` for this response only). */
export function sendPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', PAGE_CSP)
    .type('text/html; charset=utf-8')
    .send(page(title, body));
}

/** A hidden CSRF field for a form. */
export function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${esc(token)}">`;
}

export const STYLESHEET = `:root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; color: #1a1a1a; background: #f7f7f5; }
.bar { background: #1f3a5f; color: #fff; padding: .6rem 1.2rem; }
.brand { font-weight: 700; letter-spacing: .02em; }
main { max-width: 40rem; margin: 2rem auto; padding: 0 1.2rem; }
h1 { font-size: 1.6rem; }
form.inline { display: inline; }
ul.choices { list-style: none; padding: 0; }
ul.choices li { margin: .5rem 0; }
button, a.button { font: inherit; padding: .5rem 1rem; border: 1px solid #1f3a5f; border-radius: 4px;
  background: #fff; color: #1f3a5f; cursor: pointer; text-decoration: none; display: inline-block; }
button:hover, a.button:hover { background: #e8eef6; }
button:focus-visible, a:focus-visible { outline: 3px solid #c75b00; outline-offset: 2px; }
.notice { border-left: 4px solid #b00020; background: #fff; padding: .6rem 1rem; }
.note { color: #444; font-size: .95rem; }
dl.who { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.who dt { font-weight: 600; }
dl.who dd { margin: 0; }
/* console (api/console/layout.ts) */
body.console main { max-width: 72rem; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem 1.5rem; }
.bar a { color: #fff; }
.bar a.brand { text-decoration: none; }
ul.nav { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
ul.nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.person { margin-left: auto; font-size: .95rem; }
.bar a:focus-visible, .bar button:focus-visible { outline-color: #ffb366; }
button.small { padding: .2rem .6rem; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: .5rem; top: .5rem; background: #fff; padding: .3rem .6rem; z-index: 1; }
.success { border-left: 4px solid #1b6e35; background: #fff; padding: .6rem 1rem; }
table.list { border-collapse: collapse; width: 100%; background: #fff; }
table.list th, table.list td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ccc; vertical-align: top; }
.overdue { color: #9b0016; font-weight: 600; }
form.filters { display: flex; flex-wrap: wrap; gap: .8rem; align-items: end; margin-bottom: 1rem; }
form.filters label, .field label { display: block; font-weight: 600; }
input, select { font: inherit; padding: .3rem; border: 1px solid #555; border-radius: 3px; }
input:focus-visible, select:focus-visible { outline: 3px solid #c75b00; outline-offset: 1px; }
.field { margin: .8rem 0; }
.field .hint { color: #444; font-size: .9rem; margin: .1rem 0; }
.field .error { color: #9b0016; font-weight: 600; margin: .1rem 0; }
fieldset { border: 1px solid #bbb; background: #fff; margin: 1rem 0; }
/* setup wizard (api/console/setup-pages.ts) */
ol.steps li { margin: .2rem 0; }
ol.steps a[aria-current="step"] { font-weight: 700; }
.state-done { color: #1b6e35; font-weight: 600; }
.state-missing { color: #6b4e00; font-weight: 600; }
ul.error { color: #9b0016; margin: .1rem 0; }
/* practice numbers (api/console/metrics-page.ts) */
figure.chart { margin: 1rem 0; background: #fff; padding: .4rem; overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; }
section table.list { margin: 1rem 0; }
`;

// The practice's numbers through the real API stack (PostgreSQL, Temporal dev server, the production app):
// GET /v1/practice/metrics for admins and billers (JSON with the hand-computed figures of the seeded dataset, and
// CSV), problem+json naming the field for every bad input, the time-saved baselines an admin edits, the gauges on
// /metrics (labels carry opaque ids and codes only), and the console page in real Chromium: charts and tables,
// axe-core finds no serious or critical violation, no CSP violation, a bad date is shown next to its field, the
// CSV link downloads the same figures, and a front-desk person neither sees the entry nor opens the page.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/api-keys.js';
import { seriousAxeViolations } from '../helpers/browser.js';
import {
  dashboardQueries,
  exposedNames,
  loadDashboard,
  metricNames,
  observabilityDir,
  type Dashboard,
} from '../temporal-docker/dashboard.js';
import {
  EXPECTED,
  PERIOD,
  seedMetricsDataset,
  type MetricsDataset,
} from '../fixtures/practice-metrics-dataset.js';
import { startConsoleFixture, tabToText, type ConsoleFixture, type StaffPerson } from './console-fixture.js';

let fx: ConsoleFixture;
let ds: MetricsDataset;
const auth: Record<string, { authorization: string }> = {};
let biller: StaffPerson;
let frontDesk: StaffPerson;
const march = `from=${PERIOD.from}&to=${PERIOD.to}`;

beforeAll(async () => {
  fx = await startConsoleFixture({ chromium: true });
  ds = await seedMetricsDataset(fx.stack.db.sql);
  for (const role of ['admin', 'biller', 'front_desk', 'therapist'] as const) {
    const { key } = await createApiKey(fx.stack.db.db, {
      practiceId: ds.practiceId,
      role,
      label: `numbers-${role}`,
    });
    auth[role] = { authorization: `Bearer ${key}` };
  }
  biller = await fx.addStaff(ds.practiceId, 'biller', 'Bea Numbers');
  frontDesk = await fx.addStaff(ds.practiceId, 'front_desk', 'Finn Desk');
}, 240_000);
afterAll(async () => {
  await fx?.close();
});

const get = (url: string, role = 'biller') => fx.stack.app.inject({ url, headers: auth[role] });

describe('GET /v1/practice/metrics', () => {
  it('answers the figures of the period for billers and admins', async () => {
    for (const role of ['biller', 'admin']) {
      const res = await get(`/v1/practice/metrics?${march}`, role);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.period).toMatchObject({ ...PERIOD, timeZone: 'America/Chicago', days: 31 });
      expect(body.firstPassAcceptance).toEqual(EXPECTED.firstPassAcceptance);
      expect(body.denials).toEqual(EXPECTED.denials);
      expect(body.accountsReceivable).toEqual(EXPECTED.accountsReceivable);
      expect(body.collection).toEqual(EXPECTED.collection);
      expect(body.authorizations).toEqual(EXPECTED.authorizations);
      expect(body.progressReportsLate).toEqual(EXPECTED.progressReportsLate);
      expect(body.intakeBeforeFirstVisit).toEqual(EXPECTED.intakeBeforeFirstVisit);
      expect(body.slotUtilization).toEqual(EXPECTED.slotUtilization);
      expect(body.staffTimeSaved.totalMinutes).toBe(EXPECTED.staffTimeSaved.totalMinutes);
      // The app counts the waitlist's own fills (db/repositories/visits.ts): none in this dataset.
      expect(body.waitlistFills).toEqual({ value: 0, wired: true });
    }
  });

  it('answers CSV with format=csv', async () => {
    const res = await get(`/v1/practice/metrics?${march}&format=csv`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="practice-metrics-2026-03-01-2026-03-31.csv"',
    );
    expect(res.body.split('\r\n')[0]).toBe(
      'metric,dimension,value,numerator,denominator,unit,from,to,location_id',
    );
    expect(res.body).toContain('\r\nfirst_pass_acceptance,,0.6,3,5,ratio,2026-03-01,2026-03-31,\r\n');
  });

  it('admits admins and billers only', async () => {
    for (const role of ['front_desk', 'therapist']) {
      const res = await get(`/v1/practice/metrics?${march}`, role);
      expect(res.statusCode, role).toBe(403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await fx.stack.app.inject({ url: `/v1/practice/metrics?${march}` })).statusCode).toBe(401);
  });

  it('bad input is a problem+json naming the field', async () => {
    const cases: [string, string][] = [
      ['to=2026-03-31', '/from'],
      ['from=2026-02-30&to=2026-03-31', '/from'],
      ['from=2026-03-31&to=2026-03-01', '/to'],
      ['from=2025-01-01&to=2026-03-31', '/to'],
      ['from=9999-12-01&to=9999-12-31', '/from'],
      [`${march}&locationId=nope`, '/locationId'],
      [`${march}&locationId=6f1c1f59-2f6b-4a39-9d0e-2a2b7d1f0c11`, '/locationId'],
      [`${march}&format=xml`, '/format'],
      [`${march}&patient=x`, ''],
    ];
    for (const [query, pointer] of cases) {
      const res = await get(`/v1/practice/metrics?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const errors = res.json<{ errors: { in: string; pointer: string; key?: string }[] }>().errors;
      if (pointer)
        expect(
          errors.map((e) => e.pointer),
          query,
        ).toContain(pointer);
      else
        expect(
          errors.map((e) => e.key),
          query,
        ).toContain('patient');
      expect(res.body).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    }
  });

  it('a location of the practice narrows the figures', async () => {
    const res = await get(`/v1/practice/metrics?${march}&locationId=${ds.l1}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().attendance.noShow).toEqual({ numerator: 1, denominator: 5, value: 0.2 });
    expect(res.json().practiceWideWhenFiltered).toEqual([
      'authorizations',
      'progressReports',
      'staffTimeSaved',
    ]);
  });
});

describe('time-saved baselines', () => {
  it('an admin records one (billers may only read it), and the estimate uses it', async () => {
    const body = {
      step: 'eligibility_check',
      minutes: 20,
      effectiveFrom: '2026-02-01',
      source: 'Front-desk time study, February 2026',
    };
    const asBiller = await fx.stack.app.inject({
      method: 'PUT',
      url: '/v1/practice/time-saved-assumptions',
      headers: auth.biller,
      payload: body,
    });
    expect(asBiller.statusCode).toBe(403);
    const bad = await fx.stack.app.inject({
      method: 'PUT',
      url: '/v1/practice/time-saved-assumptions',
      headers: auth.admin,
      payload: { ...body, minutes: -3 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { pointer: string }) => e.pointer)).toContain('/minutes');
    const ok = await fx.stack.app.inject({
      method: 'PUT',
      url: '/v1/practice/time-saved-assumptions',
      headers: auth.admin,
      payload: body,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const listed = (await get('/v1/practice/time-saved-assumptions')).json();
    expect(listed.practice).toContainEqual(
      expect.objectContaining({ step: 'eligibility_check', minutes: 20 }),
    );
    expect(listed.defaults).toHaveLength(5);
    const row = (await get(`/v1/practice/metrics?${march}`))
      .json()
      .staffTimeSaved.rows.find((r: { step: string }) => r.step === 'eligibility_check');
    // 2 checks × 20 minutes, from the practice's row.
    expect(row).toMatchObject({ count: 2, minutesEach: 20, minutes: 40, origin: 'practice' });
    const gone = await fx.stack.app.inject({
      method: 'DELETE',
      url: '/v1/practice/time-saved-assumptions/eligibility_check/2026-02-01',
      headers: auth.admin,
    });
    expect(gone.statusCode).toBe(204);
    const back = (await get(`/v1/practice/metrics?${march}`))
      .json()
      .staffTimeSaved.rows.find((r: { step: string }) => r.step === 'eligibility_check');
    expect(back).toMatchObject({ minutesEach: 12, origin: 'default' });
  });
});

describe('/metrics gauges', () => {
  it('expose each practice’s trailing-window figures with opaque labels only', async () => {
    const res = await fx.stack.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    const lines = res.body.split('\n').filter((l) => l.startsWith('ptflow_practice_'));
    // The dataset's claims c4 (rejected, 5,000) and c6 (10,000) are still open, older than 120 days now.
    expect(lines).toContain(
      `ptflow_practice_ar_balance_dollars{practice_id="${ds.practiceId}",bucket="121+"} 150`,
    );
    expect(
      lines.some((l) => l.startsWith(`ptflow_practice_staff_hours_saved{practice_id="${ds.practiceId}"}`)),
    ).toBe(true);
    expect(res.body).toContain('# TYPE ptflow_practice_metrics_compute_seconds gauge');
    const labelNames = new Set(
      lines.flatMap((l) => [...(/\{([^}]*)\}/.exec(l)?.[1] ?? '').matchAll(/(\w+)="/g)].map((m) => m[1])),
    );
    expect([...labelNames].sort()).toEqual(['bucket', 'practice_id']);
  });

  it('every metric the practice dashboard queries is in a real scrape; panels name the provisioned datasource', async () => {
    const scrape = (await fx.stack.app.inject({ url: '/metrics' })).body;
    const dashboard = JSON.parse(
      fs.readFileSync(path.join(observabilityDir, 'grafana', 'dashboards', 'ptflow-practice.json'), 'utf8'),
    ) as Dashboard;
    const queried = dashboardQueries(dashboard).flatMap((q) => metricNames(q.expr));
    expect(queried.length).toBeGreaterThanOrEqual(15);
    const exposed = exposedNames(scrape);
    expect(queried.filter((n) => !exposed.has(n))).toEqual([]);
    const uids = [...JSON.stringify(dashboard).matchAll(/"datasource":\{"type":"(\w+)","uid":"([^"]+)"\}/g)];
    expect(new Set(uids.map((m) => `${m[1]}/${m[2]}`))).toEqual(new Set(['prometheus/ptflow-prometheus']));
    expect(dashboard.uid).not.toBe(loadDashboard().uid);
  });
});

describe('console: Practice numbers', () => {
  it('charts and tables, accessible, CSV download; a bad date is shown at its field', async () => {
    const { context, page } = await fx.signInChromium(biller, '/console/metrics');
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    try {
      // Signed in on the default period (the 30 days ending yesterday); then March 2026.
      expect(await page.title()).toBe('Practice numbers · ptflow console');
      await page.goto(`${fx.api}/console/metrics?${march}`);
      expect(await page.title()).toBe('Practice numbers · ptflow console');
      expect(await page.getAttribute('nav a[href="/console/metrics"]', 'aria-current')).toBe('page');
      expect(await page.locator('main svg[role="img"]').count()).toBeGreaterThanOrEqual(5);
      const tables = await page.$$eval('main table caption', (cs) => cs.map((c) => c.textContent));
      expect(tables).toEqual(
        expect.arrayContaining(['Claim rates', 'Denial rate by payer', 'A/R aging at the end of the period']),
      );
      const main = (await page.textContent('main')) ?? '';
      expect(main).toContain('60.0%'); // first-pass acceptance 3 of 5
      expect(main).toContain('Days in A/R: 16');
      expect(main).toContain('CO-50');
      expect(main).toContain('Waitlist fills: 0');
      expect(await seriousAxeViolations(page)).toEqual([]);

      // The CSV link, reached by keyboard, carries the same figures.
      await tabToText(page, 'Download these numbers as CSV');
      const href = await page.evaluate<string>('document.activeElement.href');
      const csv = await context.request.get(href);
      expect(csv.status()).toBe(200);
      expect(await csv.text()).toContain('first_pass_acceptance,,0.6,3,5,ratio,2026-03-01,2026-03-31,');

      const bad = await page.goto(`${fx.api}/console/metrics?from=2026-03-31&to=2026-03-01`);
      expect(bad?.status()).toBe(400);
      expect(await page.getAttribute('#m-to', 'aria-invalid')).toBe('true');
      expect(await page.textContent('#m-to-error')).toContain('must not be before from');
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(cspErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('front-desk staff neither see the entry nor open the page', async () => {
    const { context, page } = await fx.signInChromium(frontDesk, '/console/worklist');
    try {
      expect(await page.locator('nav a[href="/console/metrics"]').count()).toBe(0);
      const res = await page.goto(`${fx.api}/console/metrics`);
      expect(res?.status()).toBe(403);
    } finally {
      await context.close();
    }
  });
});

// The practice's numbers as Prometheus gauges on `GET /metrics` (issue 18 point 4), for Grafana
// (temporal-docker/observability/grafana/dashboards/ptflow-practice.json): each practice's figures over the
// trailing 30 days ending yesterday in its time zone, computed when Prometheus scrapes and reused for `ttlMs`
// (default 5 minutes) so a 15-second scrape interval costs one computation per practice every 5 minutes.
// Labels are the practice's opaque id, an aging bucket and a CAS group code: no patient, payer member or name.
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import { practices } from '../../db/schema.js';
import { addDays } from '../../domain/core/dates.js';
import { localDate } from '../../domain/core/zoned.js';
import type { PracticeNumbers } from '../../domain/practice-metrics/report.js';
import { practiceNumbers, type PracticeMetricsDeps } from '../practice-metrics.js';

/** Days of the trailing window the gauges describe. */
export const GAUGE_WINDOW_DAYS = 30;

type Figure = (n: PracticeNumbers) => number | null;

/** Gauge name → help and how it reads the report (ratios 0–1; amounts in dollars). */
const SIMPLE: Record<string, { help: string; read: Figure }> = {
  ptflow_practice_first_pass_acceptance_ratio: {
    help: 'Claims accepted on their first submission ÷ claims submitted (date of service in the last 30 days)',
    read: (n) => n.firstPassAcceptance.value,
  },
  ptflow_practice_denial_ratio: {
    help: 'Denied claims ÷ claims adjudicated (835 posted) in the last 30 days',
    read: (n) => n.denials.overall.value,
  },
  ptflow_practice_days_in_ar: {
    help: 'Insurance A/R at the window end ÷ average daily charges of the window',
    read: (n) => n.accountsReceivable.daysInAR,
  },
  ptflow_practice_net_collection_ratio: {
    help: 'Payer payments ÷ (charges − contractual adjustments), dates of service in the last 30 days',
    read: (n) => n.collection.net.value,
  },
  ptflow_practice_no_show_ratio: {
    help: 'No-shows ÷ appointments scheduled in the last 30 days',
    read: (n) => n.attendance.noShow.value,
  },
  ptflow_practice_late_cancel_ratio: {
    help: 'Late cancellations ÷ appointments scheduled in the last 30 days (every cancellation until a late flag is recorded)',
    read: (n) => n.attendance.lateCancel.value,
  },
  ptflow_practice_slot_utilization_ratio: {
    help: 'Attended appointment minutes ÷ available therapist minutes in the last 30 days',
    read: (n) => n.slotUtilization.attended.value,
  },
  ptflow_practice_progress_reports_late_ratio: {
    help: 'Progress reports done late or still overdue ÷ progress reports due in the last 30 days',
    read: (n) => n.progressReportsLate.value,
  },
  ptflow_practice_authorizations_expired_unused: {
    help: 'Authorizations that expired in the last 30 days with approved visits unused',
    read: (n) => n.authorizations.expiredUnused,
  },
  ptflow_practice_authorization_overrun_visits: {
    help: 'Signed visits the authorization refused (over the count or outside the window) in the last 30 days',
    read: (n) => n.authorizations.overranVisits,
  },
  ptflow_practice_intake_before_first_visit_ratio: {
    help: 'New patients with intake forms complete at their first visit ÷ new patients first seen in the last 30 days',
    read: (n) => n.intakeBeforeFirstVisit.value,
  },
  ptflow_practice_staff_hours_saved: {
    help: 'Estimated staff hours saved by automated steps in the last 30 days (baselines are editable assumptions)',
    read: (n) => n.staffTimeSaved.totalHours,
  },
};

export interface PracticeGaugeOptions extends PracticeMetricsDeps {
  ttlMs?: number;
}

/**
 * Registers the practice gauges on `registry` (once: a registry that has them already is left alone). Each
 * scrape reads every practice's trailing-window report, computed at most once per `ttlMs`.
 */
export function registerPracticeGauges(registry: Registry, opts: PracticeGaugeOptions): void {
  if (registry.getSingleMetric('ptflow_practice_denial_ratio')) return;
  const ttl = opts.ttlMs ?? 300_000;
  let cached:
    { at: number; reports: Promise<{ practiceId: string; numbers: PracticeNumbers }[]> } | undefined;
  const computeSeconds = new Gauge({
    name: 'ptflow_practice_metrics_compute_seconds',
    help: 'Seconds the last computation of every practice’s trailing-window numbers took',
    registers: [registry],
  });

  const snapshot = () => {
    const now = opts.now();
    if (!cached || now.getTime() - cached.at >= ttl) {
      const started = performance.now();
      const reports = (async () => {
        const all = await opts.db.select({ id: practices.id, timezone: practices.timezone }).from(practices);
        const out: { practiceId: string; numbers: PracticeNumbers }[] = [];
        for (const p of all) {
          const to = addDays(localDate(now, p.timezone), -1);
          const from = addDays(to, -(GAUGE_WINDOW_DAYS - 1));
          out.push({ practiceId: p.id, numbers: await practiceNumbers(opts, p.id, { from, to }) });
        }
        computeSeconds.set((performance.now() - started) / 1000);
        return out;
      })();
      // A failed computation is not cached: the next scrape tries again.
      reports.catch(() => {
        cached = undefined;
      });
      cached = { at: now.getTime(), reports };
    }
    return cached.reports;
  };

  for (const [name, spec] of Object.entries(SIMPLE)) {
    const gauge: Gauge<'practice_id'> = new Gauge({
      name,
      help: spec.help,
      labelNames: ['practice_id'],
      registers: [registry],
      async collect() {
        const reports = await snapshot().catch(() => []);
        gauge.reset();
        for (const r of reports) {
          const v = spec.read(r.numbers);
          if (v !== null) gauge.set({ practice_id: r.practiceId }, v);
        }
      },
    });
  }
  const aging: Gauge<'practice_id' | 'bucket'> = new Gauge({
    name: 'ptflow_practice_ar_balance_dollars',
    help: 'Insurance A/R at the end of the trailing window by aging bucket (days since the date of service)',
    labelNames: ['practice_id', 'bucket'],
    registers: [registry],
    async collect() {
      const reports = await snapshot().catch(() => []);
      aging.reset();
      for (const r of reports)
        for (const b of r.numbers.accountsReceivable.buckets)
          aging.set({ practice_id: r.practiceId, bucket: b.key }, b.balanceCents / 100);
    },
  });
  const denialGroups: Gauge<'practice_id' | 'group'> = new Gauge({
    name: 'ptflow_practice_denial_by_group_ratio',
    help: 'Claims with a denial adjustment of a CAS group (CO, OA, PI, CR) ÷ claims adjudicated in the trailing window',
    labelNames: ['practice_id', 'group'],
    registers: [registry],
    async collect() {
      const reports = await snapshot().catch(() => []);
      denialGroups.reset();
      for (const r of reports)
        for (const g of r.numbers.denials.byGroup)
          if (g.value !== null && /^[A-Z]{2}$/.test(g.key))
            denialGroups.set({ practice_id: r.practiceId, group: g.key }, g.value);
    },
  });
}

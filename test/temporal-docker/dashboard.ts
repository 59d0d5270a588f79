// The Grafana dashboard and Prometheus scrape config of temporal-docker/observability/, read the way Grafana
// and Prometheus read them, and the metric names their queries use.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const observabilityDir = path.join(repoRoot, 'temporal-docker', 'observability');
export const dashboardFile = path.join(observabilityDir, 'grafana', 'dashboards', 'ptflow.json');

interface Panel {
  type: string;
  title?: string;
  panels?: Panel[];
  targets?: { expr?: string; refId?: string }[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;
}

/** Every PromQL expression of the dashboard, with the title of its panel. */
export function dashboardQueries(d: Dashboard): { panel: string; expr: string }[] {
  const out: { panel: string; expr: string }[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p.title ?? p.type, expr: t.expr });
      if (p.panels) walk(p.panels);
    }
  };
  walk(d.panels);
  return out;
}

const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression selects (functions, keywords, labels and strings removed). */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const after = stripped.slice((m.index ?? 0) + m[0].length).trimStart();
    if (after.startsWith('(')) continue; // a function
    if (PROMQL_KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Series names a Prometheus text exposition offers: each sample's name, and the suffixes of its TYPE lines. */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\w+)/.exec(line);
    if (type) {
      const [, name, kind] = type;
      names.add(name!);
      if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
      if (kind === 'summary') for (const s of ['_sum', '_count']) names.add(`${name}${s}`);
      continue;
    }
    const sample = /^([A-Za-z_:][\w:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1]!);
  }
  return names;
}

/** Temporal server metric names (fixture from the server source), as its Prometheus reporter exposes them. */
export function temporalServerNames(): { source: string; names: Set<string> } {
  const fixture = JSON.parse(
    readFileSync(path.join(repoRoot, 'test', 'fixtures', 'temporal-server', 'metrics-v1.29.7.json'), 'utf8'),
  ) as { source: string; metrics: Record<string, 'counter' | 'gauge' | 'histogram'> };
  const names = new Set<string>();
  for (const [name, kind] of Object.entries(fixture.metrics)) {
    if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
    else names.add(name);
  }
  return { source: fixture.source, names };
}

// Hand-written SVG charts of the measured figures (no chart dependency): horizontal bars at the median with a
// min–max whisker, grouped per scenario. Pure: results in, SVG text out.
import type { BenchResults } from './report.js';
import type { Spread } from './stats.js';

export interface Bar {
  name: string;
  value: Spread;
}
export interface BarGroup {
  label: string;
  bars: Bar[];
}
export interface Chart {
  file: string;
  title: string;
  svg: string;
}

const PALETTE = ['#2f6db5', '#9aa5b1', '#e08a2e', '#5a9e4b'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** A horizontal grouped bar chart; every bar is a median with its min–max whisker. */
export function barChart(title: string, unit: string, groups: BarGroup[]): string {
  const names = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.name)))];
  const color = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length]!;
  const barH = 16;
  const gap = 10;
  const labelW = 260;
  const plotW = 420;
  const top = 56;
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.bars.map((b) => b.value.max)));
  const x = (v: number) => labelW + (v / max) * plotW;
  const parts: string[] = [];
  let y = top;
  for (const g of groups) {
    parts.push(`<text x="8" y="${y + barH - 3}" font-weight="bold">${esc(g.label)}</text>`);
    y += barH + 4;
    for (const b of g.bars) {
      const w = Math.max(1, x(b.value.median) - labelW);
      parts.push(
        `<text x="24" y="${y + barH - 4}">${esc(b.name)}</text>`,
        `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color(b.name)}"/>`,
        `<line x1="${x(b.value.min).toFixed(1)}" x2="${x(b.value.max).toFixed(1)}" y1="${y + barH / 2}" y2="${y + barH / 2}" stroke="#222" stroke-width="1.5"/>`,
        `<text x="${(x(b.value.max) + 6).toFixed(1)}" y="${y + barH - 4}">${num(b.value.median)}</text>`,
      );
      y += barH + 3;
    }
    y += gap;
  }
  const height = y + 24;
  const width = labelW + plotW + 90;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="8" y="40" fill="#555">${esc(unit)} — bar: median, whisker: min–max over runs</text>`,
    `<line x1="${labelW}" x2="${labelW}" y1="${top - 4}" y2="${y}" stroke="#999"/>`,
    ...parts,
    `<text x="${labelW}" y="${height - 8}" fill="#555">0</text>`,
    `<text x="${labelW + plotW}" y="${height - 8}" fill="#555" text-anchor="end">${num(max)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** The charts of whatever scenarios ran. */
export function renderCharts(r: BenchResults): Chart[] {
  const charts: Chart[] = [];
  const add = (file: string, title: string, unit: string, groups: BarGroup[]) =>
    groups.length > 0 && charts.push({ file, title, svg: barChart(title, unit, groups) });
  const p = r.processes?.processes ?? [];
  add(
    'processes-throughput.svg',
    'Processes end to end: ptflow vs floor',
    'completed processes per second (higher is better)',
    p.map((x) => ({
      label: x.label,
      bars: [
        { name: 'ptflow', value: x.ours.throughput },
        { name: 'floor', value: x.floor.throughput },
      ],
    })),
  );
  add(
    'processes-latency.svg',
    'Processes end to end: latency under load',
    'ms, start → end p50 and p99 (lower is better)',
    p.map((x) => ({
      label: x.label,
      bars: [
        { name: 'ptflow p50', value: x.ours.latencyMs.p50 },
        { name: 'floor p50', value: x.floor.latencyMs.p50 },
        { name: 'ptflow p99', value: x.ours.latencyMs.p99 },
        { name: 'floor p99', value: x.floor.latencyMs.p99 },
      ],
    })),
  );
  add(
    'first-activity.svg',
    'Workflow start → first activity (idle worker)',
    'ms (lower is better)',
    (r.firstActivity?.rows ?? []).map((x) => ({
      label: x.label,
      bars: [
        { name: 'p50', value: x.latencyMs.p50 },
        { name: 'p99', value: x.latencyMs.p99 },
      ],
    })),
  );
  const routes = r.api?.routes ?? [];
  add(
    'api-throughput.svg',
    'API: ptflow vs direct Temporal client vs bare Fastify',
    'requests per second (higher is better)',
    routes.map((x) => ({
      label: x.route,
      bars: [
        { name: 'ptflow', value: x.ptflow.requestsPerSecond },
        { name: 'direct client', value: x.direct.requestsPerSecond },
        { name: 'bare Fastify', value: x.bare.requestsPerSecond },
      ],
    })),
  );
  add(
    'api-latency.svg',
    'API latency',
    'ms, p50 and p99 (lower is better)',
    routes.flatMap((x) => [
      {
        label: `${x.route} p50`,
        bars: [
          { name: 'ptflow', value: x.ptflow.p50 },
          { name: 'direct client', value: x.direct.p50 },
          { name: 'bare Fastify', value: x.bare.p50 },
        ],
      },
      {
        label: `${x.route} p99`,
        bars: [
          { name: 'ptflow', value: x.ptflow.p99 },
          { name: 'direct client', value: x.direct.p99 },
          { name: 'bare Fastify', value: x.bare.p99 },
        ],
      },
    ]),
  );
  if (r.scale)
    add(
      'scale-update-latency.svg',
      `recordVisit with ${num(r.scale.workflows)} open authorizations`,
      'ms (lower is better)',
      [
        {
          label: 'recordVisit update',
          bars: [
            { name: 'p50', value: r.scale.updateP50 },
            { name: 'p99', value: r.scale.updateP99 },
          ],
        },
      ],
    );
  return charts;
}

// The observability profile of temporal-docker/ (Prometheus + Grafana): the dashboard JSON parses as Grafana
// reads it, every Temporal server metric it queries is one the server (v1.29.7, the compose image) defines
// (fixture from the server source, with its source note), the scrape targets match the ports compose gives the
// API, the workers and the Temporal server, and Grafana is provisioned from the mounted files. ptflow's own
// names are checked against real scrapes in metrics.int.test.ts. Needs docker-compose (as compose.unit.test.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dashboardQueries,
  loadDashboard,
  metricNames,
  observabilityDir,
  repoRoot,
  temporalServerNames,
} from './dashboard.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'ptflow-observability-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function hermeticEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  if (process.env.HOME) env.HOME = process.env.HOME;
  return env;
}

function yamlToJson(yaml: string): unknown {
  const out = execFileSync(
    'python3',
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: yaml, encoding: 'utf8', env: hermeticEnv(), timeout: 30_000 },
  );
  return JSON.parse(out);
}

interface Service {
  image?: string;
  profiles?: string[];
  environment?: Record<string, string | null>;
  volumes?: (string | { source?: string; target?: string })[];
  networks?: Record<string, unknown> | string[];
  ports?: (string | { published?: string | number; target?: number; host_ip?: string })[];
  secrets?: (string | { source?: string; target?: string })[];
}

/** The compose file as docker-compose renders it with no variables set (as CI does). */
function composeServices(): Record<string, Service> {
  const empty = path.join(scratch, 'empty.env');
  writeFileSync(empty, '');
  const yaml = execFileSync(
    'docker-compose',
    ['--env-file', empty, '-f', path.join(repoRoot, 'temporal-docker', 'docker-compose.yml'), 'config'],
    { cwd: repoRoot, env: hermeticEnv(), encoding: 'utf8', timeout: 60_000 },
  );
  return (yamlToJson(yaml) as { services: Record<string, Service> }).services;
}

function mounts(svc: Service): { source: string; target: string }[] {
  return (svc.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source ?? '', target: v.target ?? '' };
    const [source = '', target = ''] = v.split(':');
    return { source, target };
  });
}

const port = (address: string) => address.split(':').at(-1);

describe('temporal-docker observability profile', { timeout: 120_000 }, () => {
  it('the dashboard parses, names its datasource by the provisioned uid, and queries API, worker and Temporal', () => {
    const dashboard = loadDashboard();
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThanOrEqual(20);
    const datasource = yamlToJson(
      readFileSync(
        path.join(observabilityDir, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'),
        'utf8',
      ),
    ) as { datasources: { uid: string; url: string; type: string }[] };
    const [ds] = datasource.datasources;
    expect(ds).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    // Every panel and query names the provisioned datasource (Grafana resolves it by uid).
    const uids = [...JSON.stringify(dashboard).matchAll(/"datasource":\{"type":"(\w+)","uid":"([^"]+)"\}/g)];
    expect(uids.length).toBeGreaterThan(queries.length);
    expect(new Set(uids.map((m) => `${m[1]}/${m[2]}`))).toEqual(new Set([`prometheus/${ds!.uid}`]));
    const names = queries.flatMap((q) => metricNames(q.expr));
    expect(names.some((n) => n.startsWith('ptflow_'))).toBe(true);
    expect(names.some((n) => n.startsWith('temporal_'))).toBe(true);
    expect(names.some((n) => !n.startsWith('ptflow_') && !n.startsWith('temporal_'))).toBe(true);
  });

  it('reads metric names out of PromQL (functions, labels, strings and durations are not names)', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, route) (rate(ptflow_http_request_duration_seconds_bucket{status_code=~"5..", route!="x_y"}[$__rate_interval]))) / sum(rate(service_requests[5m])) or vector(0)',
      ).sort(),
    ).toEqual(['ptflow_http_request_duration_seconds_bucket', 'service_requests']);
  });

  it('every Temporal server metric the dashboard queries is defined by the server the compose file runs', () => {
    const { source, names } = temporalServerNames();
    expect(source).toContain('go.temporal.io/server v1.29.7');
    expect(source).toContain('metric_defs.go');
    const compose = readFileSync(path.join(repoRoot, 'temporal-docker', 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('image: temporalio/server:1.29.7');
    expect(names.size).toBeGreaterThan(400);
    const server = dashboardQueries(loadDashboard()).flatMap((q) =>
      metricNames(q.expr)
        .filter((n) => !n.startsWith('ptflow_') && !n.startsWith('temporal_'))
        .map((name) => ({ ...q, name })),
    );
    expect(server.length).toBeGreaterThanOrEqual(8);
    expect(server.filter((q) => !names.has(q.name)).map((q) => `${q.panel}: ${q.name}`)).toEqual([]);
  });

  it('scrapes the API, every worker replica and the Temporal server on the ports compose gives them', () => {
    const services = composeServices();
    const config = yamlToJson(readFileSync(path.join(observabilityDir, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: {
        job_name: string;
        authorization?: { type?: string; credentials?: string; credentials_file?: string };
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; type: string; port: number }[];
      }[];
    };
    const jobs = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j]));
    expect(jobs['ptflow-api']?.static_configs?.[0]?.targets).toEqual([
      `api:${services.api!.environment!.PORT}`,
    ]);
    // The API's /metrics answers only its bearer token: Prometheus reads the file the API reads it from (the same
    // compose secret, mounted into both), never a token written into the config.
    const secretPath = (svc: Service, name: string) => {
      const entry = (svc.secrets ?? []).find((x) => (typeof x === 'string' ? x : x.source) === name);
      if (!entry) return undefined;
      return typeof entry === 'string' ? `/run/secrets/${entry}` : (entry.target ?? `/run/secrets/${name}`);
    };
    const tokenFile = secretPath(services.api!, 'metrics_token');
    expect(tokenFile).toBe('/run/secrets/metrics_token');
    expect(services.api!.environment!.METRICS_TOKEN_FILE).toBe(tokenFile);
    expect(secretPath(services.prometheus!, 'metrics_token')).toBe(tokenFile);
    expect(jobs['ptflow-api']?.authorization).toEqual({ type: 'Bearer', credentials_file: tokenFile });
    expect(services.api!.environment!.PTFLOW_REQUIRED_ENV?.split(/\s+/)).toContain('METRICS_TOKEN');
    const workerAddress = services.worker!.environment!.PTFLOW_WORKER_METRICS_ADDRESS ?? '';
    expect(workerAddress).toMatch(/^0\.0\.0\.0:\d+$/);
    expect(jobs['ptflow-worker']?.dns_sd_configs?.[0]).toMatchObject({
      names: ['worker'],
      type: 'A',
      port: Number(port(workerAddress)),
    });
    const temporalAddress = services.temporal!.environment!.PROMETHEUS_ENDPOINT ?? '';
    expect(jobs.temporal?.static_configs?.[0]?.targets).toEqual([`temporal:${port(temporalAddress)}`]);
    // Prometheus reaches them on the network they share.
    const nets = (svc: Service) =>
      Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks ?? {});
    for (const target of ['api', 'worker', 'temporal']) {
      expect(nets(services[target]!), target).toContain('temporal');
    }
    expect(nets(services.prometheus!)).toContain('temporal');
  });

  it('runs Prometheus and Grafana only under the observability profile, provisioned from the mounted files', () => {
    const services = composeServices();
    for (const name of ['prometheus', 'grafana']) {
      expect(services[name]?.profiles, name).toEqual(['observability']);
      for (const m of mounts(services[name]!)) {
        if (m.source.startsWith('/')) expect(existsSync(m.source), `${name} mounts ${m.source}`).toBe(true);
      }
    }
    expect(mounts(services.prometheus!).map((m) => m.target)).toContain('/etc/prometheus/prometheus.yml');
    const grafana = mounts(services.grafana!);
    const provisioning = grafana.find((m) => m.target === '/etc/grafana/provisioning')!;
    expect(existsSync(path.join(provisioning.source, 'datasources', 'prometheus.yml'))).toBe(true);
    const provider = yamlToJson(
      readFileSync(path.join(provisioning.source, 'dashboards', 'ptflow.yml'), 'utf8'),
    ) as { providers: { options: { path: string } }[] };
    const dashboardsDir = grafana.find((m) => m.target === provider.providers[0]!.options.path)!;
    expect(existsSync(path.join(dashboardsDir.source, 'ptflow.json'))).toBe(true);
    // No default admin password: the container refuses to start without one; the port is loopback by default.
    expect(services.grafana!.environment!.GF_SECURITY_ADMIN_PASSWORD).toBe('');
    expect(services.grafana!.environment!.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(JSON.stringify(services.grafana!.ports)).toContain('127.0.0.1');
    // Without the profile nothing of it runs: api and worker never depend on it.
    expect(JSON.stringify([services.api, services.worker])).not.toMatch(/prometheus|grafana/);
  });
});

// temporal-docker/README.md stays true (issue #14): every path it names exists (from the repository root or from
// temporal-docker/), and every configuration variable it names is one that ptflow or this folder reads, or one
// of the upstream images' own variables listed below with where they are defined.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const folder = path.join(root, 'temporal-docker');
const readme = fs.readFileSync(path.join(folder, 'README.md'), 'utf8');

/** Code spans, in prose and in fenced blocks alike. */
const spans = [...readme.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
const prose = readme.replace(/^```[\s\S]*?^```/gm, '');
const proseSpans = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => (m[1] as string).trim());

const starts = new Set([...fs.readdirSync(root), ...fs.readdirSync(folder)]);
/** A code span that names a file of this repository: its first segment is a top-level or temporal-docker/ entry. */
function namedPath(span: string): string | undefined {
  const t = span.replace(/[),.:;]+$/, '');
  if (/[\s*…{}=$<>]/.test(t)) return undefined;
  return starts.has(t.split('/')[0] ?? '') ? t : undefined;
}

/**
 * Variables of the upstream images and tools that ptflow's files do not mention themselves (checked against the
 * sources: go.temporal.io/server v1.29.7 docker/config_template.yaml and tools/sql, temporalio/ui-server
 * config/docker.yaml, Node's documentation), plus SDK names that look like variables.
 */
const UPSTREAM: Record<string, string> = {
  SQL_CA: 'server config template (persistence TLS)',
  SQL_HOST_NAME: 'server config template',
  SQL_HOST_VERIFICATION: 'server config template',
  SQL_TLS_ENABLED: 'server config template',
  SQL_TLS: 'temporal-sql-tool',
  SQL_TLS_CA_FILE: 'temporal-sql-tool',
  SQL_TLS_SERVER_NAME: 'temporal-sql-tool',
  SQL_TLS_DISABLE_HOST_VERIFICATION: 'temporal-sql-tool',
  TEMPORAL_TLS_FRONTEND_CERT: 'server config template (frontend TLS)',
  TEMPORAL_TLS_FRONTEND_KEY: 'server config template',
  TEMPORAL_TLS_CLIENT1_CA_CERT: 'server config template',
  TEMPORAL_TLS_REQUIRE_CLIENT_AUTH: 'server config template',
  TEMPORAL_TLS_SERVER_CERT: 'server config template (internode TLS)',
  TEMPORAL_TLS_SERVER_KEY: 'server config template',
  TEMPORAL_TLS_SERVER_CA_CERT: 'server config template',
  USE_INTERNAL_FRONTEND: 'server config template',
  TEMPORAL_TLS_CA: 'ui-server docker config',
  TEMPORAL_TLS_CERT: 'ui-server docker config',
  TEMPORAL_TLS_KEY: 'ui-server docker config',
  TEMPORAL_TLS_ENABLE_HOST_VERIFICATION: 'ui-server docker config',
  NODE_EXTRA_CA_CERTS: 'Node.js',
  AUTO_UPGRADE: '@temporalio/common VersioningBehavior (not a variable)',
};

const VARIABLE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;

/** Variable-like names in ptflow's code and this folder, README files excepted (a name must be read elsewhere). */
function sourceNames(): Set<string> {
  const dirs = [
    'temporal-docker',
    'cli',
    'temporal',
    'api',
    'db',
    'scripts',
    'devtools',
    'connectors',
    'workflows',
  ];
  const files = dirs.flatMap((d) =>
    fs
      .readdirSync(path.join(root, d), { recursive: true, encoding: 'utf8' })
      .map((f) => path.join(root, d, f))
      .filter((f) => fs.statSync(f).isFile() && !f.endsWith('.md') && !f.includes('node_modules')),
  );
  return new Set(files.flatMap((f) => fs.readFileSync(f, 'utf8').match(VARIABLE) ?? []));
}

describe('temporal-docker/README.md', () => {
  it('names only paths that exist (from the repository root or temporal-docker/)', () => {
    const named = [...new Set(proseSpans.map(namedPath).filter((p): p is string => p !== undefined))];
    expect(named.length).toBeGreaterThan(20);
    const missing = named.filter(
      (p) => !fs.existsSync(path.join(root, p)) && !fs.existsSync(path.join(folder, p)),
    );
    expect(missing).toEqual([]);
  });

  it('names only variables that ptflow, this folder or an upstream image reads', () => {
    const names = new Set(spans.flatMap((s) => s.match(VARIABLE) ?? []));
    expect(names.size).toBeGreaterThan(80);
    const known = sourceNames();
    expect([...names].filter((n) => !known.has(n) && !(n in UPSTREAM))).toEqual([]);
    // The upstream list stays minimal: nothing in it that ptflow's own files already name.
    expect(Object.keys(UPSTREAM).filter((n) => known.has(n))).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    expect(namedPath('scripts/temporal-schema.sh')).toBe('scripts/temporal-schema.sh');
    expect(namedPath('dynamicconfig/nope.yaml')).toBe('dynamicconfig/nope.yaml');
    expect(fs.existsSync(path.join(folder, 'dynamicconfig/nope.yaml'))).toBe(false);
    expect(namedPath('temporalio/server:1.29.7')).toBeUndefined();
    expect(namedPath('temporal.toml')).toBeUndefined();
  });
});

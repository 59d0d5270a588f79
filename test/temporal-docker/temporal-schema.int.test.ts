// temporal-docker/scripts/temporal-schema.sh, unmodified, against the test PostgreSQL with the real
// temporal-sql-tool and schema files of the release compose deploys (built once into the per-user cache by
// `npm run temporal-sql-tool:ensure`, part of `npm run setup`; nothing is built at test time). It must create
// both databases and apply the schema on the first run, say so, and on every later run report that the
// databases already exist — never "created database" again (issue #14).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { defaultCacheDir } from '../../cli/config.js';
import { withDatabase } from '../../db/connection.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = path.join(repoRoot, 'temporal-docker', 'scripts', 'temporal-schema.sh');

function serverVersion(): string {
  const compose = fs.readFileSync(path.join(repoRoot, 'temporal-docker', 'docker-compose.yml'), 'utf8');
  const match = /^ *image: temporalio\/server:([0-9.]+)$/m.exec(compose);
  if (!match?.[1]) throw new Error('no temporalio/server tag in docker-compose.yml');
  return match[1];
}

function sqlTool(): { tool: string; schemaRoot: string } {
  const dir = path.join(defaultCacheDir(), 'temporal-sql', serverVersion());
  const tool = process.env.TEMPORAL_SQL_TOOL ?? path.join(dir, 'temporal-sql-tool');
  const schemaRoot = process.env.TEMPORAL_SCHEMA_ROOT ?? path.join(dir, 'schema', 'postgresql', 'v12');
  if (!fs.existsSync(tool) || !fs.existsSync(schemaRoot)) {
    throw new Error(
      `temporal-sql-tool ${serverVersion()} is not provisioned: run \`npm run temporal-sql-tool:ensure\` ` +
        '(builds it once with Go into the per-user cache; `npm run setup` includes it).',
    );
  }
  return { tool, schemaRoot };
}

const admin = new URL(inject('postgresAdminUrl'));
const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
const mainDb = `tschema_${suffix}`;
const visibilityDb = `tschema_${suffix}_vis`;

afterAll(async () => {
  const sql = postgres(inject('postgresAdminUrl'), { max: 1, onnotice: () => undefined });
  try {
    for (const db of [mainDb, visibilityDb]) await sql.unsafe(`drop database if exists ${db} with (force)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
});

function runSchema(password = decodeURIComponent(admin.password)) {
  const { tool, schemaRoot } = sqlTool();
  const binDir = fs.mkdtempSync(path.join(inject('runDir'), 'sql-tool-'));
  // The script calls `temporal-sql-tool` by name, as in the admin-tools image.
  fs.symlinkSync(tool, path.join(binDir, 'temporal-sql-tool'));
  return spawnSync('sh', [script], {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: admin.hostname,
      SQL_PORT: admin.port,
      SQL_USER: decodeURIComponent(admin.username),
      SQL_PASSWORD: password,
      TEMPORAL_DBNAME: mainDb,
      TEMPORAL_VISIBILITY_DBNAME: visibilityDb,
      TEMPORAL_SCHEMA_ROOT: schemaRoot,
    },
  });
}

async function schemaVersion(db: string): Promise<string> {
  const sql = postgres(withDatabase(inject('postgresAdminUrl'), db), { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ curr_version: string }[]>`select curr_version from schema_version`;
    return rows[0]?.curr_version ?? '';
  } finally {
    await sql.end({ timeout: 5 });
  }
}

describe('temporal-docker/scripts/temporal-schema.sh', { timeout: 300_000 }, () => {
  it('is valid POSIX sh', () => {
    expect(() => execFileSync('sh', ['-n', script])).not.toThrow();
  });

  it('creates both databases once, then reports them as existing and keeps the schema current', async () => {
    const first = runSchema();
    expect(first.stderr + first.stdout).not.toMatch(/refusing/);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`temporal-schema: created database ${mainDb}`);
    expect(first.stdout).toContain(`temporal-schema: created database ${visibilityDb}`);
    expect(first.stdout).toContain(`temporal-schema: ${mainDb} is at the schema version`);
    const mainVersion = await schemaVersion(mainDb);
    const visibilityVersion = await schemaVersion(visibilityDb);
    expect(mainVersion).toMatch(/^1\.\d+$/);
    expect(visibilityVersion).toMatch(/^1\.\d+$/);

    const second = runSchema();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('created database');
    expect(second.stdout).toContain(`temporal-schema: database ${mainDb} already exists`);
    expect(second.stdout).toContain(`temporal-schema: database ${visibilityDb} already exists`);
    expect(await schemaVersion(mainDb)).toBe(mainVersion);
    expect(await schemaVersion(visibilityDb)).toBe(visibilityVersion);
  });

  it('fails, without claiming anything, when it cannot log in', () => {
    const denied = runSchema('wrong-password');
    expect(denied.status).not.toBe(0);
    expect(denied.stdout).not.toContain('created database');
    expect(denied.stdout).not.toContain('already exists');
  });

  it('refuses an empty or CHANGE_ME password before touching the database', () => {
    for (const password of ['', 'CHANGE_ME']) {
      const refused = runSchema(password);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('refusing to continue');
    }
  });
});

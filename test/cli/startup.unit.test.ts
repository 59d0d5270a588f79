// Issue 15: `ptflow` starts in the time Node takes to load what the command needs. These run the real CLI in a
// child process and record every module it resolves: `--help` loads the argument parser and cli/main.ts only, an
// API client command the HTTP client and its two variables — no zod, Temporal, Fastify, drizzle, OpenTelemetry.
// And bin/ptflow.js (package.json "bin") runs the build in dist/ when it is current, the sources (with a note
// naming `npm run build`) when there is no build or a source file is newer than it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-cli-startup-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A module hook (runs on the loader thread) appending every resolved URL to MODULE_LOG_FILE. */
const RECORDER = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import fs from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  fs.appendFileSync(process.env.MODULE_LOG_FILE, r.url + '\\\\n');
  return r;
}\`));
`)}`;

/** Runs `ptflow <args>` from source (tsx) and returns what it printed and every module it resolved. */
function runRecorded(args: string[], env: Record<string, string> = {}) {
  const log = path.join(dir, `modules-${args.join('-')}.log`);
  fs.writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', RECORDER, 'cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), MODULE_LOG_FILE: log, ...env },
    timeout: 60_000,
  });
  const urls = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const ours = [
    ...new Set(
      urls
        .filter((u) => u.startsWith('file:') && !u.includes('/node_modules/'))
        .map((u) => path.relative(ROOT, fileURLToPath(u))),
    ),
  ].sort();
  const packages = [
    ...new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? [])),
  ].sort();
  return { ...r, ours, packages };
}

const HEAVY =
  /^(zod|@temporalio\/.*|fastify|@fastify\/.*|drizzle-orm|postgres|@opentelemetry\/.*|pdf-lib|pino)$/;

describe('ptflow start-up loads what the command needs', () => {
  it('--help: commander and cli/main.ts, nothing else of ours', () => {
    const r = runRecorded(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: ptflow/);
    // Every command is listed, though none of their modules loaded.
    for (const name of [
      'dev',
      'worker',
      'api',
      'tasks',
      'status <id>',
      'keys',
      'audit',
      'sandbox',
      'practice',
      'waitlist',
      'series',
      'equipment',
    ])
      expect(r.stdout).toContain(`  ${name}`);
    expect(r.ours).toEqual(['cli/main.ts']);
    expect(r.packages.filter((p) => p !== 'tsx')).toEqual(['commander']);
  }, 90_000);

  it('tasks: the HTTP client, its two variables and the table printer; an unreachable API is one line', () => {
    const r = runRecorded(['tasks'], {
      PTFLOW_API_URL: 'http://127.0.0.1:1',
      PTFLOW_API_KEY: 'ptf_test_key',
    });
    expect(r.status).toBe(5);
    expect(r.stderr.trim()).toMatch(/^ptflow: cannot reach the ptflow API at http:\/\/127\.0\.0\.1:1 /);
    expect(r.ours).toEqual([
      'cli/api-client-config.ts',
      'cli/commands/api-client.ts',
      'cli/commands/api-commands.ts',
      'cli/commands/table.ts',
      'cli/config-error.ts',
      'cli/main.ts',
      'domain/task-core.ts',
    ]);
    expect(r.packages.filter((p) => HEAVY.test(p))).toEqual([]);
  }, 90_000);

  it('series preview: the HTTP client, the fingerprint and the table printer, no zod or Temporal', () => {
    const r = runRecorded(
      [
        'series',
        'preview',
        '00000000-0000-4000-8000-000000000abc',
        '--acuity',
        'acute',
        '--visits-per-week',
        '2',
        '--weeks',
        '6',
        '--start',
        '2031-01-06',
        '--window',
        'tue@12:00-18:00',
      ],
      { PTFLOW_API_URL: 'http://127.0.0.1:1', PTFLOW_API_KEY: 'ptf_test_key' },
    );
    expect(r.status).toBe(5);
    expect(r.stderr.trim()).toMatch(/^ptflow: cannot reach the ptflow API at http:\/\/127\.0\.0\.1:1 /);
    expect(r.ours).toEqual([
      'api/series-fingerprint.ts',
      'cli/api-client-config.ts',
      'cli/commands/api-client.ts',
      'cli/commands/series.ts',
      'cli/commands/table.ts',
      'cli/config-error.ts',
      'cli/main.ts',
    ]);
    expect(r.packages.filter((p) => HEAVY.test(p))).toEqual([]);
  }, 90_000);

  it('a bad PTFLOW_API_URL is the one configuration line, still without the configuration schema', () => {
    const r = runRecorded(['status', 'x'], { PTFLOW_API_URL: 'ftp://nope' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      'ptflow: PTFLOW_API_URL must be an http:// or https:// URL (see .env.example)',
    );
    expect(r.packages.filter((p) => HEAVY.test(p))).toEqual([]);
  }, 90_000);
});

describe('bin/ptflow.js chooses the build or the sources', () => {
  // A checkout in miniature: the real bin script, a build and a source that say which one ran.
  const root = path.join(dir, 'checkout');
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'cli'), { recursive: true });
  fs.mkdirSync(path.join(root, 'db', 'migrations'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'bin/ptflow.js'), path.join(root, 'bin/ptflow.js'));
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }\n');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  fs.writeFileSync(
    path.join(root, 'cli/main.ts'),
    "const from: string = 'source';\nconsole.log(from, process.argv[2]);\n",
  );
  fs.writeFileSync(path.join(root, 'db/migrations/0001_a.sql'), 'select 1;\n');
  const run = () =>
    spawnSync(process.execPath, [path.join(root, 'bin/ptflow.js'), 'arg'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
  const age = (file: string, secondsAgo: number) => {
    const t = new Date(Date.now() - secondsAgo * 1000);
    fs.utimesSync(path.join(root, file), t, t);
  };

  it('watches every folder the build compiles', () => {
    const bin = fs.readFileSync(path.join(ROOT, 'bin/ptflow.js'), 'utf8');
    const list = /const SOURCES = \[([^\]]*)\]/.exec(bin)![1]!;
    const watched = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    expect([...watched].sort()).toEqual([...build.include].sort());
  });

  it('no build: runs the sources and says `npm run build` on stderr', () => {
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('source arg\n');
    expect(r.stderr).toBe(
      'ptflow: no build in dist/; running from source (npm run build for a fast start)\n',
    );
  }, 90_000);

  it('a current build: runs it, nothing on stderr; a newer source or migration: the sources again', () => {
    fs.mkdirSync(path.join(root, 'dist/cli'), { recursive: true });
    fs.writeFileSync(path.join(root, 'dist/cli/main.js'), "console.log('built', process.argv[2]);\n");
    age('cli/main.ts', 60);
    age('db/migrations/0001_a.sql', 60);
    const built = run();
    expect(built.stdout).toBe('built arg\n');
    expect(built.stderr).toBe('');

    age('dist/cli/main.js', 120);
    const edited = run();
    expect(edited.stdout).toBe('source arg\n');
    expect(edited.stderr).toContain('sources changed since the build');

    age('cli/main.ts', 180);
    expect(run().stderr).toContain('sources changed since the build'); // the migration is still newer
    age('db/migrations/0001_a.sql', 180);
    expect(run().stdout).toBe('built arg\n');
  }, 90_000);
});

describe('bin/ptflow.js answers --help from the help text the build wrote', () => {
  // A checkout with the real bin script, the real cli/main.ts and the help text written by the build's script.
  const root = path.join(dir, 'help-checkout');
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'cli'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'bin/ptflow.js'), path.join(root, 'bin/ptflow.js'));
  fs.copyFileSync(path.join(ROOT, 'cli/main.ts'), path.join(root, 'cli/main.ts'));
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }\n');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  const helpFile = path.join(root, 'dist/cli/help.json');
  const writeHelp = () => {
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'scripts/write-cli-help.mjs'), root, '--import', 'tsx', 'cli/main.ts'],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
  };
  /** `bin/ptflow.js <args>` in that checkout, recording the modules it resolves. */
  const runBin = (args: string[]) => {
    const log = path.join(dir, `help-modules-${args.join('-') || 'none'}.log`);
    fs.writeFileSync(log, '');
    const r = spawnSync(process.execPath, ['--import', RECORDER, path.join(root, 'bin/ptflow.js'), ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), MODULE_LOG_FILE: log },
      timeout: 60_000,
    });
    const files = fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter((u) => u.startsWith('file:'))
      .map((u) => path.relative(root, fileURLToPath(u)));
    return { ...r, files };
  };
  // What the CLI itself prints, from the repository's sources.
  const live = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', '--help'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: os.homedir() },
    timeout: 60_000,
  });

  it('the written text is the live help; --help, -h and help print it loading nothing but the bin script', () => {
    expect(live.status).toBe(0);
    expect(live.stdout).toMatch(/^Usage: ptflow/);
    writeHelp();
    const written = JSON.parse(fs.readFileSync(helpFile, 'utf8')) as { commander: string; text: string };
    expect(written.text).toBe(live.stdout);
    const commander = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'node_modules/commander/package.json'), 'utf8'),
    ) as { version: string };
    expect(written.commander).toBe(commander.version);
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = runBin(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(live.stdout);
      expect(r.stderr).toBe('');
      expect(r.files).toEqual(['bin/ptflow.js']);
    }
  }, 90_000);

  it('a terminal 80 columns or wider gets the same text (the cached one), a narrower one its own width', () => {
    const onTerminal = (columns: number) =>
      spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `Object.defineProperty(process.stdout, 'isTTY', { value: true });
           Object.defineProperty(process.stdout, 'columns', { value: ${columns} });
           process.argv = [process.argv[0], 'ptflow', '--help'];
           await import('./cli/main.ts');`,
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', HOME: os.homedir() },
          timeout: 60_000,
        },
      ).stdout;
    expect(onTerminal(200)).toBe(live.stdout);
    expect(onTerminal(80)).toBe(live.stdout);
    const narrow = onTerminal(60);
    expect(narrow).not.toBe(live.stdout);
    expect(Math.max(...narrow.split('\n').map((l) => l.length))).toBeLessThanOrEqual(60);
  }, 90_000);

  it('no arguments: the help on stderr and exit code 1, as commander answers', () => {
    writeHelp();
    const fromCli = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: os.homedir() },
      timeout: 60_000,
    });
    const r = runBin([]);
    expect([r.status, r.stdout, r.stderr]).toEqual([fromCli.status, fromCli.stdout, fromCli.stderr]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(live.stdout);
    expect(r.files).toEqual(['bin/ptflow.js']);
  }, 90_000);

  it('cli/main.ts newer than the text, or another commander: the CLI prints the help itself', () => {
    writeHelp();
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(root, 'cli/main.ts'), later, later);
    const edited = runBin(['--help']);
    expect(edited.stdout).toBe(live.stdout);
    expect(edited.stderr).toContain('no build in dist/; running from source');
    expect(edited.files).toContain('cli/main.ts');

    writeHelp();
    const help = JSON.parse(fs.readFileSync(helpFile, 'utf8')) as { commander: string; text: string };
    fs.writeFileSync(helpFile, JSON.stringify({ commander: '0.0.0', text: 'stale' }));
    const other = runBin(['--help']);
    expect(other.stdout).toBe(live.stdout);
    expect(other.stdout).toBe(help.text);
    expect(other.files).toContain('cli/main.ts');
  }, 90_000);
});

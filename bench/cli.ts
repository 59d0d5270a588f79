// Scenario 7 (issue 15: "`ptflow <command>` start to first output ≤ 0.3 s for --help, ≤ 1 s for a command that
// calls the API"): the installed CLI, `bin/ptflow.js` running the build in dist/ (this scenario runs `npm run build`
// first, so it measures the code of the tree), started as a fresh process each time, from spawn to the first byte
// it writes. Side by side in every round, the baselines: bare Node (`node -e ''`), Node loading the argument parser
// and printing a help, and Node making the same API request with fetch. The API is the production app listening
// on a port of this process, with its own embedded PostgreSQL (GET /v1/tasks reads the database only; Temporal is
// a lazy connection never used). CPU time (user + system) of each process is reported beside the wall clock:
// on a busy machine the wall clock measures the queue for a core as much as the command.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { createApiKey } from '../api/auth/api-keys.js';
import { buildApp } from '../api/app.js';
import { connectDb } from '../db/connection.js';
import { runMigrations } from '../db/migrate.js';
import { tasks } from '../db/schema.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../db/seed.js';
import { startEmbeddedPostgres } from '../devtools/embedded-postgres.js';
import { freePort } from '../devtools/ports.js';
import { nowMs, round1, spread, type Spread } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** One command line measured: wall time to its first output byte and its CPU time, over the rounds. */
export interface CliCommandFigures {
  label: string;
  /** What it runs, as a reader would type it. */
  command: string;
  baseline: boolean;
  firstOutputMs: Spread;
  /** User + system CPU time of the process; undefined where it is not measured (tsx runs a second process). */
  cpuMs?: Spread;
  /** Per round: this command's time to first output ÷ a baseline's in the same round (by the baseline's label). */
  ratios: { against: string; ratio: Spread }[];
}

export interface CliBenchmark {
  samples: number;
  /** Whether NODE_EXTRA_CA_CERTS was set (Node then parses that bundle at every start). */
  extraCaCerts: boolean;
  commands: CliCommandFigures[];
  /** The figures the aims are judged on (medians of time to first output, seconds). */
  helpSeconds: number;
  apiCommandSeconds: number;
}

export interface CliBenchOptions {
  /** Rounds: every command once per round, order alternating. */
  samples: number;
  /** Also time `tsx cli/main.ts --help` (running from source, seconds per call). */
  fromSource: boolean;
}

/** A preloaded CommonJS file that writes the process's CPU time (µs) to fd 3 when it exits. */
const CPU_REPORTER = `process.on('exit', () => { try { const u = process.cpuUsage(); require('node:fs').writeSync(3, String(u.user + u.system)); } catch {} });\n`;

interface Sample {
  firstMs: number;
  cpuMs: number | undefined;
  code: number | null;
  stdout: string;
  stderr: string;
}

function runOnce(argv: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    let first: number | undefined;
    let stdout = '';
    let stderr = '';
    let cpu = '';
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const mark = () => {
      first ??= nowMs() - t0;
    };
    child.stdout!.on('data', (d: Buffer) => {
      mark();
      stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      mark();
      stderr += d.toString();
    });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (cpu += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        firstMs: first ?? nowMs() - t0,
        cpuMs: cpu === '' ? undefined : Number(cpu) / 1000,
        code,
        stdout,
        stderr,
      }),
    );
  });
}

interface Variant {
  label: string;
  command: string;
  argv: string[];
  baseline: boolean;
  /** Labels of the baselines this command is compared with. */
  against: string[];
  /** Environment variables removed for this command. */
  unset?: string[];
  /** Checks one run's output: a command that failed would be timed doing something else. */
  check: (s: Sample) => string | undefined;
}

const expect = (what: string, ok: boolean) => (ok ? undefined : what);

/** Measures `ptflow --help` and `ptflow tasks` against their baselines; see the header. */
export async function runCliBenchmark(
  opts: CliBenchOptions,
  log: (line: string) => void = () => undefined,
): Promise<CliBenchmark> {
  log('bench: cli: npm run build (the figures are of this tree)…');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-bench-cli-'));
  fs.chmodSync(dir, 0o755);
  const reporter = path.join(dir, 'cpu-reporter.cjs');
  fs.writeFileSync(reporter, CPU_REPORTER);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    logFile: path.join(dir, 'postgres.log'),
    password: 'ptflow-bench',
  });
  const handle = connectDb(pg.url, { max: 10 });
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  let app: FastifyInstance | undefined;
  try {
    await runMigrations(pg.url);
    await seedDemoPractice(handle.db);
    const now = Date.now();
    await handle.db.insert(tasks).values(
      Array.from({ length: 20 }, (_, i) => {
        const id = randomUUID();
        return {
          id,
          practiceId: DEMO_PRACTICE_ID,
          dedupeKey: `bench-cli:${id}`,
          kind: 'verify_eligibility_by_phone',
          assigneeRole: 'front_desk' as const,
          title: 'Bench task: verify coverage by phone',
          dueAt: new Date(now + i * 3_600_000),
          workflowId: `task:${id}`,
          processKind: 'patientOnboarding',
          details: { coverageId: id },
        };
      }),
    );
    const { key } = await createApiKey(handle.db, {
      practiceId: DEMO_PRACTICE_ID,
      role: 'front_desk',
      label: 'bench cli',
    });
    app = await buildApp({
      logLevel: 'silent',
      db: handle.db,
      temporal: new Client({ connection }),
      cursorKey: randomBytes(32),
      rateLimit: { perMinute: 10_000_000, authFailuresPerMinute: 10_000 },
      readiness: {},
    });
    const apiUrl = await app.listen({ port: 0, host: '127.0.0.1' });

    // The children's environment: this one's, minus NODE_OPTIONS (the bench itself runs under tsx).
    const env: NodeJS.ProcessEnv = { ...process.env, PTFLOW_API_URL: apiUrl, PTFLOW_API_KEY: key };
    delete env.NODE_OPTIONS;
    const node = (...args: string[]) => [process.execPath, '-r', reporter, ...args];
    const HELP_START = 'Usage: ptflow';
    const fetchScript =
      "fetch(process.env.PTFLOW_API_URL + '/v1/tasks?limit=50', { headers: { authorization: 'Bearer ' + " +
      "process.env.PTFLOW_API_KEY, accept: 'application/json, application/problem+json' } })" +
      '.then((r) => r.text()).then((t) => process.stdout.write(t))';
    const parserScript =
      "import { Command } from 'commander'; const p = new Command('ptflow').description('baseline');" +
      " p.command('tasks').description('the worklist'); p.parse(['node', 'ptflow', '--help']);";
    const variants: Variant[] = [
      {
        label: 'Node alone (baseline)',
        command: "node -e ''",
        argv: node('-e', ''),
        baseline: true,
        against: [],
        check: (s) => expect('exit 0', s.code === 0),
      },
      {
        label: 'Node + commander printing a help (baseline)',
        command:
          "node --input-type=module -e \"import { Command } from 'commander'; … .parse([…, '--help'])\"",
        argv: node('--input-type=module', '-e', parserScript),
        baseline: true,
        against: [],
        check: (s) => expect('a help text', s.code === 0 && s.stdout.startsWith('Usage: ptflow')),
      },
      {
        label: '`ptflow --help`',
        command: 'node bin/ptflow.js --help',
        argv: node('bin/ptflow.js', '--help'),
        baseline: false,
        against: ['Node alone (baseline)', 'Node + commander printing a help (baseline)'],
        check: (s) =>
          expect(
            'the help from the build (nothing on stderr)',
            s.code === 0 && s.stdout.startsWith(HELP_START) && s.stderr === '',
          ),
      },
      {
        label: 'Node + fetch GET /v1/tasks (baseline)',
        command: 'node -e "fetch(API + \'/v1/tasks?limit=50\', …).then(…)"',
        argv: node('-e', fetchScript),
        baseline: true,
        against: [],
        check: (s) => expect('the API answer', s.code === 0 && s.stdout.includes('"data":[')),
      },
      {
        label: '`ptflow tasks` (GET /v1/tasks)',
        command: 'node bin/ptflow.js tasks',
        argv: node('bin/ptflow.js', 'tasks'),
        baseline: false,
        against: ['Node + fetch GET /v1/tasks (baseline)'],
        check: (s) =>
          expect(
            'the task table (nothing on stderr)',
            s.code === 0 && s.stdout.startsWith('ID ') && s.stderr === '',
          ),
      },
    ];
    // This machine's Node parses NODE_EXTRA_CA_CERTS at every start; where it is set, the two start-up figures
    // again without it show what a machine without it sees (the aims are judged on the environment as it is).
    if (process.env.NODE_EXTRA_CA_CERTS)
      variants.push(
        {
          label: 'Node alone, NODE_EXTRA_CA_CERTS unset (baseline)',
          command: "node -e ''",
          argv: node('-e', ''),
          baseline: true,
          against: [],
          unset: ['NODE_EXTRA_CA_CERTS'],
          check: (s) => expect('exit 0', s.code === 0),
        },
        {
          label: '`ptflow --help`, NODE_EXTRA_CA_CERTS unset',
          command: 'node bin/ptflow.js --help',
          argv: node('bin/ptflow.js', '--help'),
          baseline: false,
          against: ['Node alone, NODE_EXTRA_CA_CERTS unset (baseline)'],
          unset: ['NODE_EXTRA_CA_CERTS'],
          check: (s) =>
            expect('the help', s.code === 0 && s.stdout.startsWith(HELP_START) && s.stderr === ''),
        },
      );
    if (opts.fromSource)
      variants.push({
        label: '`ptflow --help` from source through tsx (no build)',
        command: 'node node_modules/tsx/dist/cli.mjs cli/main.ts --help',
        argv: [process.execPath, path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'cli/main.ts', '--help'],
        baseline: false,
        against: ['Node alone (baseline)'],
        check: (s) => expect('the help', s.code === 0 && s.stdout.startsWith(HELP_START)),
      });

    const samples: Sample[][] = variants.map(() => []);
    // One warm-up round (file cache, the API's first queries), then the timed rounds, order alternating.
    for (let round = -1; round < opts.samples; round++) {
      const order = variants.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) {
        const v = variants[i]!;
        const own = v.unset
          ? Object.fromEntries(Object.entries(env).filter(([k]) => !v.unset!.includes(k)))
          : env;
        const s = await runOnce(v.argv, own);
        const problem = variants[i]!.check(s);
        if (problem !== undefined)
          throw new Error(
            `bench: cli: ${variants[i]!.command} did not give ${problem} (exit ${s.code}): ${s.stderr.slice(0, 300)}`,
          );
        if (round >= 0) samples[i]!.push(s);
      }
      if (round === -1) log(`bench: cli: ${opts.samples} rounds of ${variants.length} commands…`);
    }

    const byLabel = new Map(variants.map((v, i) => [v.label, samples[i]!]));
    const commands: CliCommandFigures[] = variants.map((v, i) => {
      const own = samples[i]!;
      const cpu = own.map((s) => s.cpuMs).filter((c): c is number => c !== undefined);
      return {
        label: v.label,
        command: v.command,
        baseline: v.baseline,
        firstOutputMs: spread(own.map((s) => round1(s.firstMs))),
        ...(cpu.length === own.length ? { cpuMs: spread(cpu.map(round1)) } : {}),
        ratios: v.against.map((against) => {
          const base = byLabel.get(against)!;
          return {
            against,
            ratio: spread(
              own.map((s, r) => Math.round((s.firstMs / Math.max(base[r]!.firstMs, 0.001)) * 100) / 100),
            ),
          };
        }),
      };
    });
    const median = (label: string) => commands.find((c) => c.label === label)!.firstOutputMs.median;
    return {
      samples: opts.samples,
      extraCaCerts: Boolean(process.env.NODE_EXTRA_CA_CERTS),
      commands,
      helpSeconds: median('`ptflow --help`') / 1000,
      apiCommandSeconds: median('`ptflow tasks` (GET /v1/tasks)') / 1000,
    };
  } finally {
    await app?.close();
    await handle.close();
    await connection.close().catch(() => undefined);
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// `npm run setup`, and the first step of `npm test`: provisions into the per-user cache (~/.cache/ptflow) every
// tool the tests need that `npm ci` does not install. Each step is a fast no-op when its tool is already there
// (one progress line each), and builds it once otherwise (its own progress on stderr).
//
// Adding a step: append one entry to STEPS. A `command` step must be idempotent, exit non-zero on failure and
// print the provisioned path as its last stdout line; a step whose script is not in the tree yet is reported as
// skipped, so a branch can wire a step before the script lands.
//
// Kept light on purpose (no CLI composition, no database or Temporal imports): it runs before every `npm test`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { defaultCacheDir } from '../cli/config.js';
import { ensureTemporalCli, TemporalCliUnavailableError } from '../devtools/cli-provision.js';

const root = path.resolve(import.meta.dirname, '..');

type Step =
  { name: string; run: () => Promise<string> } | { name: string; command: [string, string, ...string[]] };

const STEPS: Step[] = [
  {
    name: 'Temporal CLI',
    run: async () => {
      const cli = await ensureTemporalCli(process.env, defaultCacheDir(), (line) =>
        process.stderr.write(`  ${line}\n`),
      );
      return `${cli.path} (${cli.source})`;
    },
  },
  { name: 'Java time-skipping test server', command: ['bash', 'scripts/ensure-test-server.sh'] },
  { name: 'temporal-sql-tool (Go)', command: ['bash', 'scripts/ensure-temporal-sql-tool.sh'] },
  // The official server (TLS with required client certificates: test/temporal/mtls.int.test.ts).
  { name: 'Temporal server (Go)', command: ['bash', 'scripts/ensure-temporal-server.sh'] },
  { name: 'X12 validators (Python venv)', command: ['bash', 'scripts/ensure-x12-validators.sh'] },
  // Browser tests (Temporal UI, console): Debian's chromium package, installed with apt-get when missing.
  { name: 'Chromium (browser tests)', command: ['bash', 'scripts/ensure-chromium.sh'] },
];

/** Runs a provisioning script: stderr streams through (build progress), the last stdout line is its result. */
function runCommand([cmd, script, ...args]: [string, string, ...string[]]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(out.trim().split('\n').at(-1) ?? '');
      else reject(new Error(`${script} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

async function main(): Promise<void> {
  const t0 = Date.now();
  for (const [i, step] of STEPS.entries()) {
    const label = `[setup ${i + 1}/${STEPS.length}] ${step.name}`;
    if ('command' in step && !fs.existsSync(path.join(root, step.command[1]))) {
      process.stderr.write(`${label}: skipped (${step.command[1]} is not in this tree)\n`);
      continue;
    }
    const started = Date.now();
    const result = 'run' in step ? await step.run() : await runCommand(step.command);
    const took = (Date.now() - started) / 1000;
    process.stderr.write(`${label}: ${result}${took >= 1 ? ` (${took.toFixed(1)} s)` : ''}\n`);
  }
  process.stderr.write(`[setup] tools ready in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

main().catch((err: unknown) => {
  // One line and the remedy; never a stack trace for an expected failure (no Go, no Java, no Maven).
  const message = (err as Error).message;
  process.stderr.write(`[setup] failed: ${message}\n`);
  if (!(err instanceof TemporalCliUnavailableError) && process.env.PTFLOW_DEBUG === '1') console.error(err);
  process.exit(1);
});

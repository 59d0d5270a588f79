// The owner watchdog of devtools/child-process.ts: servers spawned detached (own process group) must not
// outlive the process that started them. A real owner process starts children through spawnLogged, is
// SIGKILLed (no handler, no teardown can run), and the children — and their own children — must go.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-watchdog-'));
const childProcessModule = fileURLToPath(new URL('../../devtools/child-process.ts', import.meta.url));
const leftovers: number[] = [];

afterAll(() => {
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Running, not merely a zombie (this machine's init does not always reap orphans at once). */
function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return check();
}

describe('owner watchdog', () => {
  it('a SIGKILLed owner takes its detached children and their process groups with it', async () => {
    const ownerScript = path.join(dir, 'owner.ts');
    const graceful = path.join(dir, 'graceful-stop');
    // Two servers stand-ins: a shell with a child of its own (the group kill), and one that shuts down on
    // SIGINT like PostgreSQL (the configured signal comes first, and is enough).
    fs.writeFileSync(
      ownerScript,
      `import { spawnLogged } from ${JSON.stringify(childProcessModule)};
const log = ${JSON.stringify(path.join(dir, 'child.log'))};
const a = spawnLogged('/bin/sh', ['-c', 'sleep 300 & echo $! > ${dir}/grandchild; wait'], { logFile: log });
const b = spawnLogged('/bin/sh', ['-c', 'trap "echo INT > ${graceful}; exit 0" INT; while :; do sleep 1; done'], {
  logFile: log,
  dieWithOwner: { signal: 'SIGINT', graceSeconds: 5 },
});
process.stdout.write(JSON.stringify({ a: a.pid, b: b.pid }) + '\\n');
setInterval(() => undefined, 1000);
`,
    );
    const owner = spawn(process.execPath, ['--import', 'tsx', ownerScript], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    owner.unref();
    const pids = await new Promise<{ a: number; b: number }>((resolve, reject) => {
      let out = '';
      owner.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out) as { a: number; b: number });
      });
      owner.once('exit', () => reject(new Error('owner exited early')));
    });
    const grandchildFile = path.join(dir, 'grandchild');
    expect(await until(() => fs.existsSync(grandchildFile), 10_000)).toBe(true);
    const grandchild = Number(fs.readFileSync(grandchildFile, 'utf8').trim());
    leftovers.push(pids.a, pids.b, grandchild);
    expect([pids.a, pids.b, grandchild].every(isAlive)).toBe(true);

    owner.kill('SIGKILL');
    const gone = await until(() => ![pids.a, pids.b, grandchild].some(isAlive), 20_000);
    expect({ a: isAlive(pids.a), b: isAlive(pids.b), grandchild: isAlive(grandchild) }).toEqual({
      a: false,
      b: false,
      grandchild: false,
    });
    expect(gone).toBe(true);
    // The SIGINT-stopped one was asked politely first (its trap ran).
    expect(fs.readFileSync(graceful, 'utf8').trim()).toBe('INT');
  }, 60_000);
});

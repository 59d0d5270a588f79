// reapOrphan (devtools/child-process.ts): a benchmark started in one checkout must not stop the servers of a
// benchmark that another checkout is running at the same time (they share the pid folder under the temp dir).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, reapOrphan, writePidFile } from '../../devtools/child-process.js';

const started: ChildProcess[] = [];
/** A process whose command line carries the marker, like a dev server. */
function server(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'reap-marker']);
  started.push(child);
  return child;
}
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
});

describe('reapOrphan', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-reap-'));

  it('leaves a server alone while the run that recorded it lives', async () => {
    const s = server();
    const owner = server();
    const file = path.join(dir, 'live.pid');
    writePidFile(file, s.pid!, owner.pid!);
    expect(await reapOrphan(file, 'reap-marker')).toBe(false);
    expect(isAlive(s.pid!)).toBe(true);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('stops the server of a run that is gone, and of one recorded without an owner', async () => {
    const ownerless = server();
    const s = server();
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.once('exit', r));
    const a = path.join(dir, 'gone.pid');
    const b = path.join(dir, 'plain.pid');
    writePidFile(a, s.pid!, gone.pid!);
    writePidFile(b, ownerless.pid!);
    expect(await reapOrphan(a, 'reap-marker')).toBe(true);
    expect(await reapOrphan(b, 'reap-marker')).toBe(true);
    expect([isAlive(s.pid!), isAlive(ownerless.pid!), fs.existsSync(a), fs.existsSync(b)]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

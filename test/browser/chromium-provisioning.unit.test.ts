// How the browser tests find Chromium and how `npm run setup` provisions it: PTFLOW_CHROMIUM first (and a bad
// value is an error naming the remedy), then chromium/chromium-browser on PATH; the setup script prints the
// executable, and without a browser, apt-get or root it fails with the command that installs one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devServerArgs } from '../../devtools/dev-server.js';
import { ChromiumUnavailableError, chromiumExecutable } from '../helpers/browser.js';

const script = path.resolve(import.meta.dirname, '../../scripts/ensure-chromium.sh');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-chromium-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A directory holding one fake executable `name`. */
function binDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(scratch, 'bin-'));
  fs.writeFileSync(path.join(dir, name), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return dir;
}

function ensure(env: Record<string, string>) {
  return spawnSync('/bin/bash', [script], { env, encoding: 'utf8', timeout: 30_000 });
}

describe('chromiumExecutable (test harness)', () => {
  it('takes PTFLOW_CHROMIUM when it is an executable file, and refuses one that is not', () => {
    const fake = path.join(binDir('my-chromium'), 'my-chromium');
    expect(chromiumExecutable({ PTFLOW_CHROMIUM: fake, PATH: '' })).toBe(fake);
    expect(() => chromiumExecutable({ PTFLOW_CHROMIUM: path.join(scratch, 'nope'), PATH: '' })).toThrow(
      ChromiumUnavailableError,
    );
  });

  it('finds chromium, then chromium-browser, on PATH; none is an error that says to run npm run setup', () => {
    const a = binDir('chromium');
    const b = binDir('chromium-browser');
    expect(chromiumExecutable({ PATH: `${b}:${a}` })).toBe(path.join(a, 'chromium'));
    expect(chromiumExecutable({ PATH: b })).toBe(path.join(b, 'chromium-browser'));
    expect(() => chromiumExecutable({ PATH: scratch })).toThrow(/npm run setup/);
  });
});

describe('scripts/ensure-chromium.sh (npm run setup)', () => {
  it('prints PTFLOW_CHROMIUM or the browser on PATH as its last line', () => {
    const fake = path.join(binDir('other-chromium'), 'other-chromium');
    const given = ensure({ PTFLOW_CHROMIUM: fake, PATH: '/usr/bin:/bin' });
    expect(given.status).toBe(0);
    expect(given.stdout.trim().split('\n').at(-1)).toBe(fake);
    const dir = binDir('chromium');
    const onPath = ensure({ PATH: `${dir}:/usr/bin:/bin` });
    expect(onPath.status).toBe(0);
    expect(onPath.stdout.trim().split('\n').at(-1)).toBe(path.join(dir, 'chromium'));
  });

  it('fails with the install command when there is no browser and no apt-get', () => {
    // Only what the script itself needs: no chromium, no apt-get.
    const tools = fs.mkdtempSync(path.join(scratch, 'tools-'));
    for (const tool of ['printf', 'id']) {
      const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
      if (found) fs.symlinkSync(found, path.join(tools, tool));
    }
    const res = ensure({ PATH: tools });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('apt-get install -y chromium');
    const bad = ensure({ PTFLOW_CHROMIUM: path.join(scratch, 'missing'), PATH: tools });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('PTFLOW_CHROMIUM');
  });
});

describe('devServerArgs', () => {
  it('binds the frontend (and with it the HTTP API and metrics) and the Web UI to 127.0.0.1', () => {
    const args = devServerArgs({
      cliPath: 'temporal',
      port: 7233,
      uiPort: 8233,
      logFile: '/dev/null',
      uiCodecEndpoint: 'http://127.0.0.1:3000/codec',
    });
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--ip')).toBe('127.0.0.1');
    expect(flag('--ui-ip')).toBe('127.0.0.1');
    expect(flag('--ui-codec-endpoint')).toBe('http://127.0.0.1:3000/codec');
    expect(args).not.toContain('--headless');
    const headless = devServerArgs({ cliPath: 'temporal', port: 7233, logFile: '/dev/null' });
    expect(headless).toContain('--headless');
    expect(headless[headless.indexOf('--ip') + 1]).toBe('127.0.0.1');
  });
});

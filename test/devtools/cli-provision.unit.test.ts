// Resolution order of the Temporal CLI, with real files in a temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cachedCliPath,
  ensureTemporalCli,
  resolveTemporalCli,
  TemporalCliUnavailableError,
} from '../../devtools/cli-provision.js';

let dir: string;
const exe = (file: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\necho temporal\n', { mode: 0o755 });
  return file;
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-provision-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('resolveTemporalCli', () => {
  it('prefers TEMPORAL_CLI, then PATH, then the per-user cache', () => {
    const cache = path.join(dir, 'cache');
    const explicit = exe(path.join(dir, 'explicit', 'temporal'));
    const onPath = exe(path.join(dir, 'pathdir', 'temporal'));
    exe(cachedCliPath(cache));
    const PATH = path.join(dir, 'pathdir');
    expect(resolveTemporalCli({ TEMPORAL_CLI: explicit, PATH }, cache)).toEqual({
      path: explicit,
      source: 'TEMPORAL_CLI',
    });
    expect(resolveTemporalCli({ PATH }, cache)).toEqual({ path: onPath, source: 'PATH' });
    expect(resolveTemporalCli({ PATH: path.join(dir, 'empty') }, cache)).toEqual({
      path: cachedCliPath(cache),
      source: 'cache',
    });
    expect(resolveTemporalCli({ PATH: '' }, path.join(dir, 'nocache'))).toBeUndefined();
  });

  it('fails clearly when TEMPORAL_CLI points at nothing executable', () => {
    expect(() => resolveTemporalCli({ TEMPORAL_CLI: path.join(dir, 'missing') }, dir)).toThrow(
      TemporalCliUnavailableError,
    );
  });
});

describe('ensureTemporalCli', () => {
  it('says every way to provide the CLI when none is found and Go is absent', async () => {
    const err = await ensureTemporalCli(
      { PATH: path.join(dir, 'empty') },
      path.join(dir, 'cache'),
      () => undefined,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalCliUnavailableError);
    const message = (err as Error).message;
    expect(message).toContain('TEMPORAL_CLI');
    expect(message).toContain('PATH');
    expect(message).toContain('Go');
    expect(message).toContain('v1.5.1');
  });

  it('builds with `go install` into the cache (a stand-in go on PATH records the call)', async () => {
    const bin = path.join(dir, 'bin');
    const record = path.join(dir, 'go-args');
    // A fake `go` that behaves like `go install`: writes the binary into $GOBIN.
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
      path.join(bin, 'go'),
      `#!/bin/sh\necho "$@ CGO_ENABLED=$CGO_ENABLED" > ${record}\nprintf '#!/bin/sh\\n' > "$GOBIN/temporal"\nchmod +x "$GOBIN/temporal"\n`,
      { mode: 0o755 },
    );
    const cache = path.join(dir, 'cache');
    const found = await ensureTemporalCli({ PATH: `${bin}:/usr/bin:/bin` }, cache, () => undefined);
    expect(found).toEqual({ path: cachedCliPath(cache), source: 'cache' });
    expect(fs.readFileSync(record, 'utf8').trim()).toBe(
      'install github.com/temporalio/cli/cmd/temporal@v1.5.1 CGO_ENABLED=0',
    );
    // No staging directories are left behind.
    expect(fs.readdirSync(path.dirname(cachedCliPath(cache)))).toEqual(['temporal']);
  });
});

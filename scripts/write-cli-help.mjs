// Part of `npm run build`: writes dist/cli/help.json, the text `ptflow --help` prints (at commander's full width,
// as through a pipe) and the commander version that printed it, so bin/ptflow.js can answer `--help` without
// loading the CLI (issue 15). Usage: node scripts/write-cli-help.mjs [root] [node arguments running the CLI…]
// (default: the build, dist/cli/main.js; the startup test passes the sources through tsx).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? '.');
const run = process.argv.length > 3 ? process.argv.slice(3) : [path.join(root, 'dist', 'cli', 'main.js')];
// Piped stdout: commander's full width; no environment beyond PATH and HOME, so no configuration leaks in.
const text = execFileSync(process.execPath, [...run, '--help'], {
  cwd: root,
  encoding: 'utf8',
  env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const commander = JSON.parse(
  fs.readFileSync(path.join(root, 'node_modules', 'commander', 'package.json'), 'utf8'),
).version;
fs.mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
fs.writeFileSync(path.join(root, 'dist', 'cli', 'help.json'), `${JSON.stringify({ commander, text })}\n`);

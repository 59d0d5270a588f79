#!/usr/bin/env node
// `ptflow` as npm installs it (package.json "bin"; `npx ptflow …`). It runs the compiled CLI in dist/ (written by
// `npm run build`, which `npm ci` runs through the "prepare" script), so a call pays no TypeScript transpiling.
// Without a build, or when a source file is newer than the build (a developer's edit), it runs the sources
// through tsx instead: the same commands, a slower start, and a note on stderr saying how to get the fast one.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'cli', 'main.js');
// The folders tsconfig.build.json compiles.
const SOURCES = [
  'domain',
  'workflows',
  'activities',
  'connectors',
  'api',
  'db',
  'temporal',
  'devtools',
  'cli',
];

/** A .ts file or SQL migration of the built directories is younger than the build (about 500 stat calls, ≈ 13 ms). */
function newerSource(sinceMs) {
  const stack = SOURCES.map((d) => path.join(root, d));
  while (stack.length > 0) {
    const dir = stack.pop();
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (/\.(ts|sql)$/.test(e.name) && fs.statSync(p).mtimeMs > sinceMs) return true;
    }
  }
  return false;
}

/**
 * `ptflow`, `ptflow --help`, `-h` or `help` alone: the help text the build wrote (dist/cli/help.json, by
 * scripts/write-cli-help.mjs), printed without loading commander or the CLI. That output comes from cli/main.ts
 * and commander alone (test/cli/startup.unit.test.ts), so the text is current while it is newer than
 * cli/main.ts and was written with the installed commander (one stat and two small reads instead of the walk
 * below). Only where commander would print it exactly so: at its full width of 80 columns (a pipe, or a
 * terminal at least that wide); on a narrower terminal, or when anything is off, the CLI prints it itself.
 */
function cachedHelp(args) {
  const alone = args.length === 0;
  if (!alone && !(args.length === 1 && ['--help', '-h', 'help'].includes(args[0]))) return false;
  // Alone, commander prints the help to stderr and exits 1.
  const stream = alone ? process.stderr : process.stdout;
  if (stream.isTTY && !(stream.columns >= 80)) return false;
  try {
    const file = path.join(root, 'dist', 'cli', 'help.json');
    const help = JSON.parse(fs.readFileSync(file, 'utf8'));
    const commander = JSON.parse(
      fs.readFileSync(path.join(root, 'node_modules', 'commander', 'package.json'), 'utf8'),
    );
    if (typeof help.text !== 'string' || help.commander !== commander.version) return false;
    if (fs.statSync(path.join(root, 'cli', 'main.ts')).mtimeMs > fs.statSync(file).mtimeMs) return false;
    stream.write(help.text);
  } catch {
    return false;
  }
  process.exitCode = alone ? 1 : 0;
  return true;
}

let builtAt;
try {
  builtAt = fs.statSync(built).mtimeMs;
} catch {
  builtAt = undefined;
}
if (cachedHelp(process.argv.slice(2))) {
  // Answered from the build's help text.
} else if (builtAt !== undefined && !newerSource(builtAt)) {
  await import(pathToFileURL(built).href);
} else {
  process.stderr.write(
    `ptflow: ${builtAt === undefined ? 'no build in dist/' : 'sources changed since the build'}; running from source (npm run build for a fast start)\n`,
  );
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.join(root, 'cli', 'main.ts')).href);
}

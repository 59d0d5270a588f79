// README stays true (issue #19): every repository path it names exists, and every command its shell blocks and
// code spans show exists — `npm run <script>` in package.json, `ptflow <command>` among the CLI's commands,
// `npx <bin>` in node_modules/.bin, any other program on PATH (or, for the per-user cache, provisioned there
// by `npm run setup`, which `npm test` runs first).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../cli/config.js';
import { findOnPath } from '../devtools/cli-provision.js';

const root = path.resolve(import.meta.dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  bin?: Record<string, string>;
};
const scripts = Object.keys(pkg.scripts);

/** Names given to commander's `.command('<name> …')` anywhere in the CLI's sources (cli/ and the sandbox CLI). */
function cliCommandNames(): Set<string> {
  const names = new Set<string>();
  const files = [
    ...fs.readdirSync(path.join(root, 'cli'), { recursive: true, encoding: 'utf8' }).map((f) => `cli/${f}`),
    'connectors/emr/sandbox/cli.ts',
  ].filter((f) => f.endsWith('.ts'));
  for (const f of files) {
    for (const m of fs.readFileSync(path.join(root, f), 'utf8').matchAll(/\.command\(\s*'([a-z][\w-]*)/g)) {
      names.add(m[1] as string);
    }
  }
  return names;
}
const cliCommands = cliCommandNames();

/** Fenced blocks whose language is a shell. */
function shellBlocks(): string[] {
  return [...readme.matchAll(/^```(sh|bash|shell)\n([\s\S]*?)^```/gm)].map((m) => m[2] as string);
}

/** Inline code spans outside fenced blocks. */
function codeSpans(): string[] {
  const prose = readme.replace(/^```[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
}

/** Pulls out `$( … )` substitutions (balanced parentheses): the outer text keeps a placeholder word. */
function substitutions(line: string): { outer: string; inner: string[] } {
  const inner: string[] = [];
  let outer = '';
  for (let i = 0; i < line.length; i++) {
    if (line.startsWith('$(', i)) {
      let depth = 1;
      let j = i + 2;
      for (; j < line.length && depth > 0; j++) {
        if (line[j] === '(') depth++;
        else if (line[j] === ')') depth--;
      }
      const nested = substitutions(line.slice(i + 2, j - 1));
      inner.push(nested.outer, ...nested.inner);
      outer += 'SUBSTITUTION';
      i = j - 1;
    } else outer += line[i];
  }
  return { outer, inner };
}

/** Simple commands of a shell block: continuations joined, comments dropped, split at ; && || | and $( … ). */
function commandsOf(block: string): string[][] {
  const text = block.replace(/\\\n/g, ' ').replace(/(^|\s)#.*$/gm, '');
  const out: string[][] = [];
  for (const line of text.split('\n')) {
    const { outer, inner } = substitutions(line);
    for (const part of [outer, ...inner].flatMap((l) => l.split(/;|&&|\|\||\|/))) {
      // Quotes around a word are not part of it.
      const words = part
        .trim()
        .split(/\s+/)
        .map((w) => w.replace(/^["']+|["']+$/g, ''))
        .filter(Boolean);
      while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) words.shift(); // VAR=value prefixes
      if (words.length) out.push(words);
    }
  }
  return out;
}

/** The problem with one command, or undefined when it exists. */
function checkCommand(words: string[]): string | undefined {
  const [program, ...args] = words as [string, ...string[]];
  if (program === 'npm') {
    const rest = args.filter((a) => a !== '-s' && a !== '--silent');
    if (['ci', 'test', 'install'].includes(rest[0] ?? '')) return undefined;
    if (rest[0] !== 'run') return `npm ${rest.join(' ')}: not a command this README should show`;
    const script = rest[1] ?? '';
    if (!scripts.includes(script)) return `npm run ${script}: no such script in package.json`;
    if (script === 'ptflow' && rest[2] === '--') return checkPtflow(rest.slice(3));
    return undefined;
  }
  if (program === 'ptflow') return checkPtflow(args);
  if (program === 'npx') {
    const bin = args[0] ?? '';
    // The project's own bin (package.json `bin`) is what `npx <bin>` runs in this checkout.
    const ownBins = Object.keys(pkg.bin ?? {});
    if (ownBins.includes(bin)) return bin === 'ptflow' ? checkPtflow(args.slice(1)) : undefined;
    return fs.existsSync(path.join(root, 'node_modules', '.bin', bin))
      ? undefined
      : `npx ${bin}: not in node_modules/.bin`;
  }
  if (program.startsWith('~/.cache/ptflow/')) {
    const file = path.join(defaultCacheDir(), program.slice('~/.cache/ptflow/'.length));
    return fs.existsSync(file) ? undefined : `${program}: not provisioned (npm run setup)`;
  }
  return findOnPath(program) ? undefined : `${program}: not installed (not on PATH)`;
}

function checkPtflow(args: string[]): string | undefined {
  const command = args[0] ?? '';
  if (/^<[^>]+>$/.test(command)) return undefined; // `ptflow <command>`: the generic form
  if (!cliCommands.has(command)) return `ptflow ${command}: no such command`;
  return undefined;
}

/** Whether a path, possibly with `<placeholder>` segments, names at least one existing file or directory. */
function exists(p: string): boolean {
  let candidates = [root];
  for (const segment of p.replace(/\/$/, '').split('/')) {
    const pattern = new RegExp(
      `^${segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/<[^>]+>/g, '.+')}$`,
    );
    candidates = candidates.flatMap((dir) => {
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
      return fs
        .readdirSync(dir)
        .filter((name) => pattern.test(name))
        .map((name) => path.join(dir, name));
    });
  }
  return candidates.length > 0;
}

const topLevel = new Set(fs.readdirSync(root));
/** Documents of the shared design folder (`../shared/docs/`), named by file name in prose. */
const sharedDocs = new Set(['security.md']);

/** A code span or argument that names a path of this repository (not a URL, route, runtime file or pattern). */
function repoPath(token: string): string | undefined {
  const t = token.replace(/^@/, '').replace(/[),.:;]+$/, '');
  if (/^(\/|~|\.\.|\.data|https?:|postgres:|-)/.test(t) || /[\s*…{}=$]/.test(t)) return undefined;
  const first = t.split('/')[0] ?? '';
  if (t.includes('/') && topLevel.has(first)) return t;
  if (!t.includes('/') && /^[\w.-]+\.(md|json|ts|mjs|sh|yml|yaml|x12)$/.test(t) && !sharedDocs.has(t))
    return t;
  return undefined;
}

describe('README', () => {
  it('names only paths that exist', () => {
    const named = new Set<string>();
    for (const span of codeSpans()) {
      const p = repoPath(span);
      if (p) named.add(p);
    }
    for (const block of shellBlocks()) {
      for (const words of commandsOf(block)) {
        for (const w of words.slice(1)) {
          const p = repoPath(w);
          if (p) named.add(p);
        }
      }
    }
    for (const m of readme.matchAll(/\]\(([^)#:]+)\)/g)) {
      const link = m[1] as string;
      if (!link.startsWith('../')) named.add(link);
    }
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((p) => !exists(p))).toEqual([]);
  });

  it('shows only commands that exist (package.json scripts, ptflow commands, installed programs)', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const block of shellBlocks()) {
      for (const words of commandsOf(block)) {
        checked++;
        const problem = checkCommand(words);
        if (problem) problems.push(problem);
      }
    }
    for (const span of codeSpans()) {
      if (/^(npm run |npm test$|ptflow |npx )/.test(span)) {
        checked++;
        const problem = checkCommand(span.split(/\s+/));
        if (problem) problems.push(problem);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    expect(checkCommand(['npm', 'run', 'no-such-script'])).toMatch(/no such script/);
    expect(checkCommand(['npm', 'run', '-s', 'ptflow', '--', 'frobnicate'])).toMatch(/no such command/);
    expect(checkCommand(['surely-not-installed-ptflow-tool'])).toMatch(/not installed/);
    expect(exists('examples/http/<operationId>.json')).toBe(true);
    expect(exists('my-claim.json')).toBe(false);
    expect(repoPath('@examples/http/startClaim.json')).toBe('examples/http/startClaim.json');
    expect(repoPath('America/Chicago')).toBeUndefined();
    const block =
      'KEY=$(npm run -s ptflow -- apikey create)\ncurl -H "k: $(node -p \'x()\')" \\\n  --data @f\n';
    expect(commandsOf(block)).toEqual([
      ['npm', 'run', '-s', 'ptflow', '--', 'apikey', 'create'],
      ['curl', '-H', 'k:', 'SUBSTITUTION', '--data', '@f'],
      ['node', '-p', 'x()'],
    ]);
  });
});

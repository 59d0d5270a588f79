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

/** A rule: no module matching `from` may import one matching `to`. */
const forbid = (name, comment, from, to) => ({ name, severity: 'error', comment, from, to });

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    forbid(
      'no-circular',
      'Modules must not import each other in a circle (split out what both need).',
      {},
      { circular: true },
    ),
    forbid(
      'domain-imports-nothing-of-ours',
      'domain/ is the pure heart: it imports nothing of ours outside domain/.',
      { path: '^domain/' },
      { path: `^(workflows|activities|connectors|api|db|temporal|cli|devtools|${OUTSIDE})/` },
    ),
    forbid(
      'db-imports-domain-only',
      'db/ (schema, migrations, repositories, crypto, audit) imports only domain/.',
      { path: '^db/' },
      { path: `^(workflows|activities|connectors|api|temporal|cli|devtools|${OUTSIDE})/` },
    ),
    forbid(
      'connectors-import-domain',
      'connectors/ import domain/ (and db/ only for sandbox state, next rule).',
      { path: '^connectors/' },
      { path: `^(workflows|activities|api|temporal|cli|devtools|${OUTSIDE})/` },
    ),
    forbid(
      'connectors-db-only-in-sandbox',
      'Only the sandbox simulators (connectors/*/sandbox/) keep state in db/; real connectors use ports.',
      { path: '^connectors/', pathNot: '^connectors/[^/]+/sandbox/' },
      { path: '^db/' },
    ),
    forbid(
      'activities-below-api-and-temporal',
      'activities/ import domain/, connectors/ and db/; never api/, temporal/ or the CLI.',
      { path: '^activities/' },
      { path: `^(api|temporal|cli|devtools|${OUTSIDE})/` },
    ),
    forbid(
      'activities-see-workflow-contracts-only',
      'Activities never import workflow modules: they start or signal processes by workflow type name, ' +
        "with the process's messages.ts (and the search-attribute keys) as the contract.",
      { path: '^activities/' },
      { path: '^workflows/', pathNot: WORKFLOW_CONTRACTS },
    ),
    forbid(
      'workflows-import-domain',
      'workflows/ are deterministic: domain/ and other workflow code only (no I/O layers).',
      { path: '^workflows/' },
      { path: `^(connectors|db|api|temporal|cli|devtools|${OUTSIDE})/` },
    ),
    forbid(
      'workflows-see-activities-as-types',
      'The worker runs activities; a workflow only proxies them (`import type`).',
      { path: '^workflows/' },
      { path: '^activities/', dependencyTypesNot: ['type-only'] },
    ),
    forbid(
      'api-sees-workflow-contracts-only',
      "The API starts, signals and queries processes through each process's messages.ts.",
      { path: '^api/' },
      { path: '^workflows/', pathNot: WORKFLOW_CONTRACTS },
    ),
    forbid(
      'api-below-cli',
      'api/ is composed by the CLI, never the other way round.',
      { path: '^api/' },
      { path: `^(cli|devtools|${OUTSIDE})/` },
    ),
    forbid(
      'temporal-below-cli',
      'temporal/ (client, codec, worker, schedules) sits beside api/, below the CLI.',
      { path: '^temporal/' },
      { path: `^(api|cli|devtools|${OUTSIDE})/` },
    ),
    forbid(
      'temporal-sees-workflow-contracts-only',
      'temporal/ bundles workflows by path; in code it uses only their contracts.',
      { path: '^temporal/' },
      { path: '^workflows/', pathNot: WORKFLOW_CONTRACTS },
    ),
    forbid(
      'devtools-stay-apart',
      'devtools/ (dev-only process tooling) is used by the CLI, tests, benchmarks and scripts only.',
      { path: '^devtools/' },
      { path: `^(activities|connectors|api|cli|${OUTSIDE})/` },
    ),
    forbid(
      'cli-imports-no-tests',
      'The composition root ships: it imports no tests, benchmarks or scripts.',
      { path: '^cli/' },
      { path: `^(${OUTSIDE})/` },
    ),
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

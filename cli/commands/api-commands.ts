// `ptflow onboard <file>`, `ptflow status <id>`, `ptflow tasks`, `ptflow task complete <id>`: the common calls
// against a running API (PTFLOW_API_URL, PTFLOW_API_KEY), printed as tables. Input is checked locally with the
// API's own schemas first, so a bad file fails with the field names before anything is sent.
// Start-up is module loading (issue 15): this module loads no zod. The commands that check a file or an outcome
// against the API's schemas import them when they run; `status` and `tasks` check their few arguments by hand.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import { staffRoles } from '../../domain/task-core.js';
import type { ApiClientConfig } from '../api-client-config.js';
import { ApiCliError, createApiClient, EXIT, type ApiClient } from './api-client.js';
import { renderFields, renderTable } from './table.js';

type Out = (text: string) => void;

/** A problem with one input field: its path and an issue code (zod's codes, so every check reads alike). */
interface FieldIssue {
  path: PropertyKey[];
  code: string;
}

/** Field pointers and issue codes only: the file holds patient data, which is never echoed. */
function invalid(what: string, issues: readonly FieldIssue[]): ApiCliError {
  const fields = issues
    .slice(0, 8)
    .map((i) => `${i.path.length ? `/${i.path.map(String).join('/')}` : '/'} (${i.code})`)
    .join(', ');
  return new ApiCliError(`${what}: ${fields}`, EXIT.input);
}

/** The error of a failed zod parse, as `invalid` prints it. */
const invalidParse = (what: string, error: z.ZodError): ApiCliError => invalid(what, error.issues);

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ApiCliError(
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      EXIT.input,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiCliError(`${file} is not JSON`, EXIT.input);
  }
}

/** Canonical JSON (sorted keys): the same request gives the same Idempotency-Key whatever its formatting. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

interface Started {
  id: string;
  status: string;
  links: { self: string };
}

/**
 * Starts an onboarding from a JSON file. The Idempotency-Key is derived from the request itself, so running
 * the same file again (after a timeout, say) answers with the same onboarding instead of starting a second.
 */
export async function runOnboard(
  config: ApiClientConfig,
  out: Out,
  file: string,
  opts: { idempotencyKey?: string } = {},
  client: ApiClient = createApiClient(config),
): Promise<Started> {
  const body = readJson(file);
  const { OnboardingRequestSchema } = await import('../../domain/onboarding/intake.js');
  const parsed = OnboardingRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidParse(`${file} is not a valid onboarding request`, parsed.error);
  // The file's own form is sent (the API applies the same schema and its defaults).
  const key =
    opts.idempotencyKey ??
    `onboard-${createHash('sha256').update(canonical(body)).digest('hex').slice(0, 40)}`;
  const started = await client.post<Started>('/v1/onboardings', body, key);
  out(renderTable(['ID', 'STATUS', 'LINK'], [[started.id, started.status, started.links.self]]));
  return started;
}

/** Status routes by the prefix of a process id (`onboarding:<uuid>` as /v1/processes and tasks print it). */
const statusRoutes = {
  onboarding: '/v1/onboardings',
  auth: '/v1/authorizations',
  claim: '/v1/claims',
  poc: '/v1/plans-of-care',
} as const;
type Kind = keyof typeof statusRoutes;
/** zod's `z.uuid()` (RFC 9562 versions 1–8, nil and max), without loading zod for one check. */
const UUID =
  /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;
const isUuid = (v: string) => UUID.test(v);

/**
 * Prints the status of any process. A bare UUID is looked up under every kind the key's role may read; a
 * prefixed id (`claim:<uuid>`) goes straight to its kind.
 */
export async function runStatus(
  config: ApiClientConfig,
  out: Out,
  id: string,
  client: ApiClient = createApiClient(config),
): Promise<{ kind: Kind; status: unknown }> {
  const match = /^([a-z]+):(.+)$/.exec(id);
  const prefix = match?.[1];
  if (prefix === 'task') {
    throw new ApiCliError('a task has no status of its own: see ptflow tasks', EXIT.input);
  }
  if (prefix !== undefined && !(prefix in statusRoutes)) {
    throw new ApiCliError(
      `unknown process kind ${prefix} (one of ${Object.keys(statusRoutes).join(', ')})`,
      EXIT.input,
    );
  }
  const bare = match?.[2] ?? id;
  if (!isUuid(bare)) throw new ApiCliError('the id must be a UUID or <kind>:<uuid>', EXIT.input);
  const kinds = prefix ? [prefix as Kind] : (Object.keys(statusRoutes) as Kind[]);
  let forbidden = 0;
  for (const kind of kinds) {
    try {
      const status = await client.get<unknown>(`${statusRoutes[kind]}/${bare}`);
      out(renderFields({ kind, ...(status as object) }));
      return { kind, status };
    } catch (err) {
      // Not this kind (404), or a kind the role may not read (403): try the next one.
      if (!(err instanceof ApiCliError) || (err.status !== 404 && err.status !== 403) || kinds.length === 1) {
        throw err;
      }
      if (err.status === 403) forbidden++;
    }
  }
  throw new ApiCliError(
    `404 Not Found: no process ${bare}${forbidden ? ' among the kinds your role may read' : ''}`,
    EXIT.notFound,
    404,
  );
}

interface TaskRow {
  id: string;
  kind: string;
  title: string;
  assigneeRole: string;
  status: string;
  dueAt: string;
  processId: string;
}

const TASK_STATUSES = ['open', 'escalated', 'completed', 'cancelled'] as const;
interface TasksOptions {
  role?: string;
  status?: string;
  limit: number;
  cursor?: string;
}

/**
 * The `ptflow tasks` options, checked as the zod schema `strictObject({ role: enum(staffRoles), status: enum,
 * limit: coerce.number().int().min(1).max(100).default(50), cursor: string().max(512) })` would, with its issue codes.
 */
export function checkTasksOptions(opts: Record<string, unknown>): TasksOptions | FieldIssue[] {
  const issues: FieldIssue[] = [];
  const known = ['role', 'status', 'limit', 'cursor'];
  if (Object.keys(opts).some((k) => !known.includes(k))) issues.push({ path: [], code: 'unrecognized_keys' });
  const oneOf = (key: 'role' | 'status', values: readonly string[]) => {
    const v = opts[key];
    if (v !== undefined && (typeof v !== 'string' || !values.includes(v)))
      issues.push({ path: [key], code: 'invalid_value' });
  };
  oneOf('role', staffRoles);
  oneOf('status', TASK_STATUSES);
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  if (!Number.isInteger(limit)) issues.push({ path: ['limit'], code: 'invalid_type' });
  else if (limit < 1) issues.push({ path: ['limit'], code: 'too_small' });
  else if (limit > 100) issues.push({ path: ['limit'], code: 'too_big' });
  const cursor = opts.cursor;
  if (cursor !== undefined && typeof cursor !== 'string')
    issues.push({ path: ['cursor'], code: 'invalid_type' });
  else if (cursor !== undefined && cursor.length > 512) issues.push({ path: ['cursor'], code: 'too_big' });
  if (issues.length > 0) return issues;
  return {
    limit,
    ...(opts.role !== undefined ? { role: opts.role as string } : {}),
    ...(opts.status !== undefined ? { status: opts.status as string } : {}),
    ...(typeof cursor === 'string' ? { cursor } : {}),
  };
}

/** Lists the worklist (your role's queue; admins any role's with --role). */
export async function runTasks(
  config: ApiClientConfig,
  out: Out,
  opts: { role?: string; status?: string; limit?: string; cursor?: string },
  client: ApiClient = createApiClient(config),
): Promise<TaskRow[]> {
  const o = checkTasksOptions(opts);
  if (Array.isArray(o)) throw invalid('invalid options', o);
  const query = new URLSearchParams({
    limit: String(o.limit),
    ...(o.role ? { assigneeRole: o.role } : {}),
    ...(o.status ? { status: o.status } : {}),
    ...(o.cursor ? { cursor: o.cursor } : {}),
  });
  const page = await client.get<{ data: TaskRow[]; has_more: boolean; next_cursor: string | null }>(
    `/v1/tasks?${query.toString()}`,
  );
  out(
    renderTable(
      ['ID', 'KIND', 'ROLE', 'STATUS', 'DUE', 'PROCESS', 'TITLE'],
      page.data.map((t) => [t.id, t.kind, t.assigneeRole, t.status, t.dueAt, t.processId, t.title]),
    ),
  );
  if (page.has_more && page.next_cursor) out(`more tasks: --cursor ${page.next_cursor}\n`);
  return page.data;
}

/** Completes a task; the waiting process continues. `--outcome` is a JSON object of structured answers. */
export async function runTaskComplete(
  config: ApiClientConfig,
  out: Out,
  id: string,
  opts: { outcome?: string },
  client: ApiClient = createApiClient(config),
): Promise<void> {
  if (!isUuid(id)) throw new ApiCliError('the task id must be a UUID', EXIT.input);
  let outcome: unknown = {};
  if (opts.outcome !== undefined) {
    try {
      outcome = JSON.parse(opts.outcome) as unknown;
    } catch {
      throw new ApiCliError('--outcome must be a JSON object such as {"reached":true}', EXIT.input);
    }
  }
  const { taskCompletionSchema } = await import('../../domain/tasks.js');
  const parsed = taskCompletionSchema.shape.outcome.safeParse(outcome);
  if (!parsed.success) throw invalidParse('--outcome is not a valid task outcome', parsed.error);
  const done = await client.post<{ id: string; status: string }>(
    `/v1/tasks/${id}/complete`,
    { outcome: parsed.data },
    randomUUID(),
  );
  out(renderTable(['ID', 'STATUS'], [[done.id, done.status]]));
}

/**
 * Sends a held claim its correction from a JSON file (the POST /v1/claims/{id}/corrections body): checked with
 * the API's schema first, field names only on error. The claim is re-coded, re-scrubbed and resumes.
 */
export async function runClaimCorrect(
  config: ApiClientConfig,
  out: Out,
  id: string,
  file: string,
  client: ApiClient = createApiClient(config),
): Promise<{ id: string; status: string }> {
  const bare = id.replace(/^claim:/, '');
  if (!isUuid(bare)) throw new ApiCliError('the claim id must be a UUID or claim:<uuid>', EXIT.input);
  const body = readJson(file);
  const { ClaimCorrectionSchema } = await import('../../domain/claims/correction-schema.js');
  const parsed = ClaimCorrectionSchema.safeParse(body);
  if (!parsed.success) throw invalidParse(`${file} is not a valid claim correction`, parsed.error);
  const key = `correct-${createHash('sha256')
    .update(`${bare}:${canonical(body)}`)
    .digest('hex')
    .slice(0, 40)}`;
  const done = await client.post<{ id: string; status: string }>(`/v1/claims/${bare}/corrections`, body, key);
  out(renderTable(['ID', 'STATUS'], [[done.id, done.status]]));
  return done;
}

/** `ptflow claim correct <id> <file>` on the `claim` command group. */
export function registerClaimCorrectCommand(claim: Command, config: () => ApiClientConfig, out: Out): void {
  claim
    .command('correct <id> <file>')
    .description('correct a held claim via the API from a JSON file (fields named by its fix_claim task)')
    .action(async (id: string, file: string) => {
      await runClaimCorrect(config(), out, id, file);
    });
}

/** Registers the API client commands on the `ptflow` program. */
export function registerApiClientCommands(program: Command, config: () => ApiClientConfig, out: Out): void {
  program
    .command('onboard <file>')
    .description('start onboarding a patient from a JSON file (the POST /v1/onboardings body) via the API')
    .option('--idempotency-key <key>', 'override the key derived from the file (a retry reuses it)')
    .action(async (file: string, opts: { idempotencyKey?: string }) => {
      await runOnboard(config(), out, file, opts);
    });
  program
    .command('status <id>')
    .description('status of any process via the API: <uuid> or <kind>:<uuid> (onboarding, auth, claim, poc)')
    .action(async (id: string) => {
      await runStatus(config(), out, id);
    });
  program
    .command('tasks')
    .description("the worklist via the API (your role's queue; admins may pick one with --role)")
    .option('--role <role>', staffRoles.join(' | '))
    .option('--status <status>', 'open | escalated | completed | cancelled (default open)')
    .option('--limit <n>', 'at most this many (1-100)', '50')
    .option('--cursor <cursor>', 'continue a previous listing')
    .action(async (opts: { role?: string; status?: string; limit?: string; cursor?: string }) => {
      await runTasks(config(), out, opts);
    });
  program
    .command('task')
    .description('act on a task via the API')
    .command('complete <id>')
    .description('complete a task; the waiting process continues')
    .option('--outcome <json>', 'structured outcome, e.g. {"reached":true}')
    .action(async (id: string, opts: { outcome?: string }) => {
      await runTaskComplete(config(), out, id, opts);
    });
}

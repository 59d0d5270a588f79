// Shared plumbing of the process routes: practice tenancy on every process id (another practice's process is a
// 404, never a 403), the id a start uses (derived from the Idempotency-Key record so a retried POST can never
// start a second process), audited reads that fail closed, and update failures turned into 409s with the
// workflow's PHI-free reason.
import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type {
  QueryDefinition,
  SearchAttributePair,
  SignalDefinition,
  UpdateDefinition,
  Workflow,
} from '@temporalio/common';
import type { FastifyRequest } from 'fastify';
import { appendAuditGrouped } from '../db/audit/append.js';
import type { Database } from '../db/connection.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { workflowId, type ProcessKindPrefix } from '../domain/ids.js';
import { workflowOwner } from '../activities/shared/claim-ids.js';
import { claimIdFor } from '../activities/shared/derived-ids.js';
import { startIdempotently } from '../activities/shared/process-starter.js';
import { principalOf } from './auth/plugin.js';
import { processOwnersOf } from './process-owners.js';
import { HttpProblem, problem } from './problem.js';

export interface ProcessRouteDeps {
  db: Database;
  temporal: Client;
}

/** The new process's id: the idempotency record's id when the route has one. */
export function newProcessId(req: FastifyRequest): string {
  return req.idempotencyRecordId ?? randomUUID();
}

/**
 * A handle to a process of the caller's practice, or 404. The owner comes from Temporal's `describe` the first
 * time an id is asked for, then from the short-lived table of owners (process-owners.ts explains why a
 * workflow id's practice cannot change), so most requests skip that round trip.
 *
 * A claim is also found by its visit id: claims are named by a hash of practice and visit id
 * (activities/shared/derived-ids.ts `claimIdFor`), and the ones started before that were named by the visit id itself,
 * so `id` is tried as the claim id first and then as this practice's visit id. Another practice's process with
 * the id is passed over exactly like an unknown one: the same lookups, the same 404.
 */
export async function ownedProcess(
  deps: ProcessRouteDeps,
  req: FastifyRequest,
  kind: ProcessKindPrefix,
  id: string,
): Promise<WorkflowHandle> {
  const principal = principalOf(req);
  const candidates = kind === 'claim' ? [id, claimIdFor(principal.practiceId, id)] : [id];
  for (const candidate of candidates) {
    const wfId = workflowId(kind, candidate);
    if ((await ownerOf(deps, wfId)) === principal.practiceId) return deps.temporal.workflow.getHandle(wfId);
  }
  throw notFound();
}

async function ownerOf(deps: ProcessRouteDeps, wfId: string): Promise<string | undefined> {
  const owners = processOwnersOf(deps.temporal);
  const known = owners.get(wfId);
  if (known !== undefined) return known;
  const owner = await workflowOwner(deps.temporal, wfId);
  if (owner !== undefined) owners.remember(wfId, owner);
  return owner;
}

function notFound() {
  return new HttpProblem(problem(404, 'No such process.'));
}

/**
 * Runs a message (signal, update) on an owned process. A process that has already finished answers 409:
 * Temporal reports it as "not found", but the caller owns it, so 404 (or a 500) would be wrong.
 */
async function whileRunning<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new HttpProblem(problem(409, 'The process has already finished.', { reason: 'ProcessClosed' }));
    }
    throw err;
  }
}

interface AuditEntry {
  action: 'C' | 'R' | 'U';
  resourceType: string;
  resourceId: string;
  workflowId: string;
  patientRef?: string;
}

function auditRow(req: FastifyRequest, entry: AuditEntry, outcome: 'success' | 'error') {
  const principal = principalOf(req);
  return {
    actorId: principal.id,
    actorType: principal.type,
    actorRole: principal.role,
    sourceIp: req.ip,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    workflowId: entry.workflowId,
    outcome,
    requestId: req.id,
    ...(entry.patientRef ? { patientRef: entry.patientRef } : {}),
  };
}

/** Records a PHI read or write before the answer goes out; if the audit log cannot be written, nothing is sent. */
export async function audited(deps: ProcessRouteDeps, req: FastifyRequest, entry: AuditEntry): Promise<void> {
  const row = auditRow(req, entry, 'success');
  try {
    await appendAuditGrouped(deps.db, row);
    // A committed write: a disk that was full has room again (/readyz).
    req.server.databaseOutages.writeSucceeded();
  } catch (err) {
    // The database down or full: the central handler's 503 with Retry-After.
    if (isDatabaseUnavailable(err)) throw err;
    throw new HttpProblem(problem(503, 'The audit log is unavailable; try again.'));
  }
}

/**
 * Runs `work` and its audit entry side by side: one round trip where there were two. The answer is returned
 * only when both succeeded (an audit failure is a 503 even if the work succeeded — the audit fails closed). If
 * the work fails after its success entry was written, a second entry with outcome `error` and the same request
 * id follows (best effort), so the log never shows an access as done without saying it failed.
 */
async function withAudit<T>(
  deps: ProcessRouteDeps,
  req: FastifyRequest,
  entry: AuditEntry,
  work: Promise<T>,
): Promise<T> {
  const [result, audit] = await Promise.allSettled([work, audited(deps, req, entry)]);
  if (result.status === 'rejected') {
    if (audit.status === 'fulfilled') {
      await appendAuditGrouped(deps.db, auditRow(req, entry, 'error')).catch((err: unknown) => {
        req.log.error({ errName: (err as Error).name }, 'audit entry of a failed access not written');
      });
    }
    throw result.reason;
  }
  if (audit.status === 'rejected') throw audit.reason;
  return result.value;
}

/** Runs a workflow update; a rejection by its validator becomes a 409 carrying the workflow's reason. */
export async function updateOr409<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await whileRunning(run);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause as { message?: string; type?: string } | undefined;
      throw new HttpProblem(
        problem(409, cause?.message ?? 'The process refused the change.', {
          ...(cause?.type ? { reason: cause.type } : {}),
        }),
      );
    }
    throw err;
  }
}

/** The common shape of a "tell a process something" route: tenancy, signal, audit, 202. */
export async function signalOwned<Args extends unknown[]>(
  deps: ProcessRouteDeps,
  req: FastifyRequest,
  target: { kind: ProcessKindPrefix; id: string; resourceType: string },
  signal: SignalDefinition<Args>,
  ...args: Args
): Promise<{ id: string; status: 'accepted' }> {
  const handle = await ownedProcess(deps, req, target.kind, target.id);
  await whileRunning(() => handle.signal(signal, ...args));
  await audited(deps, req, {
    action: 'U',
    resourceType: target.resourceType,
    resourceId: target.id,
    workflowId: handle.workflowId,
  });
  return { id: target.id, status: 'accepted' };
}

/**
 * Status query of an owned process, audited as a read. Tenancy is settled first (so only the owner's
 * reads are ever audited as reads); then the query and its audit entry run side by side (withAudit).
 */
export async function queryOwned<Ret>(
  deps: ProcessRouteDeps,
  req: FastifyRequest,
  target: { kind: ProcessKindPrefix; id: string; resourceType: string },
  query: QueryDefinition<Ret>,
): Promise<Ret> {
  const handle = await ownedProcess(deps, req, target.kind, target.id);
  try {
    return await withAudit(
      deps,
      req,
      {
        action: 'R',
        resourceType: target.resourceType,
        resourceId: target.id,
        workflowId: handle.workflowId,
      },
      handle.query(query) as Promise<Ret>,
    );
  } catch (err) {
    // Gone since its owner was remembered (e.g. past retention): the same 404 as an unknown id.
    if (err instanceof WorkflowNotFoundError) throw notFound();
    throw err;
  }
}

/** A validated update on an owned process (409 with the reason when refused), audited as a write. */
export async function updateOwned<Ret, Args extends [unknown, ...unknown[]]>(
  deps: ProcessRouteDeps,
  req: FastifyRequest,
  target: { kind: ProcessKindPrefix; id: string; resourceType: string },
  update: UpdateDefinition<Ret, Args>,
  ...args: Args
): Promise<Ret> {
  const handle = await ownedProcess(deps, req, target.kind, target.id);
  const result = await updateOr409(() => handle.executeUpdate(update, { args }));
  await audited(deps, req, {
    action: 'U',
    resourceType: target.resourceType,
    resourceId: target.id,
    workflowId: handle.workflowId,
  });
  return result;
}

/**
 * The common shape of a "start a process" route: start idempotently (the id comes from the caller's
 * Idempotency-Key record or the business key), set the allow-listed search attributes, count it, audit it,
 * and answer what a 202 carries.
 */
export async function startProcess<W extends Workflow>(
  deps: ProcessRouteDeps,
  req: FastifyRequest,
  spec: {
    kind: ProcessKindPrefix;
    /** ProcessKind search attribute and metrics label. */
    processKind: string;
    id: string;
    /** The workflow type name (the `…_WORKFLOW_TYPE` of its messages.ts); `W`, its function type, types `args`. */
    workflow: W | string;
    args: Parameters<W>;
    patientId: string;
    searchAttributes?: SearchAttributePair[];
    resourceType: string;
    /** Collection path of the resource, e.g. `/v1/claims`. */
    path: string;
    /** A visit is billed once: claims never reuse a closed id. */
    rejectDuplicate?: boolean;
  },
): Promise<{ id: string; status: 'started'; links: { self: string } }> {
  const principal = principalOf(req);
  const entry: AuditEntry = {
    action: 'C',
    resourceType: spec.resourceType,
    resourceId: spec.id,
    workflowId: workflowId(spec.kind, spec.id),
    patientRef: spec.patientId,
  };
  const starting = startIdempotently(deps.temporal, {
    taskQueue: req.server.taskQueue,
    kind: spec.kind,
    processKind: spec.processKind,
    id: spec.id,
    workflow: spec.workflow,
    args: spec.args,
    practiceId: principal.practiceId,
    patientId: spec.patientId,
    ...(spec.searchAttributes ? { searchAttributes: spec.searchAttributes } : {}),
    ...(spec.rejectDuplicate ? { rejectDuplicate: true } : {}),
  }).then((wfId) => {
    req.server.metrics.processStarts.inc({ kind: spec.processKind });
    return wfId;
  });
  // The start and its audit entry run side by side (withAudit) — except where a refused start is an expected
  // answer (a visit already billed): there the entry follows the start, as a refusal is not a creation. Neither
  // order weakens idempotency: the workflow id comes from the Idempotency-Key record (or the business key) and
  // the start reuses a running process with that id, so a crash anywhere between the steps and a retry cannot
  // start a second process; whatever is answered is stored with the record before the client sees it (onSend).
  if (spec.rejectDuplicate) {
    await starting.catch((err: unknown) => {
      // The id's process has closed and may not run again (a billed visit): the caller's answer, not a fault.
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        throw new HttpProblem(
          problem(409, 'This was already processed and cannot be started again; correct the existing one.', {
            reason: 'AlreadyProcessed',
          }),
        );
      throw err;
    });
    await audited(deps, req, entry);
  } else {
    await withAudit(deps, req, entry, starting);
  }
  return { id: spec.id, status: 'started', links: { self: `${spec.path}/${spec.id}` } };
}

// The app database taken away under a chaos run (database.chaos.test.ts): how big each profile's run is, and
// the probe that watches the API while the database is gone or full (each answer's status, Retry-After and
// problem reason) and what the worker's activities were retrying meanwhile.
import type { ChaosHarness } from './harness.js';

export interface DatabaseFaultProfile {
  onboardings: { commercial: number; withAuthorization: number };
  claims: { paid: number; replaced: number };
  /** The PostgreSQL outage: the issue's 60 s in both profiles. */
  outageMs: number;
  /** How long the app tables' disk stays full. */
  diskFullMs: number;
}

export const DATABASE_FAULT_PROFILES: Record<'reduced' | 'full', DatabaseFaultProfile> = {
  reduced: {
    onboardings: { commercial: 1, withAuthorization: 1 },
    claims: { paid: 1, replaced: 1 },
    outageMs: 60_000,
    diskFullMs: 20_000,
  },
  full: {
    onboardings: { commercial: 3, withAuthorization: 3 },
    claims: { paid: 4, replaced: 2 },
    outageMs: 60_000,
    diskFullMs: 60_000,
  },
};

export interface ProbeAnswer {
  at: number;
  path: string;
  status: number;
  retryAfter?: string;
  contentType?: string;
  reason?: string;
  /** /readyz's database check. */
  database?: string;
}

/** One GET through the real HTTP port, summarised (no body kept beyond the problem's reason). */
export async function probe(h: ChaosHarness, path: string, key?: string): Promise<ProbeAnswer> {
  const at = Date.now();
  try {
    const res = await fetch(`${h.api.url}${path}`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => undefined)) as
      { reason?: string; checks?: { database?: string } } | undefined;
    return {
      at,
      path,
      status: res.status,
      ...(res.headers.get('retry-after') ? { retryAfter: res.headers.get('retry-after')! } : {}),
      ...(res.headers.get('content-type') ? { contentType: res.headers.get('content-type')! } : {}),
      ...(body?.reason ? { reason: body.reason } : {}),
      ...(body?.checks?.database ? { database: body.checks.database } : {}),
    };
  } catch {
    return { at, path, status: 0 };
  }
}

/**
 * Activities the worker is retrying right now (attempt > 1), by workflow type, activity type and the type of
 * the last failure: the database outage seen from the processes' side.
 */
export async function retryingActivities(h: ChaosHarness): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const wf of h.temporal.client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    const d = await h.temporal.client.workflow.getHandle(wf.workflowId, wf.runId).describe();
    for (const a of d.raw.pendingActivities ?? []) {
      if ((a.attempt ?? 1) <= 1) continue;
      const f = a.lastFailure;
      const failure =
        f?.applicationFailureInfo?.type ??
        (f?.timeoutFailureInfo ? 'timeout' : f ? `other: ${f.message ?? '?'}` : 'no failure yet');
      const retryable = a.lastFailure?.applicationFailureInfo?.nonRetryable ? 'non-retryable' : 'retryable';
      const name = `${wf.type}.${a.activityType?.name ?? '?'} ${failure} (${retryable})`;
      out[name] = (out[name] ?? 0) + 1;
    }
  }
  return out;
}

/** Probes `paths` every `everyMs` for `ms`, sampling the retrying activities every 10 s. */
export async function watch(
  h: ChaosHarness,
  ms: number,
  paths: { path: string; key?: string }[],
  everyMs = 2_000,
): Promise<{ answers: ProbeAnswer[]; retrying: Record<string, number> }> {
  const answers: ProbeAnswer[] = [];
  const retrying: Record<string, number> = {};
  const end = Date.now() + ms;
  let nextSample = Date.now() + 5_000;
  while (Date.now() < end) {
    for (const p of paths) answers.push(await probe(h, p.path, p.key));
    if (Date.now() >= nextSample) {
      nextSample = Date.now() + 10_000;
      for (const [k, n] of Object.entries(await retryingActivities(h).catch(() => ({}))))
        retrying[k] = Math.max(retrying[k] ?? 0, n);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(everyMs, end - Date.now()))));
  }
  return { answers, retrying };
}

/** Polls `path` until it answers 200: the seconds that took, and what it answered meanwhile. */
export async function untilOk(
  h: ChaosHarness,
  path: string,
  key?: string,
  timeoutMs = 120_000,
): Promise<{ seconds: number; before: Record<string, number> }> {
  const t0 = Date.now();
  const before: Record<string, number> = {};
  for (;;) {
    const a = await probe(h, path, key);
    if (a.status === 200) return { seconds: Math.round((Date.now() - t0) / 100) / 10, before };
    const k = `${a.status}${a.reason ? ` ${a.reason}` : ''} after ${Math.round((Date.now() - a.at) / 100) / 10}s`;
    before[k] = (before[k] ?? 0) + 1;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`${path} not back after ${timeoutMs / 1000} s (last ${a.status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

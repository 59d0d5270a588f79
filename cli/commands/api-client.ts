// The HTTP client behind `ptflow onboard|status|tasks|task`: bearer API key, JSON in and out, and every failure
// turned into one typed error with a one-line message and an exit code — a problem+json answer by its status,
// an unreachable API by its cause. Response bodies are never printed raw (they may hold data).
import type { ApiClientConfig } from '../config.js';

/** Exit codes of the API client commands (documented in the README). */
export const EXIT = { failed: 1, input: 2, auth: 3, notFound: 4, unreachable: 5 } as const;

export class ApiCliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** The HTTP status, when the API answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiCliError';
  }
}

interface ProblemLike {
  title?: unknown;
  detail?: unknown;
  reason?: unknown;
  errors?: unknown;
}

function exitCodeFor(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 400 || status === 422) return EXIT.input;
  return EXIT.failed;
}

/** `404 Not Found: No such process.` (plus the reason or field pointers the problem carries). */
function problemLine(status: number, body: ProblemLike | undefined, apiUrl: string): string {
  const title = typeof body?.title === 'string' ? body.title : 'HTTP error';
  const detail = typeof body?.detail === 'string' ? `: ${body.detail}` : '';
  const reason = typeof body?.reason === 'string' ? ` (${body.reason})` : '';
  const pointers = Array.isArray(body?.errors)
    ? (body.errors as { pointer?: unknown }[])
        .map((e) => (typeof e.pointer === 'string' ? e.pointer : undefined))
        .filter(Boolean)
        .slice(0, 5)
    : [];
  const fields = pointers.length ? ` [${pointers.join(', ')}]` : '';
  const hint =
    status === 401
      ? ' — check PTFLOW_API_KEY (ptflow apikey create)'
      : status === 403
        ? ' — the API key’s role may not do this'
        : status === 429
          ? ' — retry later'
          : '';
  return `${status} ${title}${detail}${reason}${fields}${hint} [${apiUrl}]`;
}

function unreachableLine(err: unknown, apiUrl: string): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND'
        ? 'host not found'
        : code === 'UND_ERR_CONNECT_TIMEOUT' || (err as Error).name === 'TimeoutError'
          ? 'timed out'
          : (code ?? 'network error');
  return `cannot reach the ptflow API at ${apiUrl} (${why}) — is it running? (PTFLOW_API_URL)`;
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown, idempotencyKey: string): Promise<T>;
  /** A GET whose answer is not JSON (an export): the body as text and the response headers. */
  getText?(path: string, accept: string): Promise<{ text: string; headers: Headers }>;
  /** PATCH / PUT / DELETE (idempotent by nature: no Idempotency-Key; DELETE sends no body). */
  send?<T>(method: 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

export function createApiClient(config: ApiClientConfig, timeoutMs = 30_000): ApiClient {
  if (!config.apiKey) {
    throw new ApiCliError('PTFLOW_API_KEY is not set (create a key with ptflow apikey create)', EXIT.input);
  }
  const apiKey = config.apiKey;
  const call = async <T>(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    key?: string,
  ): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${config.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          accept: 'application/json, application/problem+json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(key ? { 'idempotency-key': key } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ApiCliError(unreachableLine(err, config.apiUrl), EXIT.unreachable);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      throw new ApiCliError(
        problemLine(res.status, parsed as ProblemLike | undefined, config.apiUrl),
        exitCodeFor(res.status),
        res.status,
      );
    }
    if (parsed === undefined) {
      throw new ApiCliError(`${res.status}: the API answered something that is not JSON`, EXIT.failed);
    }
    return parsed as T;
  };
  const getText = async (path: string, accept: string): Promise<{ text: string; headers: Headers }> => {
    let res: Response;
    try {
      res = await fetch(`${config.apiUrl}${path}`, {
        headers: { authorization: `Bearer ${apiKey}`, accept: `${accept}, application/problem+json` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ApiCliError(unreachableLine(err, config.apiUrl), EXIT.unreachable);
    }
    const text = await res.text();
    if (!res.ok) {
      let problemBody: ProblemLike | undefined;
      try {
        problemBody = JSON.parse(text) as ProblemLike;
      } catch {
        problemBody = undefined;
      }
      throw new ApiCliError(
        problemLine(res.status, problemBody, config.apiUrl),
        exitCodeFor(res.status),
        res.status,
      );
    }
    return { text, headers: res.headers };
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body, key) => call('POST', path, body, key),
    getText,
    send: (method, path, body) => call(method, path, body),
  };
}

// RFC 9457 problem details. Every error the API sends goes through here: a constant title per type, a detail
// that never echoes input values, and `instance` set to the request id so a log line can be found.
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(status: number, detail?: string, extra: Record<string, unknown> = {}): Problem {
  return {
    type: 'about:blank',
    title: titles[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...extra,
  };
}

export class HttpProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'HttpProblem';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation problems: one entry per defect, naming where (`in`: body, query, path, header), which
// field (`pointer`, RFC 6901, "" = the whole body) and what is expected — the type, the allowed values, the
// bounds, the format, or that a key is unknown (`key`). Built from the schema's side of each zod issue only:
// zod's own messages and issue objects can quote the received value, so neither is ever copied.

export type ProblemLocation = 'body' | 'query' | 'path' | 'header';

export interface FieldError {
  in: ProblemLocation;
  /** JSON pointer (RFC 6901) into the body, or `/<name>` of a query, path or header parameter. */
  pointer: string;
  code: string;
  /** What is wrong, in words; never quotes the submitted value. */
  detail: string;
  expected?: string;
  allowed?: (string | number | boolean | null)[];
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: string;
  /** The unknown key, by name (only plain names are repeated; others are described, not quoted). */
  key?: string;
}

/** The subset of a zod issue that describes the schema, not the input. */
export interface IssueLike {
  code?: string;
  path: readonly PropertyKey[];
  message?: string;
  expected?: unknown;
  values?: readonly unknown[];
  keys?: readonly string[];
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  exact?: boolean;
  origin?: string;
  format?: string;
  pattern?: string;
  divisor?: number;
  options?: readonly unknown[];
  discriminator?: string;
  input?: unknown;
}

/**
 * Keys repeated in an answer: identifiers shaped like this API's field names (camelCase or snake_case, at most 64
 * characters). Anything else — punctuation, spaces, unicode, very long — could be data put where a key belongs,
 * so it is described ("an unknown field"), never quoted.
 */
const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

const escapeToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** RFC 6901 pointer of a path; a key that is not a plain name is replaced by `*` (it is caller input). */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path
    .map((p) => {
      if (typeof p === 'number') return `/${p}`;
      const s = String(p);
      return /^\d+$/.test(s) || PLAIN_KEY.test(s) ? `/${escapeToken(s)}` : '/*';
    })
    .join('');
}

const typeNames: Record<string, string> = { int: 'integer', nan: 'number' };
const primitive = (v: unknown): v is string | number | boolean | null =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v);
const list = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

function unit(origin: string | undefined, n: number): string {
  const one = n === 1;
  switch (origin) {
    case 'string':
      return one ? ' character' : ' characters';
    case 'array':
    case 'set':
      return one ? ' item' : ' items';
    default:
      return '';
  }
}

/** One zod issue → field errors (an unknown-keys issue yields one error per key). */
export function fieldErrors(where: ProblemLocation, issue: IssueLike): FieldError[] {
  const at = (path: readonly PropertyKey[]) => jsonPointer(path);
  const code = issue.code ?? 'invalid';
  const name = where === 'body' ? 'field' : where === 'query' ? 'query parameter' : `${where} parameter`;
  switch (code) {
    case 'unrecognized_keys':
      return (issue.keys ?? []).map((key) =>
        PLAIN_KEY.test(key)
          ? {
              in: where,
              pointer: at([...issue.path, key]),
              code,
              key,
              detail: `Unknown ${name} "${key}".`,
            }
          : {
              in: where,
              pointer: at(issue.path),
              code,
              detail: `An unknown ${name} (its name is not a plain key).`,
            },
      );
    case 'invalid_type': {
      const expected = typeNames[String(issue.expected)] ?? String(issue.expected);
      const missing = issue.input === undefined;
      return [
        {
          in: where,
          pointer: at(issue.path),
          code,
          expected,
          detail: missing ? `Required ${name}: expected ${expected}.` : `Expected ${expected}.`,
        },
      ];
    }
    case 'invalid_value': {
      const allowed = (issue.values ?? []).filter(primitive);
      return [
        { in: where, pointer: at(issue.path), code, allowed, detail: `Must be one of ${list(allowed)}.` },
      ];
    }
    case 'invalid_union': {
      if (issue.discriminator !== undefined) {
        const allowed = (issue.options ?? []).filter(primitive);
        return [
          {
            in: where,
            pointer: at(issue.path),
            code: 'invalid_value',
            allowed,
            detail: `Must be one of ${list(allowed)}.`,
          },
        ];
      }
      return [{ in: where, pointer: at(issue.path), code, detail: 'Matches none of the allowed shapes.' }];
    }
    case 'too_small':
    case 'too_big': {
      const bound = Number(code === 'too_small' ? issue.minimum : issue.maximum);
      const word = issue.exact
        ? 'exactly'
        : code === 'too_small'
          ? issue.inclusive === false
            ? 'more than'
            : 'at least'
          : issue.inclusive === false
            ? 'less than'
            : 'at most';
      const subject =
        issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set'
          ? 'Must have'
          : 'Must be';
      return [
        {
          in: where,
          pointer: at(issue.path),
          code,
          ...(code === 'too_small' ? { minimum: bound } : { maximum: bound }),
          detail: `${subject} ${word} ${bound}${unit(issue.origin, bound)}.`,
        },
      ];
    }
    case 'invalid_format': {
      const format = issue.format ?? 'format';
      if (format === 'regex' && issue.pattern) {
        // zod reports the RegExp's toString (`/…/flags`); the JSON Schema `pattern` of the OpenAPI document is the
        // source alone.
        const pattern = /^\/(.*)\/[a-z]*$/s.exec(issue.pattern)?.[1] ?? issue.pattern;
        return [
          {
            in: where,
            pointer: at(issue.path),
            code,
            pattern,
            detail: `Must match the pattern ${pattern}.`,
          },
        ];
      }
      return [{ in: where, pointer: at(issue.path), code, format, detail: `Must be a valid ${format}.` }];
    }
    case 'not_multiple_of':
      return [
        { in: where, pointer: at(issue.path), code, detail: `Must be a multiple of ${issue.divisor}.` },
      ];
    case 'custom':
      // Refinement messages are written in this code base ("expected an ICD-10-CM code"), never from input.
      return [
        {
          in: where,
          pointer: at(issue.path),
          code,
          detail: `${issue.message ?? 'Invalid'}.`.replace(/\.\.$/, '.'),
        },
      ];
    default:
      return [{ in: where, pointer: at(issue.path), code, detail: 'Invalid value.' }];
  }
}

const whereWords: Record<ProblemLocation, string> = {
  body: 'body',
  query: 'query',
  path: 'path',
  header: 'header',
};

/** The 400 for a request that does not validate: a summary naming the first fields, and every error. */
export function validationProblem(errors: FieldError[], extra: Record<string, unknown> = {}): Problem {
  const shown = errors
    .slice(0, 3)
    .map((e) => `${whereWords[e.in]} ${e.pointer || '(whole body)'}: ${e.detail}`)
    .join(' ');
  const more = errors.length > 3 ? ` (+${errors.length - 3} more)` : '';
  return problem(400, `The request is not valid. ${shown}${more}`, { ...extra, errors });
}

/** Thrown by the route validator with the zod issues kept intact (paths unflattened). */
export class RequestValidationError extends Error {
  validationContext?: string;
  constructor(readonly issues: readonly IssueLike[]) {
    super('request validation failed');
    this.name = 'RequestValidationError';
  }
}

/** Fastify's name of the request part → the problem's `in`. */
export function locationOf(context: string | undefined): ProblemLocation {
  switch (context) {
    case 'querystring':
      return 'query';
    case 'params':
      return 'path';
    case 'headers':
      return 'header';
    default:
      return 'body';
  }
}

/** A 400 about one named field that the schema alone cannot judge (a tampered cursor, a header's syntax). */
export function fieldProblem(detail: string, error: FieldError): Problem {
  return problem(400, detail, { errors: [error] });
}

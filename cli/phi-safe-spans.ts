// The PHI filter every span passes before it leaves the process (security.md: no PHI in spans). Spans are
// rebuilt from an allow-list, never scrubbed by a deny-list: an attribute, event field or name that is not
// known to be free of patient data does not reach the exporter. What is dropped, and why:
//   - URLs, paths, query strings, headers, user agents and peer addresses (url.*, http.url, http.target, …):
//     a FHIR search or a mistyped route can carry a name or a member id; routes are kept as their template;
//   - exception messages and stack traces, and the span status message: error texts may quote PHI (an EMR
//     that echoes a name); the exception's type stays, as it does in the logs;
//   - free-text Temporal attributes (termination reasons) and the workflow's memo, search attributes and
//     last result that the workflow exporter copies onto its spans;
//   - every attribute of span links and of events other than an exception's type.
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Attributes whose values are codes, identifiers built from opaque UUIDs, or numbers. */
const ALLOWED_ATTRIBUTES = new Set([
  // HTTP, old and stable semantic conventions (method, route template, status, scheme, upstream host).
  'http.method',
  'http.request.method',
  'http.route',
  'http.status_code',
  'http.response.status_code',
  'http.scheme',
  'http.flavor',
  'url.scheme',
  'network.protocol.version',
  'server.address',
  'server.port',
  'net.host.name',
  'net.host.port',
  'error.type',
  // Fastify (hook and plugin names are code).
  'fastify.type',
  'fastify.name',
  'plugin.name',
  'hook.name',
  // Temporal interceptors: workflow ids are built from opaque UUIDs (domain/ids.ts), never from PHI.
  'temporalWorkflowId',
  'run_id',
  'temporalActivityId',
  'temporalUpdateId',
  // WorkflowInfo fields the workflow span exporter copies onto workflow spans (primitives only).
  'workflowId',
  'runId',
  'workflowType',
  'taskQueue',
  'namespace',
  'firstExecutionRunId',
  'continuedFromExecutionRunId',
  'attempt',
  'historyLength',
]);

/** Span names the instrumentations produce: Temporal's `Verb:TypeName`, HTTP methods, fastify hooks. */
const SAFE_NAME = /^[A-Za-z][\w.-]*(:[A-Za-z][\w.-]*)?$|^[A-Za-z][A-Za-z ]{0,30} - [\w.@/ >-]{1,200}$/;
const HTTP_METHOD = /^[A-Z]{3,7}$/;

function safeValue(v: unknown): v is string | number | boolean {
  return typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 256);
}

function allowedAttributes(attributes: ReadableSpan['attributes']): ReadableSpan['attributes'] {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (ALLOWED_ATTRIBUTES.has(k) && safeValue(v)) out[k] = v;
  }
  // A route is a template (/v1/claims/:id), never a raw path.
  const route = out['http.route'];
  if (typeof route === 'string' && !/^[\w/:.*-]*$/.test(route)) delete out['http.route'];
  return out;
}

/** The HTTP method of a span, if it is an HTTP span. */
function methodOf(attributes: ReadableSpan['attributes']): string | undefined {
  const m = attributes['http.request.method'] ?? attributes['http.method'];
  return typeof m === 'string' && HTTP_METHOD.test(m) ? m : undefined;
}

/** The exported name: HTTP spans are `METHOD` or `METHOD /route/:template`; others must look like code. */
export function safeSpanName(span: Pick<ReadableSpan, 'name' | 'attributes'>): string {
  const method = methodOf(span.attributes);
  if (method) {
    const route = allowedAttributes(span.attributes)['http.route'];
    if (typeof route === 'string' && route !== '') return `${method} ${route}`;
    return HTTP_METHOD.test(span.name) || SAFE_NAME.test(span.name) ? span.name : method;
  }
  return SAFE_NAME.test(span.name) && span.name.length <= 240 ? span.name : 'span';
}

function safeEvents(events: ReadableSpan['events']): ReadableSpan['events'] {
  return events.map((e) => {
    if (e.name !== 'exception') return { name: 'event', time: e.time };
    const type = e.attributes?.['exception.type'];
    return {
      name: 'exception',
      time: e.time,
      attributes: typeof type === 'string' && /^[\w.$-]{1,120}$/.test(type) ? { 'exception.type': type } : {},
    };
  });
}

/** A copy of `span` holding only what the allow-lists admit (see the top of this file). */
export function phiSafeSpan(span: ReadableSpan): ReadableSpan {
  const attributes = allowedAttributes(span.attributes);
  const safe: ReadableSpan = {
    name: safeSpanName(span),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanId: span.parentSpanId,
    startTime: span.startTime,
    endTime: span.endTime,
    status: { code: span.status.code },
    attributes,
    links: span.links.map((l) => ({ context: l.context })),
    events: safeEvents(span.events),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationLibrary: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
  return safe;
}

/** Hands `next` the PHI-safe copy of every ended span (workflow spans from the sink included). */
export class PhiSafeSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(phiSafeSpan(span));
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

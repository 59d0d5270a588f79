// OpenTelemetry tracing for the API and the worker (README, "Observability"). One trace follows a request
// from the HTTP server span (Fastify route template) through the Temporal client (workflow start/signal),
// the workflow (spans made in the sandbox, exported through a sink), its activities, the processes they start,
// and the connectors' outbound HTTP (fetch, i.e. undici). Spans leave the process over OTLP/HTTP (JSON) only
// after the PHI filter (phi-safe-spans.ts).
//
// Off unless OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set: then nothing of OpenTelemetry is even loaded, no
// interceptor is installed and no module is patched (the measured cost is in README).
//
// ptflow is ESM, and OpenTelemetry's module patching hooks `require`: the HTTP instrumentation patches Node's
// shared `http` module object when it is next required (done here), so no loader flag is needed. Server spans
// get the route template from api/plugins/trace-route.ts rather than @opentelemetry/instrumentation-fastify,
// whose span per hook and plugin (~10 per request) cost too much (measured: README, "Observability").
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from './config.js';

const require = createRequire(import.meta.url);

/** Which process this is; it names the service when OTEL_SERVICE_NAME does not. */
export type TracingRole = 'api' | 'worker' | 'dev';

export interface Tracing {
  serviceName: string;
  /** For every Temporal client of the process: trace context into workflow start/signal/query headers. */
  clientInterceptors: ClientInterceptors;
  /** For the worker: workflow interceptors (bundled), activity interceptors and the workflow span sink. */
  workerOptions: Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>>;
  /** Export what has ended so far (tests; before a process exits). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP traces URL of the configuration, or undefined when tracing is off. */
export function tracesEndpoint(
  config: Pick<
    Config,
    'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SDK_DISABLED'
  >,
): string | undefined {
  if (config.OTEL_SDK_DISABLED) return undefined;
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT)
    return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

/** `k=v,k2=v2` (values URL-encoded per the OTel spec) as a header object. */
function parseHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',').filter(Boolean)) {
    const i = pair.indexOf('=');
    out[pair.slice(0, i).trim()] = decodeURIComponent(pair.slice(i + 1).trim());
  }
  return out;
}

/**
 * The workflow interceptors bundled when tracing is on (TypeScript in development, JavaScript in the image):
 * ours, not the package's, so span ids never draw on the workflow's random numbers (see that file).
 */
export function workflowInterceptorsPath(): string {
  for (const ext of ['ts', 'js']) {
    const candidate = fileURLToPath(
      new URL(`../workflows/shared/tracing-interceptors.${ext}`, import.meta.url),
    );
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('workflows/shared/tracing-interceptors not found next to cli/');
}

/** Paths scraped or polled by machines: not worth a trace each. */
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

let started: Promise<Tracing | undefined> | undefined;

/**
 * Tracing for this process, set up on the first call (one tracer provider per process: under `ptflow dev` the
 * API and the worker share it, and the first caller's role names the service). Undefined when tracing is off.
 */
export function startTracing(config: Config, role: TracingRole): Promise<Tracing | undefined> {
  started ??= setUp(config, role);
  return started;
}

async function setUp(config: Config, role: TracingRole): Promise<Tracing | undefined> {
  const url = tracesEndpoint(config);
  if (!url) return undefined;
  const [
    { Resource },
    { NodeTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler },
    { OTLPTraceExporter },
    { registerInstrumentations },
    { HttpInstrumentation },
    { UndiciInstrumentation },
    otel,
    { PhiSafeSpanProcessor },
  ] = await Promise.all([
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
    import('@temporalio/interceptors-opentelemetry'),
    import('./phi-safe-spans.js'),
  ]);
  const serviceName =
    config.OTEL_SERVICE_NAME ?? (role === 'dev' ? 'ptflow' : role === 'api' ? 'ptflow-api' : 'ptflow-worker');
  const resource = new Resource({ 'service.name': serviceName, 'service.namespace': 'ptflow' });
  const exporter = new OTLPTraceExporter({
    url,
    headers: parseHeaders(config.OTEL_EXPORTER_OTLP_HEADERS),
  });
  const processor = new PhiSafeSpanProcessor(new BatchSpanProcessor(exporter));
  const ratio = config.OTEL_TRACES_SAMPLER_ARG;
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [processor],
    ...(ratio !== undefined
      ? { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }) }
      : {}),
  });
  // Global: W3C trace context propagation and the AsyncLocalStorage context manager.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Never trace span exports themselves (a collector in this process would feed itself forever).
        ignoreIncomingRequestHook: (req) =>
          UNTRACED_PATHS.test(req.url ?? '') ||
          String(req.headers['user-agent'] ?? '').startsWith('OTel-OTLP-Exporter-'),
        // Only connectors' fetch calls (undici, below) and the API's server side are of interest.
        ignoreOutgoingRequestHook: () => true,
      }),
      new UndiciInstrumentation(),
    ],
  });
  // The instrumentation patches `http` on its next require: make that now, whoever loaded it before.
  require('node:http');
  require('node:https');

  const workflowInterceptors = workflowInterceptorsPath();
  return {
    serviceName,
    clientInterceptors: { workflow: [new otel.OpenTelemetryWorkflowClientInterceptor()] },
    workerOptions: {
      interceptors: {
        // Workflow spans: made in the sandbox, handed out through the `exporter` sink below.
        workflowModules: [workflowInterceptors],
        activity: [
          (ctx) => ({
            inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      // Workflow spans are made inside the sandbox and handed out here, through the same PHI filter.
      sinks: { exporter: otel.makeWorkflowExporter(processor, resource) },
    },
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}

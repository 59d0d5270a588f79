// Tracing configuration (cli/config.ts OTEL_*, cli/tracing.ts) and the PHI filter spans pass before export
// (cli/phi-safe-spans.ts), on spans built the way the instrumentations build them.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  BasicTracerProvider,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { loadConfig, type ConfigError } from '../../cli/config.js';
import { PhiSafeSpanProcessor, safeSpanName } from '../../cli/phi-safe-spans.js';
import { startTracing, tracesEndpoint } from '../../cli/tracing.js';

const PHI = 'ZZCANARY-0BADC0DE';

function recorder() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new PhiSafeSpanProcessor(new SimpleSpanProcessor(exporter))],
  });
  return { tracer: provider.getTracer('test'), exporter };
}

describe('tracing configuration', () => {
  it('is off without an endpoint (nothing set up) and with OTEL_SDK_DISABLED', async () => {
    const config = loadConfig({});
    expect(tracesEndpoint(config)).toBeUndefined();
    expect(await startTracing(config, 'api')).toBeUndefined();
    expect(
      tracesEndpoint(
        loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }),
      ),
    ).toBeUndefined();
  });

  it('derives /v1/traces from the base endpoint; the traces endpoint wins', () => {
    expect(tracesEndpoint(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }))).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracesEndpoint(
        loadConfig({
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp/v1/traces',
        }),
      ),
    ).toBe('https://traces.example/otlp/v1/traces');
  });

  it('names the variable of a bad value, never echoing it', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('accepted');
    };
    const grpc = bad({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(grpc.variable).toBe('OTEL_EXPORTER_OTLP_PROTOCOL');
    expect(grpc.reason).toContain('http/json');
    expect(bad({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).variable).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    );
    expect(bad({ OTEL_TRACES_SAMPLER_ARG: '2' }).variable).toBe('OTEL_TRACES_SAMPLER_ARG');
    const headers = bad({ OTEL_EXPORTER_OTLP_HEADERS: `no pairs ${PHI}` });
    expect(headers.variable).toBe('OTEL_EXPORTER_OTLP_HEADERS');
    expect(headers.message).not.toContain(PHI);
    expect(bad({ PTFLOW_WORKER_METRICS_ADDRESS: '9464' }).variable).toBe('PTFLOW_WORKER_METRICS_ADDRESS');
  });
});

describe('PHI filter on spans', () => {
  it('keeps an HTTP server span as METHOD + route template, without URL, query, headers or peer', () => {
    const { tracer, exporter } = recorder();
    const span = tracer.startSpan('GET', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.method': 'GET',
        'http.url': `http://api.clinic.example/v1/claims/1?name=${PHI}`,
        'http.target': `/v1/claims/1?name=${PHI}`,
        'http.user_agent': PHI,
        'net.peer.ip': '10.0.0.7',
        'http.request.header.x-patient': PHI,
      },
    });
    span.setAttribute('http.route', '/v1/claims/:id');
    span.setAttribute('http.status_code', 200);
    span.end();
    const [out] = exporter.getFinishedSpans();
    expect(out!.name).toBe('GET /v1/claims/:id');
    expect(out!.attributes).toEqual({
      'http.method': 'GET',
      'http.route': '/v1/claims/:id',
      'http.status_code': 200,
    });
  });

  it('names an unmatched request by its method only (the raw path never becomes a name)', () => {
    const { tracer, exporter } = recorder();
    tracer
      .startSpan(`GET /v1/nothing/${PHI}`, {
        attributes: { 'http.request.method': 'GET', 'url.path': `/v1/nothing/${PHI}` },
      })
      .end();
    const [out] = exporter.getFinishedSpans();
    expect(out!.name).toBe('GET');
    expect(JSON.stringify(out!.attributes)).not.toContain(PHI);
  });

  it('keeps a client span to an upstream by host and port only', () => {
    const { tracer, exporter } = recorder();
    tracer
      .startSpan('POST', {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': 'POST',
          'url.full': `https://fhir.example/Patient?family=${PHI}`,
          'url.path': '/Patient',
          'url.query': `?family=${PHI}`,
          'server.address': 'fhir.example',
          'server.port': 443,
          'http.response.status_code': 200,
        },
      })
      .end();
    const [out] = exporter.getFinishedSpans();
    expect(out!.attributes).toEqual({
      'http.request.method': 'POST',
      'server.address': 'fhir.example',
      'server.port': 443,
      'http.response.status_code': 200,
    });
  });

  it('keeps the exception type of an error, never its message, stack or the status message', () => {
    const { tracer, exporter } = recorder();
    const span = tracer.startSpan('RunActivity:registerPatient', {
      attributes: { temporalWorkflowId: 'onboarding:7c1e…', temporalTerminateReason: `asked by ${PHI}` },
    });
    const err = new Error(`EMR answered an unexpected body for ${PHI}`);
    err.name = 'EmrContractViolation';
    span.recordException(err);
    span.addEvent(`note ${PHI}`, { detail: PHI });
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    span.end();
    const [out] = exporter.getFinishedSpans();
    expect(out!.name).toBe('RunActivity:registerPatient');
    expect(out!.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(out!.events.map((e) => [e.name, e.attributes])).toEqual([
      ['exception', { 'exception.type': 'EmrContractViolation' }],
      ['event', undefined],
    ]);
    expect(out!.attributes).toEqual({ temporalWorkflowId: 'onboarding:7c1e…' });
    expect(JSON.stringify(out)).not.toContain(PHI);
  });

  it('drops objects the workflow exporter copies from WorkflowInfo (memo, search attributes)', () => {
    const { tracer, exporter } = recorder();
    const span = tracer.startSpan('RunWorkflow:patientOnboarding');
    // As makeWorkflowExporter does: Object.assign(span.attributes, workflowInfo).
    Object.assign((span as unknown as { attributes: Record<string, unknown> }).attributes, {
      workflowId: 'onboarding:5d7f',
      workflowType: 'patientOnboarding',
      memo: { note: PHI },
      searchAttributes: { PatientId: ['x'] },
      lastResult: PHI,
    });
    span.end();
    const [out] = exporter.getFinishedSpans();
    expect(out!.attributes).toEqual({ workflowId: 'onboarding:5d7f', workflowType: 'patientOnboarding' });
  });

  it('replaces a name that does not look like code', () => {
    expect(safeSpanName({ name: `lookup ${PHI} (Jane Doe)`, attributes: {} })).toBe('span');
    expect(safeSpanName({ name: 'StartWorkflow:claimSubmission', attributes: {} })).toBe(
      'StartWorkflow:claimSubmission',
    );
    expect(safeSpanName({ name: 'request handler - fastify', attributes: {} })).toBe(
      'request handler - fastify',
    );
  });
});

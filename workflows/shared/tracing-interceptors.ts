// Workflow interceptors for tracing (bundled only when tracing is on: cli/tracing.ts). They do what
// @temporalio/interceptors-opentelemetry's workflow interceptors do — a span for the run and each signal it
// handles, and each activity, child workflow, signal and continue-as-new it schedules, with the trace context in the
// command's headers, exported through the worker's sink — with one difference that matters for replay: span
// and trace ids come from a generator of their own, seeded by the run id. The upstream interceptors draw them
// from the workflow's random source (Math.random, the same one uuid4() uses), so turning tracing on or off
// under running workflows changed every id a workflow derives with uuid4() afterwards and failed their replay
// (test/cli/tracing.int.test.ts replays every committed history with these interceptors bundled). No command,
// timer or random number of the workflow is added or consumed here. Updates and queries are not traced: the
// span's promise chain delays an update's completion by a few microtasks, which reorders its completion against
// the workflow's next command (the committed priorAuthorization history then fails to replay).
import '@temporalio/interceptors-opentelemetry/lib/workflow/runtime.js';
import * as otel from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import {
  extractContextFromHeaders,
  headersWithContext,
  instrument,
} from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import { ContextManager } from '@temporalio/interceptors-opentelemetry/lib/workflow/context-manager.js';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter.js';
import {
  ContinueAsNew,
  workflowInfo,
  type ActivityInput,
  type ContinueAsNewInput,
  type DisposeInput,
  type GetLogAttributesInput,
  type LocalActivityInput,
  type Next,
  type SignalInput,
  type SignalWorkflowInput,
  type StartChildWorkflowExecutionInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** Ids from a 32-bit xorshift generator seeded by the run id: deterministic per run, apart from Math.random. */
class RunSeededIds implements IdGenerator {
  private state = 0;

  private next(): number {
    if (this.state === 0) {
      let h = 2166136261;
      for (const ch of workflowInfo().runId) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
      this.state = h >>> 0 || 1;
    }
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0 || 1;
    return this.state;
  }

  private hex(words: number): string {
    let out = '';
    for (let i = 0; i < words; i++) out += this.next().toString(16).padStart(8, '0');
    return out;
  }

  generateTraceId(): string {
    return this.hex(4);
  }

  generateSpanId(): string {
    return this.hex(2);
  }
}

let tracer: otel.Tracer | undefined;
let contextManager: ContextManager | undefined;

function getTracer(): otel.Tracer {
  if (tracer) return tracer;
  contextManager = new ContextManager();
  const provider = new BasicTracerProvider({
    idGenerator: new RunSeededIds(),
    spanProcessors: [new SimpleSpanProcessor(new SpanExporter())],
  });
  provider.register({ contextManager });
  tracer = provider.getTracer('ptflow-workflow');
  return tracer;
}

class TracingInbound implements WorkflowInboundCallsInterceptor {
  private readonly tracer = getTracer();

  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    return instrument({
      tracer: this.tracer,
      spanName: `RunWorkflow:${workflowInfo().workflowType}`,
      fn: () => next(input),
      context: extractContextFromHeaders(input.headers),
      acceptableErrors: (err: unknown) => err instanceof ContinueAsNew,
    });
  }

  async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) {
    return instrument({
      tracer: this.tracer,
      spanName: `HandleSignal:${input.signalName}`,
      fn: () => next(input),
      context: extractContextFromHeaders(input.headers),
    });
  }
}

class TracingOutbound implements WorkflowOutboundCallsInterceptor {
  private readonly tracer = getTracer();

  async scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ) {
    return instrument({
      tracer: this.tracer,
      spanName: `StartActivity:${input.activityType}`,
      fn: () => next({ ...input, headers: headersWithContext(input.headers) }),
    });
  }

  async scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ) {
    return instrument({
      tracer: this.tracer,
      spanName: `StartActivity:${input.activityType}`,
      fn: () => next({ ...input, headers: headersWithContext(input.headers) }),
    });
  }

  async startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ) {
    return instrument({
      tracer: this.tracer,
      spanName: `StartChildWorkflow:${input.workflowType}`,
      fn: () => next({ ...input, headers: headersWithContext(input.headers) }),
    });
  }

  async signalWorkflow(
    input: SignalWorkflowInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>,
  ) {
    return instrument({
      tracer: this.tracer,
      spanName: `SignalWorkflow:${input.signalName}`,
      fn: () => next({ ...input, headers: headersWithContext(input.headers) }),
    });
  }

  async continueAsNew(
    input: ContinueAsNewInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>,
  ) {
    return instrument({
      tracer: this.tracer,
      spanName: `ContinueAsNew:${input.options.workflowType ?? workflowInfo().workflowType}`,
      fn: () => next({ ...input, headers: headersWithContext(input.headers) }),
      acceptableErrors: (err: unknown) => err instanceof ContinueAsNew,
    });
  }

  getLogAttributes(
    input: GetLogAttributesInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>,
  ): Record<string, unknown> {
    const span = otel.trace.getSpan(otel.context.active())?.spanContext();
    if (span && otel.isSpanContextValid(span)) {
      return next({ trace_id: span.traceId, span_id: span.spanId, ...input });
    }
    return next(input);
  }
}

class TracingInternals implements WorkflowInternalsInterceptor {
  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    contextManager?.disable();
    next(input);
  }
}

/** The interceptors the bundler picks up from this module (workflowInterceptorModules). */
export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new TracingInbound()],
  outbound: [new TracingOutbound()],
  internals: [new TracingInternals()],
});

import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry tracing, off by default. `OTEL_EXPORTER_OTLP_ENDPOINT` (the standard setting, e.g.
 * http://collector:4318) turns it on: spans go to `<endpoint>/v1/traces` over OTLP/HTTP, under the service name of
 * the process (`relay`, `worker`; `OTEL_SERVICE_NAME` overrides it). One webhook makes one trace: the relay's
 * receive span, its context kept with the inbox row, the dispatcher's hand-over, then (through Temporal headers,
 * @temporalio/interceptors-opentelemetry) the workflow and each of its activities.
 */

export interface Tracing {
  enabled: boolean;
  serviceName: string;
  /** Where the worker's workflow spans go (they leave the sandbox through a sink). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Sends what is buffered and unregisters the global provider. */
  shutdown(): Promise<void>;
}

export interface TracingSettings {
  serviceName: string;
  /** The OTLP/HTTP endpoint's base URL; none: tracing is off. */
  endpoint?: string;
}

let current: Tracing | undefined;

/** Sets up tracing for this process (once; a second call returns the first setup). */
export function setupTracing(settings: TracingSettings): Tracing {
  if (current) return current;
  const serviceName = process.env.OTEL_SERVICE_NAME?.trim() || settings.serviceName;
  const resource = new Resource({ 'service.name': serviceName });
  if (!settings.endpoint) {
    current = { enabled: false, serviceName, spanProcessor: new NoopSpanProcessor(), resource, shutdown: async () => { current = undefined; } };
    return current;
  }
  const exporter = new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Global tracer provider, W3C trace-context propagator and the async-hooks context manager.
  provider.register();
  const setup: Tracing = {
    enabled: true,
    serviceName,
    spanProcessor,
    resource,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
      if (current === setup) current = undefined;
    },
  };
  current = setup;
  return setup;
}

/** Whether this process traces (cheap: the relay asks at every webhook). */
export const isTracingEnabled = (): boolean => current?.enabled === true;

/** This process's tracing: what setupTracing made, else off. */
export function currentTracing(): Tracing {
  return current ?? {
    enabled: false, serviceName: 'engine', spanProcessor: new NoopSpanProcessor(), resource: new Resource({ 'service.name': 'engine' }), shutdown: async () => undefined,
  };
}

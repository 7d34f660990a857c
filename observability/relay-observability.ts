import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Connection } from '../connections/connection';
import { relayMetrics, type WebhookOutcome } from './metrics';
import { storedDeliveryOutcomes } from './webhook-outcomes';

/**
 * What the relay counts and traces. Each webhook delivery runs in a `webhook <connection>` span; its trace context
 * is kept with the stored events (an extra kept header, `engine-traceparent`), so the dispatcher can continue the
 * same trace whenever, and in whichever relay process, it hands the events over.
 */

export const TRACE_HEADER = 'engine-traceparent';

const tracer = trace.getTracer('integration-engine/relay');

export function countWebhooks(connection: Connection, outcome: WebhookOutcome, n = 1): void {
  if (n > 0) relayMetrics().webhooks.inc({ connection: connection.id, vendor: connection.vendor, outcome }, n);
}

/** Counts a delivery whose events went to the inbox: accepted, ignored and duplicate events. */
export function countStoredDelivery(connection: Connection, delivery: { events: number; ignored: number; stored: number }): void {
  for (const [outcome, n] of Object.entries(storedDeliveryOutcomes(delivery))) countWebhooks(connection, outcome as WebhookOutcome, n);
}

/** Runs the handling of one delivery in its span; an answer of 5xx (`reply.statusCode`) marks the span as failed. */
export function inWebhookSpan<T>(connection: Connection, reply: { statusCode: number }, handle: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`webhook ${connection.id}`, { kind: SpanKind.SERVER, attributes: { 'engine.connection': connection.id, 'engine.vendor': connection.vendor } }, async (span: Span) => {
    return spanBody(span, async () => {
      const answer = await handle();
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return answer;
    });
  });
}

/** Runs `work` as the body of an open span: a throw is recorded and marks the span failed; the span always ends. */
export async function spanBody<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    span.end();
  }
}

/** The current trace context as a header to keep with the events; nothing while tracing is off. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? { [TRACE_HEADER]: carrier.traceparent } : {};
}

/** The context a stored `engine-traceparent` names (the root context when there is none). */
export function storedTraceContext(traceparent: string | null | undefined) {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

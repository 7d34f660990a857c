import { SpanKind, trace } from '@opentelemetry/api';
import type { ClaimedRow } from '../engine/inbox';
import { relayMetrics } from './metrics';
import { spanBody, storedTraceContext } from './relay-observability';

/**
 * The dispatcher's metrics and spans: how long each event waited in the inbox before Temporal had it
 * (`engine_dispatch_lag_seconds`, measured on the database's clock, which stamped its arrival), and a `dispatch`
 * span per hand-over that continues the trace of the webhook that brought the event.
 */

interface Arrival { ageSeconds: number; seenAtMs: number; traceparent: string | null }

const tracer = trace.getTracer('integration-engine/dispatcher');

export class DispatchObserver {
  private readonly arrivals = new Map<number, Arrival>();

  /** Notes when each claimed row arrived and the trace it belongs to (the claim returned both: claimDue). */
  claimed(rows: ReadonlyArray<Pick<ClaimedRow, 'id' | 'ageSeconds' | 'arrivalHeader'>>): void {
    const seenAtMs = Date.now();
    for (const r of rows) this.arrivals.set(r.id, { ageSeconds: r.ageSeconds, seenAtMs, traceparent: r.arrivalHeader });
  }

  /** Runs one hand-over in a span that continues the first row's webhook trace. */
  handingOver<T>(workflowId: string, rowIds: number[], handOver: () => Promise<T>): Promise<T> {
    const parent = storedTraceContext(this.arrivals.get(rowIds[0]!)?.traceparent);
    return tracer.startActiveSpan('dispatch', { kind: SpanKind.PRODUCER, attributes: { 'temporal.workflow_id': workflowId, 'engine.inbox_rows': rowIds.length } }, parent, (span) => spanBody(span, handOver));
  }

  /** The rows left the dispatcher's hands (handed over, deferred, failed or given back): nothing more to observe. */
  forget(rowIds: number[]): void {
    for (const id of rowIds) this.arrivals.delete(id);
  }

  /** The row is with Temporal now: observe how long it waited. */
  dispatched(rowId: number, connection: string): void {
    const arrival = this.arrivals.get(rowId);
    if (!arrival) return;
    this.arrivals.delete(rowId);
    relayMetrics().dispatchLag.observe({ connection }, Math.max(0, arrival.ageSeconds + (Date.now() - arrival.seenAtMs) / 1000));
  }
}


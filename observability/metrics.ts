import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Every Prometheus metric the engine exposes, defined in one place. A process has at most two registries: the
 * relay's (webhook intake, dispatch, and the gauges read from the database at scrape time) and the worker's (flow
 * outcomes, step failures, vendor calls). Each is created on first use and lives as long as the process, so
 * counters only ever grow, as Prometheus expects. The Temporal SDK's own runtime metrics (`temporal_*`) are served
 * by the SDK on a port of their own (observability/runtime.ts).
 */

export type WebhookOutcome = 'accepted' | 'duplicate' | 'rejected' | 'quarantined' | 'ignored';
export type VendorCallOutcome = 'ok' | 'error' | 'rate_limited';
/** How a flow's run ended: `compensated` is a run that undid its work and returned (operator, shop, abort). */
export type FlowStatus = 'completed' | 'compensated' | 'failed' | 'cancelled' | 'continued';

/** Seconds from a webhook's arrival to its hand-over to Temporal: sub-second normally, minutes in an outage. */
export const DISPATCH_LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export interface RelayMetrics {
  registry: Registry;
  webhooks: Counter<'connection' | 'vendor' | 'outcome'>;
  dispatchLag: Histogram<'connection'>;
}

export interface WorkerMetrics {
  registry: Registry;
  flowOutcomes: Counter<'flow' | 'status'>;
  stepFailures: Counter<'flow' | 'step'>;
  vendorCalls: Counter<'vendor' | 'outcome'>;
}

export function createRelayMetrics(): RelayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    webhooks: new Counter({
      name: 'engine_webhooks_total',
      help: 'Webhook events received, by connection, vendor and outcome (accepted, duplicate, ignored; rejected and quarantined deliveries)',
      labelNames: ['connection', 'vendor', 'outcome'],
      registers: [registry],
    }),
    dispatchLag: new Histogram({
      name: 'engine_dispatch_lag_seconds',
      help: 'Time from a webhook event stored in the inbox to its hand-over to Temporal',
      labelNames: ['connection'],
      buckets: DISPATCH_LAG_BUCKETS,
      registers: [registry],
    }),
  };
}

export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    flowOutcomes: new Counter({
      name: 'engine_flow_outcomes_total',
      help: 'Flow runs ended, by flow and how they ended (completed, compensated, failed, cancelled, continued)',
      labelNames: ['flow', 'status'],
      registers: [registry],
    }),
    stepFailures: new Counter({
      name: 'engine_step_failures_total',
      help: 'Failed step attempts (activity executions), by flow and step; rate limits are counted as vendor calls instead',
      labelNames: ['flow', 'step'],
      registers: [registry],
    }),
    vendorCalls: new Counter({
      name: 'engine_vendor_calls_total',
      help: 'Calls to vendors made by activities, by vendor and outcome (ok, error, rate_limited)',
      labelNames: ['vendor', 'outcome'],
      registers: [registry],
    }),
  };
}

let relay: RelayMetrics | undefined;
let worker: WorkerMetrics | undefined;

/** The process's relay metrics. */
export function relayMetrics(): RelayMetrics {
  relay ??= createRelayMetrics();
  return relay;
}

/** The process's worker metrics. */
export function workerMetrics(): WorkerMetrics {
  worker ??= createWorkerMetrics();
  return worker;
}

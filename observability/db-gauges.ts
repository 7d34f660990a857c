import type { Pool } from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Queryable } from '../db/transaction';

/**
 * Gauges read from the database when Prometheus scrapes: open issues and the three KPIs (sync accuracy, order
 * processing time, payment reconciliation time). They describe the whole engine, not one process, so only the
 * relay serves them. A query that fails leaves its gauge empty for that scrape and counts the failure; the scrape
 * itself still answers.
 */

export const ORDER_PROCESSING_QUANTILES = [0.5, 0.95] as const;
/** The window the order processing quantiles are taken over. */
export const ORDER_PROCESSING_WINDOW = '1 hour';

export interface IssueCount { kind: string; flow: string; open: number }
export interface SyncAccuracy { entity: string; accuracy: number }
export interface ProcessingQuantile { quantile: number; seconds: number }
export interface ReconciliationTime { provider: string; seconds: number }

export async function openIssueCounts(db: Queryable): Promise<IssueCount[]> {
  const { rows } = await db.query(`SELECT kind, flow, count(*)::int AS open FROM integration.issue WHERE status = 'open' GROUP BY kind, flow`);
  return rows.map((r: { kind: string; flow: string; open: number }) => ({ kind: r.kind, flow: r.flow, open: r.open }));
}

/** Each entity's accuracy in its latest audit run; none while the audit's table does not exist yet. */
export async function latestSyncAccuracy(db: Queryable): Promise<SyncAccuracy[]> {
  const { rows: [exists] } = await db.query(`SELECT to_regclass('integration.audit_accuracy') IS NOT NULL AS present`);
  if (!exists?.present) return [];
  const { rows } = await db.query(
    `SELECT DISTINCT ON (entity) entity, accuracy::float8 AS accuracy FROM integration.audit_accuracy ORDER BY entity, measured_at DESC, run_id DESC`,
  );
  return rows.map((r: { entity: string; accuracy: number }) => ({ entity: r.entity, accuracy: r.accuracy }));
}

/** Quantiles of the order processing time of orders that completed within the window; none when there were none. */
export async function orderProcessingQuantiles(db: Queryable): Promise<ProcessingQuantile[]> {
  const { rows: [row] } = await db.query(
    `SELECT percentile_cont($1::float8[]) WITHIN GROUP (ORDER BY value_ms) AS ms FROM integration.flow_metric
      WHERE metric = 'order_processing_ms' AND recorded_at > now() - $2::interval`,
    [ORDER_PROCESSING_QUANTILES, ORDER_PROCESSING_WINDOW],
  );
  const ms = (row?.ms ?? null) as number[] | null;
  if (!ms) return [];
  return ORDER_PROCESSING_QUANTILES.map((quantile, i) => ({ quantile, seconds: Number(ms[i]) / 1000 }));
}

/** How long each provider's latest completed reconciliation run took. */
export async function latestReconciliationTimes(db: Queryable): Promise<ReconciliationTime[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT ON (provider) provider, duration_ms::float8 AS ms FROM integration.reconciliation_run
      WHERE status = 'completed' AND duration_ms IS NOT NULL ORDER BY provider, finished_at DESC NULLS LAST, id DESC`,
  );
  return rows.map((r: { provider: string; ms: number }) => ({ provider: r.provider, seconds: r.ms / 1000 }));
}

/** A registry of the database gauges, read through `pool` at each scrape. */
export function createDatabaseGauges(pool: Pool): Registry {
  const registry = new Registry();
  const failures = new Counter({
    name: 'engine_metrics_query_failures_total',
    help: 'Scrape-time database queries that failed (their gauge is left empty for that scrape)',
    labelNames: ['gauge'],
    registers: [registry],
  });
  /** Reads `load` into the gauge; a failure is counted, not thrown. */
  const refresh = async <T>(name: string, gauge: Gauge<string>, load: (db: Queryable) => Promise<T[]>, set: (row: T) => void) => {
    try {
      const rows = await load(pool);
      gauge.reset();
      rows.forEach(set);
    } catch {
      gauge.reset();
      failures.inc({ gauge: name });
    }
  };
  new Gauge({
    name: 'engine_issues_open',
    help: 'Issues waiting for a person, by kind and flow',
    labelNames: ['kind', 'flow'],
    registers: [registry],
    async collect() {
      await refresh('engine_issues_open', this, openIssueCounts, (r) => this.set({ kind: r.kind, flow: r.flow }, r.open));
    },
  });
  new Gauge({
    name: 'engine_kpi_sync_accuracy',
    help: 'Share of records that agree between the ERP and the vendors in the latest sync audit, by entity (0..1)',
    labelNames: ['entity'],
    registers: [registry],
    async collect() {
      await refresh('engine_kpi_sync_accuracy', this, latestSyncAccuracy, (r) => this.set({ entity: r.entity }, r.accuracy));
    },
  });
  new Gauge({
    name: 'engine_kpi_order_processing_seconds',
    help: `Order processing time (shop order to ERP order confirmed), quantiles over the last ${ORDER_PROCESSING_WINDOW}`,
    labelNames: ['quantile'],
    registers: [registry],
    async collect() {
      await refresh('engine_kpi_order_processing_seconds', this, orderProcessingQuantiles, (r) => this.set({ quantile: String(r.quantile) }, r.seconds));
    },
  });
  new Gauge({
    name: 'engine_kpi_payment_reconciliation_seconds',
    help: 'Duration of the latest completed payment reconciliation run, by provider connection',
    labelNames: ['provider'],
    registers: [registry],
    async collect() {
      await refresh('engine_kpi_payment_reconciliation_seconds', this, latestReconciliationTimes, (r) => this.set({ provider: r.provider }, r.seconds));
    },
  });
  return registry;
}

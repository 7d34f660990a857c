import type { Queryable } from '../db/transaction';

/** Flow timings for the KPIs (order processing time, payment reconciliation time): the first value of a key counts. */
export async function recordFlowMetric(db: Queryable, flow: string, businessKey: string, metric: string, valueMs: number): Promise<void> {
  await db.query(
    `INSERT INTO integration.flow_metric (flow, business_key, metric, value_ms) VALUES ($1, $2, $3, $4)
     ON CONFLICT (flow, business_key, metric) DO NOTHING`,
    [flow, businessKey, metric, Math.max(0, Math.round(valueMs))],
  );
}

import type { Queryable } from '../db/transaction';

/** What a completed reconciliation run leaves for the engine to heal, and what it healed (beside erp/reconciliation/). */

/** The provider sources (charges) of payments the run found missing in the ERP. */
export async function paymentsMissingInErp(db: Queryable, runId: number): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT provider_source_id FROM integration.reconciliation_exception
      WHERE run_id = $1 AND class = 'missing_in_erp' AND subject = 'payment' AND provider_source_id IS NOT NULL`,
    [runId],
  );
  return rows.map((r) => String(r.provider_source_id));
}

/** Adds how many exceptions the engine healed (flows started) to the run's counts. */
export async function recordHealed(db: Queryable, runId: number, healed: number): Promise<void> {
  await db.query(`UPDATE integration.reconciliation_run SET counts = COALESCE(counts, '{}'::jsonb) || jsonb_build_object('healed', $2::int) WHERE id = $1`, [runId, healed]);
}

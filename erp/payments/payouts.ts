import type { Queryable } from '../../db/transaction';
import type { Payout } from '../../ports/payments';

/**
 * Payouts as the provider reports them (payout.paid, payout.failed, or a reconciliation run). Keyed by the
 * provider's payout id; a failed or cancelled payout stays so, whatever arrives later. Its lines are written by
 * the reconciliation, which proves they add up to it.
 */

const STATUS: Record<Payout['status'], string> = { pending: 'pending', 'in-transit': 'in_transit', paid: 'paid', failed: 'failed', cancelled: 'cancelled' };

export async function recordPayout(db: Queryable, provider: string, p: Payout): Promise<number> {
  const { rows } = await db.query(
    `INSERT INTO erp.payout (provider, provider_payout_id, currency, amount_minor, status, arrival_date, provider_created_at, failure_code)
     VALUES ($1, $2, $3, $4, $5, ($6::timestamptz AT TIME ZONE 'UTC')::date, $7, $8)
     ON CONFLICT (provider, provider_payout_id) DO UPDATE SET
       status = CASE WHEN erp.payout.status IN ('failed', 'cancelled') THEN erp.payout.status ELSE EXCLUDED.status END,
       failure_code = COALESCE(EXCLUDED.failure_code, erp.payout.failure_code),
       arrival_date = EXCLUDED.arrival_date, provider_created_at = EXCLUDED.provider_created_at
     RETURNING id`,
    [provider, p.id, p.currency, p.amountMinor, STATUS[p.status], p.arrivalAt, p.createdAt, p.failureCode ?? null],
  );
  return Number(rows[0].id);
}

/** Whether a reconciliation run has proved the payout against its lines. */
export async function isPayoutReconciled(db: Queryable, payoutId: number): Promise<boolean> {
  const { rows } = await db.query('SELECT reconciled_at IS NOT NULL AS reconciled FROM erp.payout WHERE id = $1', [payoutId]);
  return rows[0]?.reconciled === true;
}

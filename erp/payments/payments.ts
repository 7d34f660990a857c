import type { Queryable } from '../../db/transaction';

/**
 * A captured payment's settlement as the provider booked it: charge, balance transaction, fee and net. Keyed by
 * the provider's payment id, so every retry lands once; an order flow's booking (erp/billing.ts) is completed, not
 * replaced: its amount and currency stay as the ERP booked them, so a provider that disagrees shows in reconciliation.
 */
export interface PaymentSettlement {
  provider: string;
  providerPaymentId: string;
  chargeId: string;
  balanceTransactionId: string;
  /** What was captured (gross), the provider's fee, in the currency's minor units. */
  amountMinor: number;
  feeMinor: number;
  currency: string;
  /** The provider's capture time (UTC): where the reconciliation-time KPI starts. */
  capturedAt: string;
}

export async function recordPaymentSettlement(db: Queryable, s: PaymentSettlement): Promise<number> {
  const { rows } = await db.query(
    `INSERT INTO erp.payment (provider, provider_payment_id, status, currency, amount_minor, fee_minor, net_minor,
                              provider_charge_id, provider_balance_txn_id, provider_captured_at, captured_at)
     VALUES ($1, $2, 'captured', $3, $4, $5, $4::bigint - $5::bigint, $6, $7, $8, $8)
     ON CONFLICT (provider, provider_payment_id) DO UPDATE SET
       fee_minor = EXCLUDED.fee_minor, net_minor = erp.payment.amount_minor - EXCLUDED.fee_minor,
       provider_charge_id = EXCLUDED.provider_charge_id, provider_balance_txn_id = EXCLUDED.provider_balance_txn_id,
       provider_captured_at = EXCLUDED.provider_captured_at, captured_at = COALESCE(erp.payment.captured_at, EXCLUDED.captured_at),
       -- Captured wins over an authorisation and over a failure the ERP saw of an earlier attempt.
       status = CASE WHEN erp.payment.status IN ('authorized', 'failed') THEN 'captured' ELSE erp.payment.status END
     RETURNING id`,
    [s.provider, s.providerPaymentId, s.currency, s.amountMinor, s.feeMinor, s.chargeId, s.balanceTransactionId, s.capturedAt],
  );
  return Number(rows[0].id);
}

/** A payment the provider refused for good (payment_intent.payment_failed) or that was abandoned (canceled). */
export async function recordPaymentOutcome(
  db: Queryable, p: { provider: string; providerPaymentId: string; status: 'failed' | 'cancelled'; amountMinor: number; currency: string },
): Promise<number> {
  const { rows } = await db.query(
    `INSERT INTO erp.payment (provider, provider_payment_id, status, currency, amount_minor)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (provider, provider_payment_id) DO UPDATE SET status = EXCLUDED.status
       WHERE erp.payment.status IN ('authorized', 'failed', 'cancelled')
     RETURNING id`,
    [p.provider, p.providerPaymentId, p.status, p.currency, p.amountMinor],
  );
  if (rows[0]) return Number(rows[0].id);
  // Already captured or refunded: a late failure event about an earlier attempt changes nothing.
  const found = await db.query('SELECT id FROM erp.payment WHERE provider = $1 AND provider_payment_id = $2', [p.provider, p.providerPaymentId]);
  return Number(found.rows[0].id);
}

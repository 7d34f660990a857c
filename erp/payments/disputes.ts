import type { Queryable } from '../../db/transaction';
import { CurrencyMismatchError, UnknownPaymentError } from './errors';

/**
 * Disputes (chargebacks) of booked payments. Every dispute event carries the whole dispute, so one upsert serves
 * them all, in any order: a dispute only ever moves from open to won or lost, never back, so a late "created"
 * after "closed" changes nothing.
 */

export interface DisputeRecord {
  provider: string;
  providerDisputeId: string;
  providerPaymentId: string;
  amountMinor: number;
  /** The provider's dispute fee, withdrawn with the amount. */
  feeMinor: number;
  currency: string;
  status: 'open' | 'won' | 'lost';
  reason?: string | null;
  openedAt: string;
  closedAt?: string | null;
}

export async function recordDispute(db: Queryable, d: DisputeRecord): Promise<number> {
  const payment = (await db.query('SELECT id, currency FROM erp.payment WHERE provider = $1 AND provider_payment_id = $2', [d.provider, d.providerPaymentId])).rows[0];
  if (!payment) throw new UnknownPaymentError(d.provider, d.providerPaymentId);
  if (payment.currency !== d.currency) throw new CurrencyMismatchError(d.providerDisputeId, d.currency, payment.currency);
  const closedAt = d.status === 'open' ? null : (d.closedAt ?? new Date().toISOString());
  const { rows } = await db.query(
    `INSERT INTO erp.dispute (provider, provider_dispute_id, payment_id, currency, amount_minor, fee_minor, status, reason, opened_at, closed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (provider, provider_dispute_id) DO UPDATE SET
       status = CASE WHEN erp.dispute.status = 'open' THEN EXCLUDED.status ELSE erp.dispute.status END,
       closed_at = CASE WHEN erp.dispute.status = 'open' THEN EXCLUDED.closed_at ELSE erp.dispute.closed_at END,
       fee_minor = EXCLUDED.fee_minor, reason = COALESCE(EXCLUDED.reason, erp.dispute.reason)
     RETURNING id`,
    [d.provider, d.providerDisputeId, payment.id, d.currency, d.amountMinor, d.feeMinor, d.status, d.reason ?? null, d.openedAt, closedAt],
  );
  return Number(rows[0].id);
}

import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../../db/transaction';
import { CurrencyMismatchError, RefundExceedsPaymentError, UnknownPaymentError } from './errors';

/**
 * Refunds against the payment they return money from, with a credit note on that payment's invoice. One
 * transaction holds the payment row, so concurrent refunds of one payment are checked one after the other: several
 * partial refunds add up exactly, and one that would take more than remains is refused whole.
 */

export type RefundState = 'pending' | 'succeeded' | 'failed' | 'cancelled';

export interface RefundRecord {
  provider: string;
  providerRefundId: string;
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  status: RefundState;
  reason?: string | null;
  /** 'engine' when our idempotency key is in its metadata, else 'external' (dashboard, other tools). */
  origin: 'engine' | 'external';
  balanceTransactionId?: string | null;
  refundedAt: string;
}

export interface BookedRefund {
  refundId: number;
  creditNoteId: number | null;
  /** What may still be refunded of the payment after this refund. */
  remainingMinor: number;
}

/** Pending and succeeded refunds hold money; failed and cancelled ones gave it back. */
const HOLDS_MONEY: readonly RefundState[] = ['pending', 'succeeded'];

export async function recordRefund(pool: Pool, r: RefundRecord): Promise<BookedRefund> {
  return inTransaction(pool, async (tx) => {
    const payment = (await tx.query(
      'SELECT id, amount_minor, currency, invoice_id FROM erp.payment WHERE provider = $1 AND provider_payment_id = $2 FOR UPDATE',
      [r.provider, r.providerPaymentId],
    )).rows[0];
    if (!payment) throw new UnknownPaymentError(r.provider, r.providerPaymentId);
    if (payment.currency !== r.currency) throw new CurrencyMismatchError(r.providerRefundId, r.currency, payment.currency);
    const others = Number((await tx.query(
      `SELECT COALESCE(sum(amount_minor), 0) AS held FROM erp.refund
        WHERE payment_id = $1 AND status = ANY($2) AND provider_refund_id <> $3`,
      [payment.id, HOLDS_MONEY, r.providerRefundId],
    )).rows[0].held);
    const available = Number(payment.amount_minor) - others;
    const holds = HOLDS_MONEY.includes(r.status);
    if (holds && r.amountMinor > available) throw new RefundExceedsPaymentError(r.providerRefundId, r.amountMinor, available, r.currency);

    const refundId = await upsertRefund(tx, Number(payment.id), r);
    const creditNoteId = payment.invoice_id == null ? null : await creditInvoice(tx, Number(payment.invoice_id), refundId, holds);
    const remainingMinor = holds ? available - r.amountMinor : available;
    await tx.query(
      `UPDATE erp.payment SET status = CASE WHEN $2 = 0 THEN 'refunded' WHEN status = 'refunded' THEN 'captured' ELSE status END WHERE id = $1`,
      [payment.id, remainingMinor],
    );
    return { refundId, creditNoteId, remainingMinor };
  });
}

/** A refund's amount never changes; its status, balance transaction and time are filled in as the provider reports them. */
async function upsertRefund(tx: PoolClient, paymentId: number, r: RefundRecord): Promise<number> {
  const { rows } = await tx.query(
    `INSERT INTO erp.refund (provider, provider_refund_id, payment_id, currency, amount_minor, status, reason, origin, provider_balance_txn_id, refunded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (provider, provider_refund_id) DO UPDATE SET
       status = EXCLUDED.status, reason = COALESCE(EXCLUDED.reason, erp.refund.reason),
       provider_balance_txn_id = COALESCE(EXCLUDED.provider_balance_txn_id, erp.refund.provider_balance_txn_id),
       refunded_at = COALESCE(erp.refund.refunded_at, EXCLUDED.refunded_at)
     RETURNING id`,
    [r.provider, r.providerRefundId, paymentId, r.currency, r.amountMinor, r.status, r.reason ?? null, r.origin, r.balanceTransactionId ?? null, r.refundedAt],
  );
  return Number(rows[0].id);
}

/** One credit note per refund, voided when the refund gives the money back; the invoice's refunded total follows. */
async function creditInvoice(tx: PoolClient, invoiceId: number, refundId: number, holds: boolean): Promise<number | null> {
  const note = holds
    ? await tx.query(
      `INSERT INTO erp.credit_note (invoice_id, refund_id, currency, amount_minor)
       SELECT $1, id, currency, amount_minor FROM erp.refund WHERE id = $2
       ON CONFLICT (refund_id) DO UPDATE SET voided_at = NULL
       RETURNING id`,
      [invoiceId, refundId])
    : await tx.query('UPDATE erp.credit_note SET voided_at = COALESCE(voided_at, now()) WHERE refund_id = $1 RETURNING id', [refundId]);
  await tx.query(
    `WITH credited AS (SELECT COALESCE(sum(amount_minor), 0) AS minor FROM erp.credit_note WHERE invoice_id = $1 AND voided_at IS NULL)
     UPDATE erp.invoice i SET refunded_minor = credited.minor,
            status = CASE WHEN i.status = 'void' THEN 'void'
                          WHEN credited.minor > 0 AND credited.minor >= i.paid_minor THEN 'refunded'
                          WHEN credited.minor > 0 THEN 'partially_refunded'
                          WHEN i.paid_minor >= i.total_minor THEN 'paid' ELSE 'posted' END
       FROM credited WHERE i.id = $1`,
    [invoiceId],
  );
  return note.rows[0] ? Number(note.rows[0].id) : null;
}

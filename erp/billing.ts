import type { Queryable } from '../db/transaction';
import { markStatusSql } from './sales-orders';

/** Payments and invoices of sales orders: upserts keyed by the provider's ids, so every retry lands once. */

export interface PaymentRecord {
  /** The payments connection (e.g. `stripe`). */
  provider: string;
  providerPaymentId: string;
  salesOrderId: number;
  status: 'authorized' | 'captured' | 'cancelled' | 'refunded';
  currency: string;
  amountMinor: number;
  feeMinor: number;
}

/** A payment already booked for another sales order: never moved silently from one order to another. */
export class PaymentBoundElsewhereError extends Error {
  constructor(readonly providerPaymentId: string) {
    super(`payment ${providerPaymentId} is already booked for another sales order`);
    this.name = 'PaymentBoundElsewhereError';
  }
}

/**
 * Books the payment for its sales order; with `orderStatus`, the order moves to that status in the same statement
 * (as markStatusSql), and only if the payment is booked for it.
 */
export async function recordPayment(db: Queryable, p: PaymentRecord, orderStatus?: 'paid'): Promise<number> {
  const mark = orderStatus ? `, marked AS (${markStatusSql('(SELECT sales_order_id FROM booked)', '$8')})` : '';
  const { rows } = await db.query(
    `WITH booked AS (
       INSERT INTO erp.payment (provider, provider_payment_id, sales_order_id, status, currency, amount_minor, fee_minor, captured_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4 = 'captured' THEN now() END)
       ON CONFLICT (provider, provider_payment_id) DO UPDATE SET
         status = EXCLUDED.status, amount_minor = EXCLUDED.amount_minor, fee_minor = EXCLUDED.fee_minor,
         sales_order_id = EXCLUDED.sales_order_id, captured_at = COALESCE(erp.payment.captured_at, EXCLUDED.captured_at)
       WHERE erp.payment.sales_order_id IS NULL OR erp.payment.sales_order_id = EXCLUDED.sales_order_id
       RETURNING id, sales_order_id)${mark}
     SELECT id FROM booked`,
    [p.provider, p.providerPaymentId, p.salesOrderId, p.status, p.currency, p.amountMinor, p.feeMinor, ...(orderStatus ? [orderStatus] : [])],
  );
  if (!rows[0]) throw new PaymentBoundElsewhereError(p.providerPaymentId);
  return rows[0].id as number;
}

/** The sales order a payment is booked for, or null when it is not booked (or booked without an order). */
export async function paymentBinding(db: Queryable, provider: string, providerPaymentId: string): Promise<number | null> {
  const { rows } = await db.query('SELECT sales_order_id FROM erp.payment WHERE provider = $1 AND provider_payment_id = $2', [provider, providerPaymentId]);
  return rows[0]?.sales_order_id == null ? null : Number(rows[0].sales_order_id);
}

/** What the ERP expects to be paid for a sales order: the one amount capture, payment and invoice must agree on. */
export async function salesOrderAmount(db: Queryable, salesOrderId: number): Promise<{ amountMinor: number; currency: string }> {
  const { rows } = await db.query('SELECT total_minor, currency FROM erp.sales_order WHERE id = $1', [salesOrderId]);
  if (!rows[0]) throw new Error(`sales order ${salesOrderId} does not exist`);
  return { amountMinor: Number(rows[0].total_minor), currency: rows[0].currency as string };
}

export async function setPaymentStatus(db: Queryable, provider: string, providerPaymentId: string, status: PaymentRecord['status']): Promise<void> {
  await db.query('UPDATE erp.payment SET status = $3 WHERE provider = $1 AND provider_payment_id = $2', [provider, providerPaymentId, status]);
}

export interface InvoiceRef { invoiceId: number; invoiceNumber: string; status: string }

/**
 * Posts the order's invoice (one per order), settled with what the order's payments captured, links those payments
 * to it and marks the order invoiced: one statement, so atomic without a transaction. Again (a retry), it settles
 * the existing invoice anew; a void invoice stays void.
 */
export async function postInvoice(db: Queryable, salesOrderId: number): Promise<InvoiceRef> {
  const { rows } = await db.query(
    `WITH paid AS (SELECT COALESCE(sum(amount_minor), 0) AS minor FROM erp.payment WHERE sales_order_id = $1 AND status = 'captured'),
          posted AS (
            INSERT INTO erp.invoice (sales_order_id, customer_id, status, currency, total_minor, paid_minor, posted_at)
            SELECT o.id, o.customer_id, CASE WHEN paid.minor >= o.total_minor THEN 'paid' ELSE 'posted' END, o.currency, o.total_minor, paid.minor, now()
              FROM erp.sales_order o CROSS JOIN paid WHERE o.id = $1
            ON CONFLICT (sales_order_id) DO UPDATE SET paid_minor = EXCLUDED.paid_minor,
                   status = CASE WHEN erp.invoice.status = 'void' THEN 'void' WHEN EXCLUDED.paid_minor >= erp.invoice.total_minor THEN 'paid' ELSE 'posted' END
            RETURNING id, invoice_number, status),
          linked AS (UPDATE erp.payment SET invoice_id = (SELECT id FROM posted) WHERE sales_order_id = $1 AND invoice_id IS NULL),
          invoiced AS (${markStatusSql('$1', "'invoiced'")})
     SELECT id, invoice_number, status FROM posted`,
    [salesOrderId],
  );
  if (!rows[0]) throw new Error(`sales order ${salesOrderId} does not exist: no invoice to post`);
  return { invoiceId: Number(rows[0].id), invoiceNumber: rows[0].invoice_number, status: rows[0].status };
}

/** Compensation of postInvoice: a posted invoice is voided, never deleted (the number stays used). */
export async function voidInvoice(db: Queryable, salesOrderId: number): Promise<void> {
  await db.query(`UPDATE erp.invoice SET status = 'void' WHERE sales_order_id = $1 AND status <> 'void'`, [salesOrderId]);
}

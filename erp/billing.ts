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

export async function recordPayment(db: Queryable, p: PaymentRecord): Promise<number> {
  const { rows } = await db.query(
    `INSERT INTO erp.payment (provider, provider_payment_id, sales_order_id, status, currency, amount_minor, fee_minor, captured_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4 = 'captured' THEN now() END)
     ON CONFLICT (provider, provider_payment_id) DO UPDATE SET
       status = EXCLUDED.status, amount_minor = EXCLUDED.amount_minor, fee_minor = EXCLUDED.fee_minor,
       sales_order_id = EXCLUDED.sales_order_id, captured_at = COALESCE(erp.payment.captured_at, EXCLUDED.captured_at)
     WHERE erp.payment.sales_order_id IS NULL OR erp.payment.sales_order_id = EXCLUDED.sales_order_id
     RETURNING id`,
    [p.provider, p.providerPaymentId, p.salesOrderId, p.status, p.currency, p.amountMinor, p.feeMinor],
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

/** Posts the order's invoice (one per order), settles it with the order's captured payments and marks the order invoiced. */
export async function postInvoice(db: Queryable, salesOrderId: number): Promise<InvoiceRef> {
  await db.query(
    `INSERT INTO erp.invoice (sales_order_id, customer_id, status, currency, total_minor, posted_at)
     SELECT id, customer_id, 'posted', currency, total_minor, now() FROM erp.sales_order WHERE id = $1
     ON CONFLICT (sales_order_id) DO NOTHING`,
    [salesOrderId],
  );
  // Settled with what the order's payments captured, those payments linked to it and the order marked, in one statement.
  const { rows } = await db.query(
    `WITH paid AS (SELECT COALESCE(sum(amount_minor), 0) AS minor FROM erp.payment WHERE sales_order_id = $1 AND status = 'captured'),
          settled AS (
            UPDATE erp.invoice i SET paid_minor = paid.minor,
                   status = CASE WHEN i.status = 'void' THEN 'void' WHEN paid.minor >= i.total_minor THEN 'paid' ELSE 'posted' END
              FROM paid WHERE i.sales_order_id = $1
            RETURNING i.id, i.invoice_number, i.status),
          linked AS (UPDATE erp.payment SET invoice_id = (SELECT id FROM settled) WHERE sales_order_id = $1 AND invoice_id IS NULL),
          invoiced AS (${markStatusSql('$1', "'invoiced'")})
     SELECT id, invoice_number, status FROM settled`,
    [salesOrderId],
  );
  return { invoiceId: rows[0].id, invoiceNumber: rows[0].invoice_number, status: rows[0].status };
}

/** Compensation of postInvoice: a posted invoice is voided, never deleted (the number stays used). */
export async function voidInvoice(db: Queryable, salesOrderId: number): Promise<void> {
  await db.query(`UPDATE erp.invoice SET status = 'void' WHERE sales_order_id = $1 AND status <> 'void'`, [salesOrderId]);
}

import type { Queryable } from '../db/transaction';

/**
 * Which ERP sales order a provider payment belongs to, and the payment applied to it: found through the payment's
 * own booking, the shop order the checkout named, or the amount and currency of an order still waiting for money.
 * A payment is bound to one order only, never moved (as in erp/billing.ts).
 */

export interface PaymentOrderRow {
  salesOrderId: number;
  orderNumber: string;
  status: string;
  amountMinor: number;
  currency: string;
  shop: string | null;
  shopOrderId: string | null;
  /** The payment the shop order's checkout named: its order flow books that one itself. */
  paymentReference?: string | null;
}

const SELECT_ORDER = `
  SELECT o.id, o.order_number, o.status, o.total_minor, o.currency, o.payment_reference, r.system AS shop, r.external_id AS shop_order_id
    FROM erp.sales_order o
    LEFT JOIN erp.external_ref r ON r.erp_table = 'sales_order' AND r.erp_id = o.id AND r.entity_type = 'order'`;

const toOrder = (r: Record<string, unknown>): PaymentOrderRow => ({
  salesOrderId: Number(r.id), orderNumber: String(r.order_number), status: String(r.status), amountMinor: Number(r.total_minor),
  currency: String(r.currency), shop: (r.shop as string | null) ?? null, shopOrderId: (r.shop_order_id as string | null) ?? null,
  paymentReference: (r.payment_reference as string | null) ?? null,
});

/** Where a payment's orders were found: booked for it, bound to the shop order it names, or naming it at checkout. */
export interface PaymentOrderLeads { booked: PaymentOrderRow | null; named: PaymentOrderRow[]; naming: PaymentOrderRow[] }

/**
 * In one statement: the order the payment is already booked for (by the order flow, or an earlier pass of the
 * payment flow); the live orders bound to the shop order id it names, in any shop (ids may collide across shops);
 * the live orders whose checkout named this payment.
 */
export async function paymentOrderLeads(db: Queryable, provider: string, providerPaymentId: string, shopOrderId: string | null): Promise<PaymentOrderLeads> {
  const { rows } = await db.query(
    `SELECT 'booked' AS lead, b.* FROM (${SELECT_ORDER} JOIN erp.payment p ON p.sales_order_id = o.id
                                          WHERE p.provider = $1 AND p.provider_payment_id = $2 LIMIT 1) b
     UNION ALL
     SELECT 'named', n.* FROM (${SELECT_ORDER} WHERE $3::text IS NOT NULL AND r.external_id = $3 AND o.status <> 'cancelled' ORDER BY o.id) n
     UNION ALL
     SELECT 'naming', m.* FROM (${SELECT_ORDER} WHERE o.payment_reference = $2 AND o.status <> 'cancelled' ORDER BY o.id) m`,
    [provider, providerPaymentId, shopOrderId],
  );
  const of = (lead: string) => rows.filter((r) => r.lead === lead).map(toOrder);
  return { booked: of('booked')[0] ?? null, named: of('named'), naming: of('naming') };
}

/**
 * Live orders of exactly this amount and currency, created within the window around `at`, with no payment booked
 * yet and not naming another payment.
 */
export async function ordersAwaitingAmount(
  db: Queryable, q: { paymentId: string; amountMinor: number; currency: string; at: string; windowSeconds: number },
): Promise<PaymentOrderRow[]> {
  const { rows } = await db.query(
    `${SELECT_ORDER}
      WHERE o.total_minor = $1 AND o.currency = $2 AND o.status IN ('draft', 'reserved', 'backordered')
        AND o.created_at BETWEEN $3::timestamptz - make_interval(secs => $4) AND $3::timestamptz + make_interval(secs => $4)
        AND NOT EXISTS (SELECT 1 FROM erp.payment p WHERE p.sales_order_id = o.id AND p.status IN ('authorized', 'captured'))
        AND (o.payment_reference IS NULL OR o.payment_reference = $5)
      ORDER BY o.id LIMIT 20`,
    [q.amountMinor, q.currency, q.at, q.windowSeconds, q.paymentId],
  );
  return rows.map(toOrder);
}

/**
 * Binds a booked payment to its order and, when the order's invoice is posted, applies it there. False when the
 * payment is booked for another order (never moved) or not booked at all.
 */
export async function applyPaymentToOrder(db: Queryable, provider: string, providerPaymentId: string, salesOrderId: number): Promise<boolean> {
  const bound = await db.query(
    `UPDATE erp.payment SET sales_order_id = $3
      WHERE provider = $1 AND provider_payment_id = $2 AND (sales_order_id IS NULL OR sales_order_id = $3) RETURNING id`,
    [provider, providerPaymentId, salesOrderId],
  );
  if (!bound.rows[0]) return false;
  await db.query(
    `UPDATE erp.payment p SET invoice_id = i.id FROM erp.invoice i
      WHERE i.sales_order_id = $1 AND i.status <> 'void' AND p.sales_order_id = $1 AND p.invoice_id IS NULL`,
    [salesOrderId],
  );
  // What was paid only grows here: refunds are credited on the invoice separately (erp/payments/refunds.ts).
  await db.query(
    `WITH paid AS (SELECT COALESCE(sum(amount_minor), 0) AS minor FROM erp.payment WHERE sales_order_id = $1 AND status = 'captured')
     UPDATE erp.invoice i SET paid_minor = GREATEST(i.paid_minor, paid.minor),
            status = CASE WHEN i.status = 'posted' AND paid.minor >= i.total_minor THEN 'paid' ELSE i.status END
       FROM paid WHERE i.sales_order_id = $1`,
    [salesOrderId],
  );
  return true;
}

import type { Queryable } from '../../db/transaction';
import type { CustomerPair, OrderPair, PaymentPair, StockPair } from '../../domain/audit';
import type { AuditWindow } from './run';

/**
 * Each entity's vendor records (staged by the run) joined to the ERP's in one statement: the pairs the domain's
 * rules judge (domain/audit.ts). A vendor record without ERP counterpart, or the reverse, comes as a pair with a null side.
 */

/** CRM contacts touched in the window, and contact bindings made or refreshed in it, side by side. */
export async function customerPairs(db: Queryable, runId: number, crm: string, window: AuditWindow): Promise<CustomerPair[]> {
  const { rows } = await db.query(
    `WITH staged AS (
       SELECT subject_id, data, (data->>'updatedAt')::timestamptz AS updated_at FROM integration.audit_vendor_record
        WHERE run_id = $1 AND entity = 'customers' AND connection = $2),
     bound AS (
       SELECT r.external_id, r.synced_at, COALESCE(survivor.customer_number, c.customer_number) AS customer_number
         FROM erp.external_ref r
         JOIN erp.customer c ON c.id = r.erp_id
         LEFT JOIN erp.customer survivor ON survivor.id = c.merged_into_id
        WHERE r.system = $2 AND r.entity_type = 'contact' AND r.erp_table = 'customer')
     SELECT COALESCE(s.subject_id, b.external_id) AS contact_id, s.data AS contact, b.customer_number
       FROM staged s FULL JOIN bound b ON b.external_id = s.subject_id
      WHERE (s.updated_at >= $3 AND s.updated_at < $4) OR (b.synced_at >= $3 AND b.synced_at < $4)
      ORDER BY 1`,
    [runId, crm, window.from, window.to],
  );
  return rows.map((r) => ({
    crm, contactId: String(r.contact_id), contact: r.contact ?? null, erp: r.customer_number ? { customerNumber: r.customer_number } : null,
  }));
}

/** The shop's orders read by the run (listed, or read by id for the ERP's own), with the ERP order bound to each. */
export async function orderPairs(db: Queryable, runId: number, shop: string): Promise<OrderPair[]> {
  const { rows } = await db.query(
    `SELECT v.subject_id, v.data, so.order_number, so.total_minor, so.currency, so.status
       FROM integration.audit_vendor_record v
       LEFT JOIN erp.external_ref r ON r.system = v.connection AND r.entity_type = 'order' AND r.external_id = v.subject_id AND r.erp_table = 'sales_order'
       LEFT JOIN erp.sales_order so ON so.id = r.erp_id
      WHERE v.run_id = $1 AND v.entity = 'orders' AND v.connection = $2
      ORDER BY v.subject_id`,
    [runId, shop],
  );
  return rows.map((r) => ({
    shop, shopOrderId: String(r.subject_id), shopOrder: r.data.absent ? null : r.data,
    erp: r.order_number ? { orderNumber: r.order_number, totalMinor: Number(r.total_minor), currency: String(r.currency), status: r.status } : null,
  }));
}

/** The provider's payments read by the run, with the ERP's booking of each. */
export async function paymentPairs(db: Queryable, runId: number, payments: string): Promise<PaymentPair[]> {
  const { rows } = await db.query(
    `SELECT v.subject_id, v.data, p.amount_minor, p.currency, p.status
       FROM integration.audit_vendor_record v
       LEFT JOIN erp.payment p ON p.provider = v.connection AND p.provider_payment_id = v.subject_id
      WHERE v.run_id = $1 AND v.entity = 'payments' AND v.connection = $2
      ORDER BY v.subject_id`,
    [runId, payments],
  );
  return rows.map((r) => ({
    payments, paymentId: String(r.subject_id), provider: r.data.absent ? null : r.data,
    erp: r.status ? { amountMinor: Number(r.amount_minor), currency: String(r.currency), status: r.status } : null,
  }));
}

/** Every SKU the shop offers at its location beside what the ERP may sell of it at the shop's ERP location. */
export async function stockPairs(db: Queryable, runId: number, shop: string): Promise<StockPair[]> {
  const { rows } = await db.query(
    `WITH staged AS (
       SELECT subject_id AS sku, (data->>'available')::int AS available, data->>'location' AS location FROM integration.audit_vendor_record
        WHERE run_id = $1 AND entity = 'stock' AND connection = $2),
     erp AS (
       SELECT ss.sku, ss.sellable, ss.inventory_sync FROM erp.sellable_stock ss
         JOIN integration.inventory_sync s ON s.location_id = ss.location_id AND s.connection_id = $2)
     SELECT COALESCE(st.sku, e.sku) AS sku, st.available, st.location, e.sellable, e.inventory_sync
       FROM staged st FULL JOIN erp e ON e.sku = st.sku
      ORDER BY 1`,
    [runId, shop],
  );
  return rows.map((r) => ({
    shop, sku: String(r.sku), shopQuantity: r.available ?? null, location: r.location ?? null,
    erp: r.sellable === null || r.sellable === undefined ? null : { sellable: Number(r.sellable), sync: Boolean(r.inventory_sync) },
  }));
}

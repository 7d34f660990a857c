import { orderPayment, shopOf, type ShopOrder } from '../domain/order';
import type { Queryable } from '../db/transaction';
import { bind, findBinding, type ExternalKey } from './external-refs';

/** ERP sales orders created from shop orders: idempotent on the shop order id, cancellable by their creator. */

export class UnknownSkuError extends Error {
  constructor(readonly skus: string[]) {
    super(`unknown SKU${skus.length > 1 ? 's' : ''} ${skus.join(', ')}: add ${skus.length > 1 ? 'them' : 'it'} to the ERP catalogue, then retry`);
    this.name = 'UnknownSkuError';
  }
}

export interface SalesOrderRef {
  salesOrderId: number;
  orderNumber: string;
  status: string;
  created: boolean;
}

/** The entity type of shop orders' bindings (erp.external_ref). */
export const SHOP_ORDER_ENTITY = 'order';
/** The binding key of a shop order: its shop connection names the system. */
export const shopOrderKey = (shop: string, shopOrderId: string): ExternalKey => ({ system: shop, entityType: SHOP_ORDER_ENTITY, externalId: shopOrderId });

const toRef = (r: { id: number; order_number: string; status: string }, created: boolean): SalesOrderRef =>
  ({ salesOrderId: r.id, orderNumber: r.order_number, status: r.status, created });

async function orderRef(db: Queryable, id: number, created: boolean): Promise<SalesOrderRef> {
  const { rows } = await db.query('SELECT id, order_number, status FROM erp.sales_order WHERE id = $1', [id]);
  return toRef(rows[0], created);
}

export async function findSalesOrder(db: Queryable, shop: string, shopOrderId: string): Promise<SalesOrderRef | undefined> {
  const binding = await findBinding(db, shopOrderKey(shop, shopOrderId));
  return binding ? orderRef(db, binding.erpId, false) : undefined;
}

/** Refuses the order if a line's SKU names no active ERP product; all unknown SKUs are reported at once. */
async function refuseUnknownSkus(db: Queryable, order: ShopOrder): Promise<void> {
  const skus = [...new Set(order.lines.map((l) => l.sku ?? ''))];
  const { rows } = await db.query('SELECT sku FROM erp.product WHERE sku = ANY($1) AND active', [skus]);
  const known = new Set<string>(rows.map((r) => r.sku as string));
  const unknown = order.lines.filter((l) => !l.sku || !known.has(l.sku)).map((l) => l.sku ?? `(no SKU on line "${l.title}")`);
  if (unknown.length > 0) throw new UnknownSkuError([...new Set(unknown)]);
}

/**
 * The insert of an order's lines (numbered from 1 in the shop's order), each line's product found by its SKU among
 * the active ones: `salesOrderId` is SQL, the lines are the five arrays of `lineArrays` from parameter `$first` on.
 * A line whose SKU names no product is not inserted; the statement returns one row per line it placed.
 */
const insertLinesSql = (salesOrderId: string, first: number): string =>
  `INSERT INTO erp.sales_order_line (sales_order_id, line_no, product_id, quantity, unit_price_minor, line_total_minor)
   SELECT ${salesOrderId}, l.line_no, p.id, l.quantity, l.unit_price_minor, l.line_total_minor
     FROM unnest($${first}::int[], $${first + 1}::text[], $${first + 2}::int[], $${first + 3}::bigint[], $${first + 4}::bigint[])
          AS l(line_no, sku, quantity, unit_price_minor, line_total_minor)
     JOIN erp.product p ON p.sku = l.sku AND p.active
   RETURNING line_no`;

const lineArrays = (order: ShopOrder): unknown[] => [
  order.lines.map((_, i) => i + 1), order.lines.map((l) => l.sku ?? null), order.lines.map((l) => l.quantity),
  order.lines.map((l) => l.unitPriceMinor), order.lines.map((l) => l.quantity * l.unitPriceMinor),
];

/** After an insert that placed `placed` lines: a line left out means an unknown SKU, refused (the caller's transaction rolls back). */
async function expectEveryLinePlaced(db: Queryable, order: ShopOrder, placed: number): Promise<void> {
  if (placed === order.lines.length) return;
  await refuseUnknownSkus(db, order);
  // Every SKU known now, not a moment ago (a product activated in between): roll back, and the retry places all.
  throw new Error(`shop order ${order.id}: ${order.lines.length - placed} line(s) found no product; try again`);
}

/**
 * Creates the sales order with its lines and binds it to the shop order; a second call returns the first one.
 * Order and lines go in one statement.
 */
export async function createSalesOrder(db: Queryable, order: ShopOrder, customerId: number, createdBy: string): Promise<SalesOrderRef> {
  const existing = await findSalesOrder(db, shopOf(order), order.id);
  if (existing) return existing;
  const gross = order.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
  const { rows } = await db.query(
    `WITH so AS (
       INSERT INTO erp.sales_order (customer_id, status, currency, subtotal_minor, tax_minor, shipping_minor, discount_minor, total_minor,
                                    shipping_address, source_created_at, source_reference, created_by, payment_reference, source_version)
       VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id, order_number, status),
     lines AS (${insertLinesSql('(SELECT id FROM so)', 14)})
     SELECT so.id, so.order_number, so.status, (SELECT count(*)::int FROM lines) AS placed FROM so`,
    [customerId, order.currency, gross, order.taxMinor, order.shippingMinor, order.discountMinor, order.totalMinor,
      order.shippingAddress ? JSON.stringify(order.shippingAddress) : null, order.createdAt, order.name, createdBy,
      orderPayment(order)?.paymentId ?? null, order.version ?? null, ...lineArrays(order)],
  );
  await expectEveryLinePlaced(db, order, rows[0].placed as number);
  const created = toRef(rows[0], true);
  await bind(db, shopOrderKey(shopOf(order), order.id), 'sales_order', created.salesOrderId, createdBy);
  return created;
}

/**
 * The shop orders of these ids the ERP has a sales order for, each with the shop's version the sales order was made
 * from (null when it predates versions): one statement for a page of them.
 */
export async function boundShopOrders(db: Queryable, shop: string, shopOrderIds: readonly string[]): Promise<Map<string, Date | null>> {
  if (shopOrderIds.length === 0) return new Map();
  const { rows } = await db.query<{ external_id: string; source_version: Date | null }>(
    `SELECT r.external_id, o.source_version FROM erp.external_ref r LEFT JOIN erp.sales_order o ON o.id = r.erp_id AND r.erp_table = 'sales_order'
      WHERE r.system = $1 AND r.entity_type = $2 AND r.external_id = ANY($3::text[])`,
    [shop, SHOP_ORDER_ENTITY, shopOrderIds],
  );
  return new Map(rows.map((r) => [r.external_id, r.source_version]));
}

/** Replaces lines and amounts after an edit in the shop; only while nothing is reserved or paid (in the caller's transaction). */
export async function replaceOrderContent(db: Queryable, salesOrderId: number, order: ShopOrder): Promise<void> {
  const { rows } = await db.query(`SELECT status FROM erp.sales_order WHERE id = $1 FOR UPDATE`, [salesOrderId]);
  if (rows[0]?.status !== 'draft') throw new Error(`sales order ${salesOrderId} is ${rows[0]?.status}: its lines can no longer change`);
  const gross = order.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
  await db.query('DELETE FROM erp.sales_order_line WHERE sales_order_id = $1', [salesOrderId]);
  const placed = await db.query(insertLinesSql('$1', 2), [salesOrderId, ...lineArrays(order)]);
  await expectEveryLinePlaced(db, order, placed.rowCount ?? 0);
  await db.query(
    `UPDATE erp.sales_order SET subtotal_minor = $2, tax_minor = $3, shipping_minor = $4, discount_minor = $5, total_minor = $6,
            shipping_address = $7, updated_at = now() WHERE id = $1`,
    [salesOrderId, gross, order.taxMinor, order.shippingMinor, order.discountMinor, order.totalMinor,
      order.shippingAddress ? JSON.stringify(order.shippingAddress) : null],
  );
}

export async function updateShippingAddress(db: Queryable, salesOrderId: number, address: ShopOrder['shippingAddress']): Promise<void> {
  await db.query(`UPDATE erp.sales_order SET shipping_address = $2, updated_at = now() WHERE id = $1`, [salesOrderId, address ? JSON.stringify(address) : null]);
}

/**
 * The statement that moves an order to `status` (SQL: a parameter or a literal), unless it is cancelled or
 * fulfilled, which it never leaves: on its own in setStatus, or inside a step's statement.
 */
export const markStatusSql = (idParam: string, status: string): string =>
  `UPDATE erp.sales_order SET status = ${status}, updated_at = now() WHERE id = ${idParam} AND status NOT IN ('cancelled', 'fulfilled')`;

export async function setStatus(db: Queryable, salesOrderId: number, status: string): Promise<void> {
  await db.query(markStatusSql('$1', '$2'), [salesOrderId, status]);
}

/** Cancels the order this workflow created (idempotent); an order someone else created is left alone. */
export async function cancelOwnSalesOrder(db: Queryable, shop: string, shopOrderId: string, createdBy: string): Promise<boolean> {
  const binding = await findBinding(db, shopOrderKey(shop, shopOrderId));
  if (!binding) return false;
  const { rowCount } = await db.query(
    `UPDATE erp.sales_order SET status = 'cancelled', cancelled_at = now(), updated_at = now()
      WHERE id = $1 AND created_by = $2 AND status <> 'cancelled'`,
    [binding.erpId, createdBy],
  );
  return (rowCount ?? 0) > 0;
}

/** Marks the order confirmed in the ERP and returns shop-creation-to-confirmation time in ms. */
export async function confirmSalesOrder(db: Queryable, salesOrderId: number): Promise<number> {
  const { rows } = await db.query(
    `UPDATE erp.sales_order SET confirmed_at = COALESCE(confirmed_at, now()), updated_at = now() WHERE id = $1
     RETURNING (extract(epoch FROM (confirmed_at - source_created_at)) * 1000)::bigint AS processing_ms`,
    [salesOrderId],
  );
  return Math.max(0, Number(rows[0].processing_ms));
}

import type { Queryable } from '../db/transaction';
import { markStatusSql, setStatus } from './sales-orders';

/**
 * Stock reservations for a sales order: all lines or none, under row locks taken in product order so that
 * concurrent orders neither oversell (the CHECK reserved <= on_hand backs this up) nor deadlock.
 */

export interface Shortfall { sku: string; requested: number; available: number }
export type ReservationResult = { ok: true; reserved: number } | { ok: false; shortfalls: Shortfall[] };

async function locationIdOf(tx: Queryable, code: string): Promise<number | null> {
  return ((await tx.query('SELECT id FROM erp.stock_location WHERE code = $1', [code])).rows[0]?.id as number | undefined) ?? null;
}

/** Reserves every line of the order, or none; the order is then `reserved` or `backordered`. A repeat reserves nothing more. */
export async function reserveOrder(tx: Queryable, salesOrderId: number, locationCode = 'MAIN'): Promise<ReservationResult> {
  // One round trip for what the order asks: quantities per product (a product may appear on several lines), the
  // reservations it already has (a repeat), and the location's id.
  const wanted = await tx.query(
    `SELECT l.product_id, p.sku, sum(l.quantity)::int AS requested,
            (SELECT count(*)::int FROM erp.stock_reservation r JOIN erp.sales_order_line rl ON rl.id = r.sales_order_line_id
              WHERE rl.sales_order_id = $1 AND r.status IN ('active', 'consumed')) AS already,
            (SELECT id FROM erp.stock_location WHERE code = $2) AS location_id
       FROM erp.sales_order_line l JOIN erp.product p ON p.id = l.product_id
      WHERE l.sales_order_id = $1 GROUP BY l.product_id, p.sku ORDER BY l.product_id`,
    [salesOrderId, locationCode],
  );
  const already = (wanted.rows[0]?.already as number | undefined) ?? 0;
  if (already > 0) {
    await setStatus(tx, salesOrderId, 'reserved');
    return { ok: true, reserved: already };
  }
  const locationId = wanted.rows.length > 0 ? (wanted.rows[0].location_id as number | null) : await locationIdOf(tx, locationCode);
  if (locationId === null) throw new Error(`unknown stock location ${locationCode}`);
  // Their stock rows, locked in id order.
  const levels = await tx.query(
    `SELECT product_id, on_hand, reserved FROM erp.stock_level WHERE location_id = $1 AND product_id = ANY($2) ORDER BY product_id FOR UPDATE`,
    [locationId, wanted.rows.map((w) => w.product_id)],
  );
  const level = new Map<number, { on_hand: number; reserved: number }>(levels.rows.map((l) => [l.product_id, l]));
  const rows = wanted.rows.map((w) => ({ ...w, location_id: level.has(w.product_id) ? locationId : null, on_hand: level.get(w.product_id)?.on_hand ?? 0, reserved: level.get(w.product_id)?.reserved ?? 0 }));
  const shortfalls = rows
    .filter((r) => r.location_id === null || r.on_hand - r.reserved < r.requested)
    .map((r) => ({ sku: r.sku as string, requested: r.requested as number, available: r.location_id === null ? 0 : r.on_hand - r.reserved }));
  if (shortfalls.length > 0) {
    await setStatus(tx, salesOrderId, 'backordered');
    return { ok: false, shortfalls };
  }

  // Every product's row is locked above: one statement reserves them all.
  await tx.query(
    `UPDATE erp.stock_level s SET reserved = s.reserved + v.requested, updated_at = now()
       FROM unnest($2::bigint[], $3::int[]) AS v(product_id, requested)
      WHERE s.location_id = $1 AND s.product_id = v.product_id`,
    [locationId, rows.map((r) => r.product_id), rows.map((r) => r.requested)],
  );
  const inserted = await tx.query(
    `WITH reserved AS (
       INSERT INTO erp.stock_reservation (sales_order_line_id, product_id, location_id, quantity, status)
       SELECT l.id, l.product_id, $2, l.quantity, 'active' FROM erp.sales_order_line l WHERE l.sales_order_id = $1
       RETURNING 1),
     marked AS (${markStatusSql('$1', "'reserved'")})
     SELECT count(*)::int AS n FROM reserved`,
    [salesOrderId, locationId],
  );
  return { ok: true, reserved: inserted.rows[0].n as number };
}

/** Gives reserved stock back (compensation); already released or consumed reservations are left as they are. */
export async function releaseOrder(tx: Queryable, salesOrderId: number): Promise<number> {
  const { rows } = await tx.query(
    `UPDATE erp.stock_reservation r SET status = 'released', released_at = now()
       FROM erp.sales_order_line l
      WHERE l.id = r.sales_order_line_id AND l.sales_order_id = $1 AND r.status = 'active'
      RETURNING r.product_id, r.location_id, r.quantity`,
    [salesOrderId],
  );
  for (const r of [...rows].sort((a, b) => a.product_id - b.product_id)) {
    await tx.query('UPDATE erp.stock_level SET reserved = reserved - $3, updated_at = now() WHERE product_id = $1 AND location_id = $2', [r.product_id, r.location_id, r.quantity]);
  }
  return rows.length;
}

/**
 * The goods left the warehouse: reserved stock becomes shipped stock. A backorder (nothing reserved) ships from
 * what is on hand now; without enough, the CHECK on on_hand refuses and the step waits for a person.
 */
export async function consumeOrder(tx: Queryable, salesOrderId: number, locationCode = 'MAIN'): Promise<number> {
  const any = await tx.query(
    `SELECT count(*)::int AS n FROM erp.stock_reservation r JOIN erp.sales_order_line l ON l.id = r.sales_order_line_id WHERE l.sales_order_id = $1`,
    [salesOrderId],
  );
  if (any.rows[0].n === 0) {
    const shipped = await tx.query(
      `INSERT INTO erp.stock_reservation (sales_order_line_id, product_id, location_id, quantity, status)
       SELECT l.id, l.product_id, (SELECT id FROM erp.stock_location WHERE code = $2), l.quantity, 'consumed'
         FROM erp.sales_order_line l WHERE l.sales_order_id = $1 ORDER BY l.product_id
       RETURNING product_id, location_id, quantity`,
      [salesOrderId, locationCode],
    );
    for (const r of shipped.rows) {
      await tx.query('UPDATE erp.stock_level SET on_hand = on_hand - $3, updated_at = now() WHERE product_id = $1 AND location_id = $2', [r.product_id, r.location_id, r.quantity]);
    }
    return shipped.rowCount ?? 0;
  }
  const { rows } = await tx.query(
    `UPDATE erp.stock_reservation r SET status = 'consumed'
       FROM erp.sales_order_line l
      WHERE l.id = r.sales_order_line_id AND l.sales_order_id = $1 AND r.status = 'active'
      RETURNING r.product_id, r.location_id, r.quantity`,
    [salesOrderId],
  );
  for (const r of [...rows].sort((a, b) => a.product_id - b.product_id)) {
    await tx.query(
      'UPDATE erp.stock_level SET reserved = reserved - $3, on_hand = on_hand - $3, updated_at = now() WHERE product_id = $1 AND location_id = $2',
      [r.product_id, r.location_id, r.quantity],
    );
  }
  return rows.length;
}

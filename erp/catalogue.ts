import type { Queryable } from '../db/transaction';

/** Products and stock levels: what the ERP can sell (on hand minus reserved) per location. */

export interface ProductSeed {
  sku: string;
  name: string;
  unitPriceMinor: number;
  currency: string;
  onHand: number;
}

export async function upsertProductWithStock(db: Queryable, p: ProductSeed, locationCode = 'MAIN'): Promise<number> {
  const { rows } = await db.query(
    `INSERT INTO erp.product (sku, name, unit_price_minor, currency) VALUES ($1, $2, $3, $4)
     ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, unit_price_minor = EXCLUDED.unit_price_minor, updated_at = now()
     RETURNING id`,
    [p.sku, p.name, p.unitPriceMinor, p.currency],
  );
  const productId = rows[0].id as number;
  await db.query(
    `INSERT INTO erp.stock_level (product_id, location_id, on_hand)
     SELECT $1, id, $3 FROM erp.stock_location WHERE code = $2
     ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = GREATEST(EXCLUDED.on_hand, erp.stock_level.reserved), updated_at = now()`,
    [productId, locationCode, p.onHand],
  );
  return productId;
}

export interface Availability { sku: string; onHand: number; reserved: number; available: number }

export async function availability(db: Queryable, skus: string[], locationCode = 'MAIN'): Promise<Availability[]> {
  const { rows } = await db.query(
    `SELECT p.sku, s.on_hand, s.reserved FROM erp.product p
       JOIN erp.stock_level s ON s.product_id = p.id
       JOIN erp.stock_location l ON l.id = s.location_id AND l.code = $2
      WHERE p.sku = ANY($1) ORDER BY p.sku`,
    [skus, locationCode],
  );
  return rows.map((r) => ({ sku: r.sku, onHand: r.on_hand, reserved: r.reserved, available: r.on_hand - r.reserved }));
}

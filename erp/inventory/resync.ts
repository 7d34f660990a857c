import type { Queryable } from '../../db/transaction';

/** The ERP side of a full resync: sellable quantities by SKU, where the resync stopped, and what it never met. */

export interface ErpSellable { productId: number; sellable: number; sync: boolean }

/** Sellable quantities at the connection's ERP location of those SKUs the ERP stocks there. */
export async function sellableBySku(db: Queryable, connection: string, skus: readonly string[]): Promise<Map<string, ErpSellable>> {
  const { rows } = await db.query(
    `SELECT ss.sku, ss.product_id, ss.sellable, ss.inventory_sync FROM erp.sellable_stock ss
       JOIN integration.inventory_sync s ON s.location_id = ss.location_id AND s.connection_id = $1
      WHERE ss.sku = ANY($2)`,
    [connection, skus],
  );
  return new Map(rows.map((r) => [r.sku as string, { productId: Number(r.product_id), sellable: r.sellable as number, sync: r.inventory_sync as boolean }]));
}

export interface ResyncPosition { resyncId: string | null; cursor: string | null }

export async function resyncPosition(db: Queryable, connection: string): Promise<ResyncPosition> {
  const { rows } = await db.query('SELECT resync_id, resync_cursor FROM integration.inventory_sync WHERE connection_id = $1', [connection]);
  return { resyncId: rows[0]?.resync_id ?? null, cursor: rows[0]?.resync_cursor ?? null };
}

/** Saved after every page, so that a restarted resync (crash, rate limit, new attempt) goes on from there. */
export async function saveResyncPosition(db: Queryable, connection: string, position: ResyncPosition): Promise<void> {
  await db.query('UPDATE integration.inventory_sync SET resync_id = $2, resync_cursor = $3 WHERE connection_id = $1', [connection, position.resyncId, position.cursor]);
}

/** Synced SKUs stocked at the connection's ERP location that this resync did not meet in the shop. */
export async function erpSkusNotInShop(db: Queryable, connection: string, location: string, resyncId: string): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT ss.sku FROM erp.sellable_stock ss
       JOIN integration.inventory_sync s ON s.location_id = ss.location_id AND s.connection_id = $1
       LEFT JOIN integration.inventory_shop_level k ON k.connection_id = $1 AND k.sku = ss.sku AND k.location = $2
      WHERE ss.inventory_sync AND k.resync_id IS DISTINCT FROM $3 ORDER BY ss.sku`,
    [connection, location, resyncId],
  );
  return rows.map((r) => r.sku as string);
}

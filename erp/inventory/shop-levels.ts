import type { Queryable } from '../../db/transaction';

/**
 * What the engine knows about each shop's stock: the quantity it last set or read back per SKU and location (the
 * compare value of the next push), drift found when the shop held something else, and SKUs only one side knows.
 */

export interface KnownLevel { sku: string; quantity: number }

export interface DriftRecord {
  sku: string;
  expected: number | null;
  found: number | null;
  erpSellable: number;
  resolution: 'erp-wins' | 'keep-shop' | 'gave-up';
  attempt: number;
}

/** Remembers what the shop holds now; `resyncId` marks the SKUs a full resync has seen in the shop. */
export async function rememberShopLevels(
  db: Queryable, connection: string, location: string, levels: readonly KnownLevel[], resyncId: string | null = null,
): Promise<void> {
  if (levels.length === 0) return;
  await db.query(
    `INSERT INTO integration.inventory_shop_level (connection_id, sku, location, quantity, resync_id)
     SELECT $1, l.sku, $2, l.quantity, $5 FROM unnest($3::text[], $4::int[]) AS l(sku, quantity)
     ON CONFLICT (connection_id, sku, location) DO UPDATE
       SET quantity = EXCLUDED.quantity, updated_at = now(), resync_id = COALESCE(EXCLUDED.resync_id, integration.inventory_shop_level.resync_id)`,
    [connection, location, levels.map((l) => l.sku), levels.map((l) => l.quantity), resyncId],
  );
}

export async function knownLevels(db: Queryable, connection: string, location: string, skus: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await db.query(
    'SELECT sku, quantity FROM integration.inventory_shop_level WHERE connection_id = $1 AND location = $2 AND sku = ANY($3)',
    [connection, location, skus],
  );
  return new Map(rows.map((r) => [r.sku as string, r.quantity as number]));
}

export async function recordDrift(db: Queryable, connection: string, location: string, workflowId: string, drifts: readonly DriftRecord[]): Promise<void> {
  for (const d of drifts) {
    await db.query(
      `INSERT INTO integration.inventory_drift (connection_id, sku, location, expected, found, erp_sellable, resolution, attempt, workflow_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [connection, d.sku, location, d.expected, d.found, d.erpSellable, d.resolution, d.attempt, workflowId],
    );
  }
}

/** Records SKUs missing on one side; returns those not recorded before (each mismatch is reported once). */
export async function recordUnmapped(db: Queryable, connection: string, skus: readonly string[], missingIn: 'shop' | 'erp'): Promise<string[]> {
  if (skus.length === 0) return [];
  const { rows } = await db.query(
    `INSERT INTO integration.inventory_unmapped (connection_id, sku, missing_in) SELECT $1, unnest($2::text[]), $3
     ON CONFLICT (connection_id, sku) DO NOTHING RETURNING sku`,
    [connection, skus, missingIn],
  );
  return rows.map((r) => r.sku as string).sort();
}

/** SKUs found on both sides again are no longer unmapped (and would be reported anew if they drift apart). */
export async function clearUnmapped(db: Queryable, connection: string, skus: readonly string[]): Promise<void> {
  if (skus.length > 0) await db.query('DELETE FROM integration.inventory_unmapped WHERE connection_id = $1 AND sku = ANY($2)', [connection, skus]);
}

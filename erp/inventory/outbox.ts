import type { Queryable } from '../../db/transaction';

/**
 * The inventory outbox (migration 0014): a trigger marks a SKU dirty per enrolled shop connection in the same
 * transaction as the stock change. A SKU is due once its changes have been quiet for a moment (a burst is pushed
 * once, with its latest value) or after a longest delay; acknowledging removes only the version that was pushed.
 */

export interface DueChange {
  productId: number;
  sku: string;
  /** The outbox version read; a change after the read bumps it, so the row stays for the next pass. */
  version: number;
  /** What the shop may sell now; null when the SKU has no stock row at the connection's ERP location. */
  sellable: number | null;
  /** false: the SKU is marked "no sync" and is left alone. */
  sync: boolean;
  /** The quantity we last know the shop holds, or null when unknown. */
  known: number | null;
}

export interface Debounce { quietMs: number; maxDelayMs: number }

/** Makes a shop connection follow one ERP location; from now on its stock changes are collected. Repeatable. */
export async function enrolShop(db: Queryable, connection: string, locationCode: string): Promise<void> {
  const { rowCount } = await db.query(
    `INSERT INTO integration.inventory_sync (connection_id, location_id) SELECT $1, id FROM erp.stock_location WHERE code = $2
     ON CONFLICT (connection_id) DO UPDATE SET location_id = EXCLUDED.location_id`,
    [connection, locationCode],
  );
  if (rowCount === 0) throw new Error(`unknown ERP stock location ${locationCode}`);
}

/** Quiet for `quiet` ms, or first changed `maxDelay` ms ago (parameters in milliseconds). */
const isDue = (quiet: string, maxDelay: string) => `(o.changed_at <= clock_timestamp() - make_interval(secs => ${quiet}::float8 / 1000)
  OR o.first_changed_at <= clock_timestamp() - make_interval(secs => ${maxDelay}::float8 / 1000))`;

/** The changes due now (oldest first, at most `limit`), and how long until the next one not yet due. */
export async function dueChanges(
  db: Queryable, connection: string, shopLocation: string, debounce: Debounce, limit: number,
): Promise<{ changes: DueChange[]; nextDueInMs: number | null }> {
  // The due rows are chosen from the outbox alone first, then each is looked up by key. A burst of changes finds the
  // planner's statistics of the outbox and the known levels stale (a few rows, where there are thousands): joined
  // as one, it matched every due row against every known level (30 s for 10,000 SKUs, measured by bench/inventory-push).
  const { rows } = await db.query(
    `SELECT d.product_id, p.sku, d.version, ss.sellable, p.inventory_sync,
            (SELECT k.quantity FROM integration.inventory_shop_level k WHERE k.connection_id = $1 AND k.sku = p.sku AND k.location = $2) AS known
       FROM (SELECT o.product_id, o.version, o.first_changed_at FROM integration.inventory_outbox o
              WHERE o.connection_id = $1 AND ${isDue('$3', '$4')}
              ORDER BY o.first_changed_at, o.product_id LIMIT $5) d
       JOIN integration.inventory_sync s ON s.connection_id = $1
       JOIN erp.product p ON p.id = d.product_id
       LEFT JOIN erp.sellable_stock ss ON ss.product_id = d.product_id AND ss.location_id = s.location_id
      ORDER BY d.first_changed_at, d.product_id`,
    [connection, shopLocation, debounce.quietMs, debounce.maxDelayMs, limit],
  );
  const next = await db.query(
    `SELECT ceil(extract(epoch FROM min(LEAST(o.changed_at + make_interval(secs => $2::float8 / 1000),
                                              o.first_changed_at + make_interval(secs => $3::float8 / 1000))) - clock_timestamp()) * 1000)::int AS ms
       FROM integration.inventory_outbox o WHERE o.connection_id = $1 AND NOT ${isDue('$2', '$3')}`,
    [connection, debounce.quietMs, debounce.maxDelayMs],
  );
  const ms = next.rows[0]?.ms as number | null;
  return {
    changes: rows.map((r) => ({
      productId: Number(r.product_id), sku: r.sku, version: Number(r.version), sellable: r.sellable, sync: r.inventory_sync, known: r.known,
    })),
    nextDueInMs: ms === null ? null : Math.max(ms, 0),
  };
}

/** Removes the pushed versions; a row changed since it was read keeps its newer version and stays due. */
export async function acknowledge(db: Queryable, connection: string, pushed: ReadonlyArray<{ productId: number; version: number }>): Promise<number> {
  if (pushed.length === 0) return 0;
  const { rowCount } = await db.query(
    `DELETE FROM integration.inventory_outbox o USING unnest($2::bigint[], $3::bigint[]) AS a(product_id, version)
      WHERE o.connection_id = $1 AND o.product_id = a.product_id AND o.version = a.version`,
    [connection, pushed.map((p) => p.productId), pushed.map((p) => p.version)],
  );
  return rowCount ?? 0;
}

/** Marks SKUs dirty again (a resync could not set them), so that the next pass pushes them with the drift policy. */
export async function markDirty(db: Queryable, connection: string, skus: readonly string[]): Promise<void> {
  if (skus.length === 0) return;
  await db.query(
    `INSERT INTO integration.inventory_outbox (connection_id, product_id) SELECT $1, id FROM erp.product WHERE sku = ANY($2)
     ON CONFLICT (connection_id, product_id) DO UPDATE SET version = integration.inventory_outbox.version + 1, changed_at = clock_timestamp()`,
    [connection, skus],
  );
}

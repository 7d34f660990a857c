import type { Pool } from 'pg';
import { ORDER_CATCHUP_STREAM, type CatchupWindow, type OrderCatchupPolicy } from '../../workflows/catchup/api';

/**
 * Where each shop's order catch-up stands: a UTC instant in integration.sync_cursor (system = the shop
 * connection, stream = orders-catchup), the moment its last completed listing began.
 */
export function createCatchupErpActivities(deps: { pool: Pool }) {
  return {
    /** The window to list: from the cursor less the overlap (or the first look-back), to now. */
    async planCatchupWindow(shop: string, policy: OrderCatchupPolicy): Promise<CatchupWindow> {
      const { rows } = await deps.pool.query<{ cursor_at: Date | null; now: Date }>(
        `SELECT (SELECT cursor_at FROM integration.sync_cursor WHERE system = $1 AND stream = $2) AS cursor_at, now() AS now`,
        [shop, ORDER_CATCHUP_STREAM],
      );
      const { cursor_at: cursorAt, now } = rows[0]!;
      const since = cursorAt ? cursorAt.getTime() - policy.overlapSeconds * 1000 : now.getTime() - policy.firstLookbackSeconds * 1000;
      return { since: new Date(since).toISOString(), until: now.toISOString() };
    },

    /** Moves the cursor forward to `until` (never back: an older run finishing late changes nothing). Repeatable. */
    async saveCatchupCursor(shop: string, until: string): Promise<void> {
      await deps.pool.query(
        `INSERT INTO integration.sync_cursor (system, stream, cursor_at) VALUES ($1, $2, $3)
         ON CONFLICT (system, stream) DO UPDATE
           SET cursor_at = GREATEST(integration.sync_cursor.cursor_at, EXCLUDED.cursor_at), updated_at = now()`,
        [shop, ORDER_CATCHUP_STREAM, until],
      );
    },
  };
}

export type CatchupErpActivities = ReturnType<typeof createCatchupErpActivities>;

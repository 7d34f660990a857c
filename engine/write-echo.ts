import type { Queryable } from '../db/transaction';

/**
 * Our own writes coming back as webhooks. When the order flow notes the ERP number on a shop order, the shop
 * announces that as an order update, and handing it to the flow would only make it read the order again and find
 * nothing new. So the flow records the write before making it (`expectWriteEcho`), keyed by the mark it leaves on
 * the order, and the relay lets the first update of that order that shows the mark stand for the write
 * (`takeWriteEcho`) instead of handing it over.
 *
 * Why this loses no change: every write, ours or anyone's, is announced by its own webhook, and only one webhook
 * per write of ours is taken. If the one taken was someone else's edit, the announcement of our write comes after
 * it and is handed over, and the flow then reads the order as it is after both. That needs the one taken to have
 * arrived first: an update is taken only when no earlier event of its order still waits in the inbox (one relay's
 * lane keeps them in order; several relays may each hold one). An expectation older than ECHO_WINDOW is never taken.
 * A webhook the shop never delivers is another matter: the order catch-up finds the version it would have brought,
 * and the taken echo does not count as having brought its own (see `source_version` below).
 */

/** How long after our write its announcement is awaited; a later one is handed over like any other update. */
export const ECHO_WINDOW = '10 minutes';

export interface EchoOf {
  shop: string;
  shopOrderId: string;
  /** Marks of our writes that the update shows (the ERP tags on the order). */
  marks: readonly string[];
}

/** Records, before the write, that the shop will announce it. Repeatable: a retried write expects nothing more. */
export async function expectWriteEcho(db: Queryable, shop: string, shopOrderId: string, mark: string): Promise<void> {
  await db.query(
    `INSERT INTO integration.shop_write_echo (shop, shop_order_id, mark) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [shop, shopOrderId, mark],
  );
}

/**
 * Takes an awaited echo for this inbox row and records the row as done with it, in one statement; the mark, or null
 * when the update is no echo (hand it over). Taking again for the same row answers the same (a relay that stopped
 * between the two finds it so after its lease).
 */
export async function takeWriteEcho(db: Queryable, echo: EchoOf, inboxId: number, workflowId: string): Promise<string | null> {
  const { rows } = await db.query<{ mark: string }>(
    `WITH taken AS (
       UPDATE integration.shop_write_echo SET consumed_at = coalesce(consumed_at, now()), consumed_by = $4
        WHERE shop = $1 AND shop_order_id = $2 AND mark = ANY($3::text[])
          AND ((consumed_by IS NULL AND expected_at > now() - $5::interval
                AND NOT EXISTS (SELECT 1 FROM integration.webhook_inbox earlier, integration.webhook_inbox this
                                 WHERE this.id = $4 AND earlier.business_key = this.business_key
                                   -- status and LIKE: the partial index webhook_inbox_pending_order
                                   AND earlier.status = 'pending' AND earlier.business_key LIKE '%:order:%' AND earlier.id < $4))
               OR consumed_by = $4)
        RETURNING mark),
     done AS (
       UPDATE integration.webhook_inbox
          SET status = 'dispatched', dispatched_at = now(), workflow_id = $6, last_error = NULL,
              outcome = 'echo of our own write (' || (SELECT min(mark) FROM taken) || '): not handed over',
              -- Its version never reached the flow: an edit made between the flow's read and our write, whose own
              -- webhook was lost, would hide behind it from the order catch-up (domain/order-catchup.ts).
              source_version = NULL
        WHERE id = $4 AND status = 'pending' AND EXISTS (SELECT 1 FROM taken))
     SELECT min(mark) AS mark FROM taken HAVING count(*) > 0`,
    [echo.shop, echo.shopOrderId, [...echo.marks], inboxId, ECHO_WINDOW, workflowId],
  );
  return rows[0]?.mark ?? null;
}

/**
 * Records that the flow holds the order as it is after our write (the shop's answer to the write showed the content
 * the flow has), at that version: the order catch-up need not hand that version over (`broughtVersions`).
 */
export async function recordBroughtVersion(db: Queryable, shop: string, shopOrderId: string, mark: string, version: string): Promise<void> {
  await db.query(
    `UPDATE integration.shop_write_echo SET brought_version = GREATEST(brought_version, $4::timestamptz)
      WHERE shop = $1 AND shop_order_id = $2 AND mark = $3`,
    [shop, shopOrderId, mark, version],
  );
}

/** The latest version each order's flow holds after a write of ours (`recordBroughtVersion`), by shop order id. */
export async function broughtVersions(db: Queryable, shop: string, shopOrderIds: readonly string[]): Promise<Map<string, Date>> {
  if (shopOrderIds.length === 0) return new Map();
  const { rows } = await db.query<{ shop_order_id: string; version: Date }>(
    `SELECT shop_order_id, max(brought_version) AS version FROM integration.shop_write_echo
      WHERE shop = $1 AND shop_order_id = ANY($2::text[]) AND brought_version IS NOT NULL GROUP BY shop_order_id`,
    [shop, shopOrderIds],
  );
  return new Map(rows.map((r) => [r.shop_order_id, r.version]));
}

/** Deletes expectations older than `days` (taken or not: they can no longer be taken). */
export async function pruneWriteEchoes(db: Queryable, days: number): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM integration.shop_write_echo WHERE expected_at < now() - make_interval(days => $1)`, [days]);
  return rowCount ?? 0;
}

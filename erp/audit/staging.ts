import type { Queryable } from '../../db/transaction';
import type { AuditEntity } from '../../domain/audit';
import type { AuditWindow } from './run';

/**
 * What a run read from the vendors, staged page by page (integration.audit_vendor_record), so that the comparison
 * is one set-based pass against the ERP. Staging the same page again (a resumed read) changes nothing.
 */

export interface StagedRecord { id: string; data: unknown }

export async function stageVendorRecords(db: Queryable, runId: number, entity: AuditEntity, connection: string, records: readonly StagedRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.query(
    `INSERT INTO integration.audit_vendor_record (run_id, entity, connection, subject_id, data)
     SELECT $1, $2, $3, r.id, r.data FROM jsonb_to_recordset($4::jsonb) AS r(id text, data jsonb)
     ON CONFLICT (run_id, entity, connection, subject_id) DO UPDATE SET data = EXCLUDED.data`,
    [runId, entity, connection, JSON.stringify(records)],
  );
}

/**
 * Shop orders the ERP holds for this shop, created in the window, that the shop's listing did not show: the audit
 * reads each one by id (an order the shop deleted shows up this way).
 */
export async function erpOrdersNotStaged(db: Queryable, runId: number, shop: string, window: AuditWindow): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT r.external_id FROM erp.external_ref r JOIN erp.sales_order so ON so.id = r.erp_id
      WHERE r.system = $2 AND r.entity_type = 'order' AND r.erp_table = 'sales_order'
        AND so.created_at >= $3 AND so.created_at < $4
        AND NOT EXISTS (SELECT 1 FROM integration.audit_vendor_record v
                         WHERE v.run_id = $1 AND v.entity = 'orders' AND v.connection = $2 AND v.subject_id = r.external_id)
      ORDER BY r.external_id`,
    [runId, shop, window.from, window.to],
  );
  return rows.map((r) => String(r.external_id));
}

/** Payments the ERP booked as captured in the window that the provider's listing did not show: read each by id. */
export async function erpPaymentsNotStaged(db: Queryable, runId: number, payments: string, window: AuditWindow): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT p.provider_payment_id FROM erp.payment p
      WHERE p.provider = $2 AND p.status IN ('captured', 'refunded')
        AND COALESCE(p.provider_captured_at, p.captured_at, p.created_at) >= $3 AND COALESCE(p.provider_captured_at, p.captured_at, p.created_at) < $4
        AND NOT EXISTS (SELECT 1 FROM integration.audit_vendor_record v
                         WHERE v.run_id = $1 AND v.entity = 'payments' AND v.connection = $2 AND v.subject_id = p.provider_payment_id)
      ORDER BY p.provider_payment_id`,
    [runId, payments, window.from, window.to],
  );
  return rows.map((r) => String(r.provider_payment_id));
}

/** The ERP location a shop's stock follows, when the shop is enrolled in the inventory sync (else its stock is not audited). */
export async function inventoryEnrolled(db: Queryable, shop: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM integration.inventory_sync WHERE connection_id = $1', [shop]);
  return (rowCount ?? 0) > 0;
}

/**
 * Where a run's read of one listing stands, kept beside the heartbeat in integration.sync_cursor (system = the
 * connection, stream = audit-<run>-<listing>): a read that a rate limit ended (the flow then runs it as a fresh
 * activity, without heartbeat details) resumes there too.
 */
export interface ReadPosition { phase: string; cursor: string | null }
const stream = (runId: number, listing: string) => `audit-${runId}-${listing}`;

export async function readPosition(db: Queryable, runId: number, connection: string, listing: string): Promise<ReadPosition | null> {
  const { rows } = await db.query('SELECT cursor_token FROM integration.sync_cursor WHERE system = $1 AND stream = $2', [connection, stream(runId, listing)]);
  return rows[0]?.cursor_token ? JSON.parse(rows[0].cursor_token) as ReadPosition : null;
}

export async function saveReadPosition(db: Queryable, runId: number, connection: string, listing: string, position: ReadPosition): Promise<void> {
  await db.query(
    `INSERT INTO integration.sync_cursor (system, stream, cursor_at, cursor_token) VALUES ($1, $2, now(), $3)
     ON CONFLICT (system, stream) DO UPDATE SET cursor_at = now(), cursor_token = EXCLUDED.cursor_token, updated_at = now()`,
    [connection, stream(runId, listing), JSON.stringify(position)],
  );
}

/** A finished run's read positions go with it. */
export async function forgetReadPositions(db: Queryable, runId: number): Promise<void> {
  await db.query(`DELETE FROM integration.sync_cursor WHERE stream LIKE $1`, [`audit-${runId}-%`]);
}

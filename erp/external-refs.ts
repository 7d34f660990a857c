import type { Queryable } from '../db/transaction';

/** The binder: maps an external system's id to the ERP record it stands for (unique per system, type and id). */

export interface ExternalKey {
  /** The connection (integration.connection.id) whose id this is, e.g. `shopify` or `shop-eu`. */
  system: string;
  entityType: string;
  externalId: string;
}

export interface Binding extends ExternalKey {
  id: number;
  erpTable: string;
  erpId: number;
  /** The workflow id that made the binding. */
  createdBy: string | null;
  /** The run that made it; null for bindings older than run ownership. */
  createdByRun: string | null;
}

const BINDING_COLUMNS = 'id, system, entity_type, external_id, erp_table, erp_id, created_by, created_by_run';

const toBinding = (r: Record<string, unknown>): Binding => ({
  id: r.id as number, system: r.system as string, entityType: r.entity_type as string, externalId: r.external_id as string,
  erpTable: r.erp_table as string, erpId: r.erp_id as number, createdBy: r.created_by as string | null, createdByRun: r.created_by_run as string | null,
});

export async function findBinding(db: Queryable, key: ExternalKey): Promise<Binding | undefined> {
  const { rows } = await db.query(
    `SELECT ${BINDING_COLUMNS} FROM erp.external_ref WHERE system = $1 AND entity_type = $2 AND external_id = $3`,
    [key.system, key.entityType, key.externalId],
  );
  return rows[0] && toBinding(rows[0]);
}

/**
 * Binds once; a second bind of the same key keeps the first binding and returns it. One round trip: the insert, or
 * else the binding already there. A binding another transaction committed while this statement ran is not in its
 * snapshot (the insert waited for it, then did nothing): then it is read again.
 */
export async function bind(db: Queryable, key: ExternalKey, erpTable: string, erpId: number, createdBy: string, createdByRun: string | null = null): Promise<Binding> {
  const { rows } = await db.query(
    `WITH inserted AS (
       INSERT INTO erp.external_ref (system, entity_type, external_id, erp_table, erp_id, created_by, created_by_run)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (system, entity_type, external_id) DO NOTHING
       RETURNING ${BINDING_COLUMNS})
     SELECT ${BINDING_COLUMNS} FROM inserted
     UNION ALL
     SELECT ${BINDING_COLUMNS} FROM erp.external_ref WHERE system = $1 AND entity_type = $2 AND external_id = $3`,
    [key.system, key.entityType, key.externalId, erpTable, erpId, createdBy, createdByRun],
  );
  return rows[0] ? toBinding(rows[0]) : (await findBinding(db, key))!;
}

export async function unbind(db: Queryable, key: ExternalKey): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM erp.external_ref WHERE system = $1 AND entity_type = $2 AND external_id = $3', [
    key.system, key.entityType, key.externalId,
  ]);
  return (rowCount ?? 0) > 0;
}

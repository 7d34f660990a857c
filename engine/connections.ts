import type { Connection } from '../connections/connection';
import type { Queryable } from '../db/transaction';

/**
 * The registered connections (integration.connection): bindings and inbox rows refer to them. Every relay and
 * worker registers the connections it serves at start; an id cannot change its vendor or role later, because
 * the records that carry it would then point at another system.
 */
export async function registerConnections(db: Queryable, connections: readonly Connection[]): Promise<void> {
  for (const c of connections) {
    await db.query('INSERT INTO integration.connection (id, role, vendor) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [c.id, c.role, c.vendor]);
    const { rows } = await db.query('SELECT role, vendor FROM integration.connection WHERE id = $1', [c.id]);
    const known = rows[0] as { role: string; vendor: string };
    if (known.role !== c.role || known.vendor !== c.vendor) {
      throw new Error(`connection "${c.id}" is registered as ${known.vendor} (${known.role}), not ${c.vendor} (${c.role}): give the new one another id`);
    }
  }
}

export async function registeredConnections(db: Queryable): Promise<Connection[]> {
  const { rows } = await db.query('SELECT id, role, vendor FROM integration.connection ORDER BY id');
  return rows as Connection[];
}

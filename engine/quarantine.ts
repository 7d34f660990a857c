import type { Queryable } from '../db/transaction';

/**
 * Authenticated input we could not understand, kept byte for byte for an operator to fix and replay. One row per
 * distinct delivery (its fingerprint): a vendor redelivering the same payload only bumps `occurrences`.
 */

export interface QuarantineEntry {
  id: number;
  source: string;
  reason: string;
  occurrences: number;
  receivedAt: Date;
  lastSeenAt: Date;
  sizeBytes: number;
}

export interface QuarantinedDelivery { id: number; source: string; rawBody: Buffer; headers: Record<string, string | undefined> }

export async function quarantine(
  db: Queryable, source: string, reason: string, rawBody: Buffer, headers: Record<string, unknown>, fingerprint: string,
): Promise<number> {
  const { rows } = await db.query(
    `INSERT INTO integration.quarantine AS q (source, reason, raw_body, headers, fingerprint) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (source, fingerprint) DO UPDATE SET occurrences = q.occurrences + 1, last_seen_at = now(), reason = EXCLUDED.reason
     RETURNING id`,
    [source, reason, rawBody, JSON.stringify(headers), fingerprint],
  );
  return Number(rows[0].id);
}

export async function listQuarantine(db: Queryable, status: 'open' | 'replayed' | 'discarded' = 'open'): Promise<QuarantineEntry[]> {
  const { rows } = await db.query(
    `SELECT id, source, reason, occurrences, received_at, last_seen_at, octet_length(raw_body) AS size
       FROM integration.quarantine WHERE status = $1 ORDER BY id`,
    [status],
  );
  return rows.map((r) => ({
    id: Number(r.id), source: r.source, reason: r.reason, occurrences: r.occurrences, receivedAt: r.received_at, lastSeenAt: r.last_seen_at, sizeBytes: r.size,
  }));
}

/** The open deliveries to replay: one by id, or all of them. */
export async function openDeliveries(db: Queryable, which: { id: number } | 'all'): Promise<QuarantinedDelivery[]> {
  const { rows } = await db.query(
    `SELECT id, source, raw_body, headers FROM integration.quarantine WHERE status = 'open' AND ($1::bigint IS NULL OR id = $1) ORDER BY id`,
    [which === 'all' ? null : which.id],
  );
  return rows.map((r) => ({ id: Number(r.id), source: r.source, rawBody: r.raw_body, headers: r.headers }));
}

export async function markReplayed(db: Queryable, id: number, note: string): Promise<void> {
  await db.query(`UPDATE integration.quarantine SET status = 'replayed', resolved_at = now(), note = $2 WHERE id = $1 AND status = 'open'`, [id, note]);
}

export async function updateReason(db: Queryable, id: number, reason: string): Promise<void> {
  await db.query(`UPDATE integration.quarantine SET reason = $2 WHERE id = $1 AND status = 'open'`, [id, reason]);
}

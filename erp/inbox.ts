import type { InboundEvent } from '../domain/webhooks/events';
import type { Queryable } from './db';

/** The webhook inbox: accepted events wait here until the dispatcher has handed them to Temporal. */

export interface InboxRow {
  id: number;
  provider: InboundEvent['provider'];
  eventId: string;
  topic: string;
  businessKey: string;
  payload: unknown;
  attempts: number;
}

/** One statement for the whole delivery; redelivered event ids are ignored. Returns how many were new. */
export async function storeEvents(db: Queryable, events: InboundEvent[], rawBody: Buffer, headers: Record<string, unknown>): Promise<number> {
  if (events.length === 0) return 0;
  const values: unknown[] = [];
  const tuples = events.map((e, i) => {
    values.push(e.provider, e.eventId, e.topic, e.businessKey, JSON.stringify(e.payload));
    const b = i * 5;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${events.length * 5 + 1}, $${events.length * 5 + 2})`;
  });
  values.push(rawBody, JSON.stringify(headers));
  const { rowCount } = await db.query(
    `INSERT INTO integration.webhook_inbox (provider, event_id, topic, business_key, payload, raw_body, headers)
     VALUES ${tuples.join(', ')} ON CONFLICT (provider, event_id) DO NOTHING`,
    values,
  );
  return rowCount ?? 0;
}

/** Locks up to `limit` due rows for this transaction; other dispatchers skip them. */
export async function claimDue(db: Queryable, limit: number): Promise<InboxRow[]> {
  const { rows } = await db.query(
    `SELECT id, provider, event_id, topic, business_key, payload, attempts FROM integration.webhook_inbox
      WHERE status = 'pending' AND next_attempt_at <= now()
      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id, provider: r.provider, eventId: r.event_id, topic: r.topic, businessKey: r.business_key, payload: r.payload, attempts: r.attempts,
  }));
}

export async function markDispatched(db: Queryable, id: number, workflowId: string, outcome: string): Promise<void> {
  await db.query(
    `UPDATE integration.webhook_inbox SET status = 'dispatched', dispatched_at = now(), workflow_id = $2, outcome = $3,
            attempts = attempts + 1, last_error = NULL WHERE id = $1`,
    [id, workflowId, outcome],
  );
}

export async function markUnrouted(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE integration.webhook_inbox SET status = 'unrouted', last_error = 'no flow handles this topic yet' WHERE id = $1`, [id]);
}

export async function scheduleRetry(db: Queryable, id: number, delayMs: number, error: string): Promise<void> {
  await db.query(
    `UPDATE integration.webhook_inbox SET attempts = attempts + 1, last_error = $3,
            next_attempt_at = now() + ($2::double precision * interval '1 millisecond') WHERE id = $1`,
    [id, delayMs, error.slice(0, 2000)],
  );
}

/** Gives unrouted events another chance, e.g. after a release adds the flow that handles them. */
export async function requeueUnrouted(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(`UPDATE integration.webhook_inbox SET status = 'pending', next_attempt_at = now() WHERE status = 'unrouted'`);
  return rowCount ?? 0;
}

export async function inboxCounts(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query('SELECT status, count(*)::int AS n FROM integration.webhook_inbox GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

import type { InboundEvent } from '../domain/webhooks/events';
import type { Queryable } from '../db/transaction';

/**
 * The webhook inbox: accepted events wait here until the dispatcher has handed them to Temporal.
 * No statement here is meant to be held open across a call to Temporal: a claim is its own statement, and so is the
 * outcome recorded afterwards.
 */

export type InboxStatus = 'pending' | 'dispatched' | 'unrouted' | 'failed' | 'ignored';

export interface InboxRow {
  id: number;
  provider: InboundEvent['provider'];
  eventId: string;
  topic: string;
  businessKey: string;
  payload: unknown;
  /** Claims so far, this one included (outages count). */
  attempts: number;
  /** Failed hand-overs that were not an outage. */
  failures: number;
}

const ROW_COLUMNS = 'id, provider, event_id, topic, business_key, payload, attempts, failures';
const toRow = (r: Record<string, unknown>): InboxRow => ({
  id: Number(r.id), provider: r.provider as InboxRow['provider'], eventId: r.event_id as string, topic: r.topic as string,
  businessKey: r.business_key as string, payload: r.payload, attempts: r.attempts as number, failures: r.failures as number,
});

/** One event as the inbox stores it, with the delivery it came in (raw bytes and kept headers, as JSON text). */
export interface InboxEntry {
  event: InboundEvent;
  rawBody: Buffer;
  headersJson: string;
}

/** Identifies an inbox row the way its unique constraint does: (connection, event id). */
export const inboxKey = (provider: string, eventId: string): string => `${provider}\u0000${eventId}`;

// One fixed statement whatever the number of rows, so each connection prepares it once. The rows travel as one
// JSON parameter (the raw body in base64): built by one JSON.stringify per value in the relay, parsed once by
// PostgreSQL, where eight array parameters cost an escaping pass per element in pg and a hex copy of each body.
// Rows go in in the order given: ids follow arrival, which the dispatcher's oldest-first claim relies on.
const INSERT_NEW = {
  name: 'inbox-insert-new-json',
  text: `INSERT INTO integration.webhook_inbox (provider, event_id, topic, business_key, payload, status, raw_body, headers, source_version)
         SELECT r->>0, r->>1, r->>2, r->>3, r->4, r->>5, decode(r->>6, 'base64'), r->7, (r->>8)::timestamptz
           FROM jsonb_array_elements($1::jsonb) AS r
         ON CONFLICT (provider, event_id) DO NOTHING
         RETURNING provider, event_id`,
};

/** The entries as the statement's one parameter: a JSON array of [provider, event id, topic, business key, payload, status, raw body, headers, version]. */
export function inboxRowsJson(entries: readonly InboxEntry[]): string {
  let text = '[';
  for (const [i, { event: e, rawBody, headersJson }] of entries.entries()) {
    if (i > 0) text += ',';
    text += `[${JSON.stringify(e.provider)},${JSON.stringify(e.eventId)},${JSON.stringify(e.topic)},${JSON.stringify(e.businessKey)},`;
    text += `${JSON.stringify(e.payload) ?? 'null'},"${e.ignored ? 'ignored' : 'pending'}","${rawBody.toString('base64')}",${headersJson},`;
    text += e.version === undefined ? 'null]' : `${JSON.stringify(e.version)}]`;
  }
  return text + ']';
}

/**
 * Stores the entries in one statement (one transaction, one commit) and returns the keys (`inboxKey`) of those that
 * are new; entries whose (connection, event id) is already stored, or comes earlier in `entries`, are left out.
 */
export async function insertNewEvents(db: Queryable, entries: readonly InboxEntry[]): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const { rows } = await db.query({ ...INSERT_NEW, values: [inboxRowsJson(entries)] });
  return new Set(rows.map((r: { provider: string; event_id: string }) => inboxKey(r.provider, r.event_id)));
}

/** One statement for the whole delivery; redelivered event ids are ignored. Returns how many were new. */
export async function storeEvents(db: Queryable, events: InboundEvent[], rawBody: Buffer, headers: Record<string, unknown>): Promise<number> {
  const headersJson = JSON.stringify(headers);
  return (await insertNewEvents(db, events.map((event) => ({ event, rawBody, headersJson })))).size;
}

/**
 * The latest version each business key's events brought, or are bringing, to their flow (`source_version` of rows
 * pending, handed over, or failed: a failed one is an operator's, with its issue). Not `ignored` or `unrouted` rows,
 * which no flow took. Keys without any are absent.
 */
export async function announcedVersions(db: Queryable, businessKeys: readonly string[]): Promise<Map<string, Date>> {
  if (businessKeys.length === 0) return new Map();
  const { rows } = await db.query<{ business_key: string; version: Date }>(
    `SELECT business_key, max(source_version) AS version FROM integration.webhook_inbox
      WHERE business_key = ANY($1::text[]) AND source_version IS NOT NULL AND status IN ('pending', 'dispatched', 'failed')
      GROUP BY business_key`,
    [businessKeys],
  );
  return new Map(rows.map((r) => [r.business_key, r.version]));
}

/** A claimed row, with what an observer of the hand-over wants to know of its arrival. */
export interface ClaimedRow extends InboxRow {
  /** Seconds since the row arrived, on the database's clock (which stamped the arrival). */
  ageSeconds: number;
  /** The kept header `arrivalHeader` names (the webhook's trace context), if the delivery had it. */
  arrivalHeader: string | null;
}

/**
 * Claims up to `limit` due rows for `leaseMs` and returns them, oldest first. The claim commits at once (no lock
 * outlives it): other dispatchers skip the rows until the lease ends, and a dispatcher that dies before recording
 * an outcome leaves them to be claimed again after it.
 */
export async function claimDue(db: Queryable, limit: number, leaseMs: number, arrivalHeader = ''): Promise<ClaimedRow[]> {
  const { rows } = await db.query(
    `UPDATE integration.webhook_inbox SET attempts = attempts + 1, next_attempt_at = now() + ($2::double precision * interval '1 millisecond')
      WHERE id IN (SELECT id FROM integration.webhook_inbox WHERE status = 'pending' AND next_attempt_at <= now()
                    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING ${ROW_COLUMNS}, extract(epoch FROM clock_timestamp() - received_at)::float8 AS age, headers->>$3 AS arrival_header`,
    [limit, leaseMs, arrivalHeader],
  );
  return rows
    .map((r): ClaimedRow => ({ ...toRow(r), ageSeconds: r.age as number, arrivalHeader: (r.arrival_header as string | null) ?? null }))
    .sort((a, b) => a.id - b.id);
}

/** Gives claimed rows back untouched (e.g. their lease would end before their turn). */
export async function releaseClaims(db: Queryable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE integration.webhook_inbox SET attempts = attempts - 1, next_attempt_at = now() WHERE id = ANY($1::bigint[]) AND status = 'pending'`,
    [ids],
  );
}

/** The rows one hand-over delivered (one statement for them all). */
export async function markDispatched(db: Queryable, ids: readonly number[], workflowId: string, outcome: string): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE integration.webhook_inbox SET status = 'dispatched', dispatched_at = now(), workflow_id = $2, outcome = $3, last_error = NULL
      WHERE id = ANY($1::bigint[]) AND status = 'pending'`,
    [ids, workflowId, outcome],
  );
}

/** No flow takes the row: `unrouted` (a topic we subscribe to; a release may add its flow) or `ignored`. */
export async function markUndeliverable(db: Queryable, id: number, status: 'unrouted' | 'ignored', reason: string): Promise<void> {
  await db.query(`UPDATE integration.webhook_inbox SET status = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`, [id, status, reason]);
}

/** Temporal is unreachable: try again after `delayMs`. An outage is nobody's fault, so it is not a failure. */
export async function deferAfterOutage(db: Queryable, id: number, delayMs: number, error: string): Promise<void> {
  await db.query(
    `UPDATE integration.webhook_inbox SET last_error = $3, next_attempt_at = now() + ($2::double precision * interval '1 millisecond')
      WHERE id = $1 AND status = 'pending'`,
    [id, delayMs, error.slice(0, 2000)],
  );
}

/** Counts a failed hand-over; the `maxFailures`-th makes the row `failed`. Says whether it did. */
export async function recordFailure(db: Queryable, id: number, delayMs: number, error: string, maxFailures: number): Promise<{ failed: boolean }> {
  const { rows } = await db.query(
    `UPDATE integration.webhook_inbox SET failures = failures + 1, last_error = $3,
            status = CASE WHEN failures + 1 >= $4 THEN 'failed' ELSE status END,
            next_attempt_at = now() + ($2::double precision * interval '1 millisecond')
      WHERE id = $1 AND status = 'pending' RETURNING status`,
    [id, delayMs, error.slice(0, 2000), maxFailures],
  );
  return { failed: rows[0]?.status === 'failed' };
}

/** Gives unrouted events another chance, e.g. after a release adds the flow that handles them. */
export async function requeueUnrouted(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(`UPDATE integration.webhook_inbox SET status = 'pending', next_attempt_at = now() WHERE status = 'unrouted'`);
  return rowCount ?? 0;
}

export const REPLAYABLE: readonly InboxStatus[] = ['failed', 'ignored', 'unrouted'];

/** Puts rows back to `pending` with a fresh failure count: one row by id, or every failed row. */
export async function requeueForReplay(db: Queryable, which: { id: number } | { status: 'failed' }): Promise<Array<{ id: number; previous: InboxStatus }>> {
  const { rows } = await db.query(
    `UPDATE integration.webhook_inbox i SET status = 'pending', failures = 0, last_error = NULL, next_attempt_at = now()
       FROM integration.webhook_inbox old
      WHERE old.id = i.id AND i.status = ANY($3::text[]) AND ($1::bigint IS NULL OR i.id = $1) AND ($2::text IS NULL OR i.status = $2)
      RETURNING i.id, old.status AS previous`,
    ['id' in which ? which.id : null, 'status' in which ? which.status : null, REPLAYABLE],
  );
  return rows.map((r) => ({ id: Number(r.id), previous: r.previous as InboxStatus }));
}

export async function inboxStatusOf(db: Queryable, id: number): Promise<InboxStatus | undefined> {
  const { rows } = await db.query('SELECT status FROM integration.webhook_inbox WHERE id = $1', [id]);
  return rows[0]?.status as InboxStatus | undefined;
}

/** Deletes finished rows (dispatched, ignored) received more than `days` ago, in bounded chunks. */
export async function pruneInbox(db: Queryable, days: number, chunk = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM integration.webhook_inbox WHERE id IN (
         SELECT id FROM integration.webhook_inbox
          WHERE status IN ('dispatched', 'ignored') AND received_at < now() - ($1::double precision * interval '1 day') LIMIT $2)`,
      [days, chunk],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < chunk) return total;
  }
}

export async function inboxCounts(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query('SELECT status, count(*)::int AS n FROM integration.webhook_inbox GROUP BY status ORDER BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export interface FailedInboxRow { id: number; provider: string; eventId: string; topic: string; failures: number; lastError: string | null }

export async function listFailed(db: Queryable, limit = 50): Promise<FailedInboxRow[]> {
  const { rows } = await db.query(
    `SELECT id, provider, event_id, topic, failures, last_error FROM integration.webhook_inbox WHERE status = 'failed' ORDER BY id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ id: Number(r.id), provider: r.provider, eventId: r.event_id, topic: r.topic, failures: r.failures, lastError: r.last_error }));
}

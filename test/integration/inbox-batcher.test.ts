import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Pool, PoolClient } from 'pg';
import { createLogger } from '../../config/logger';
import { signHubspotV3 } from '../../connectors/hubspot/signature';
import type { Queryable } from '../../db/transaction';
import type { InboundEvent } from '../../domain/webhooks/events';
import { InboxBatcher } from '../../relay/inbox-batcher';
import { buildRelayServer } from '../../relay/server';
import { startDatabase } from '../support/database';
import { eventually } from '../support/harness';

/** Group commit of the webhook inbox, on a real PostgreSQL: who gets which event, and what a failed flush means. */

let db: Awaited<ReturnType<typeof startDatabase>>;
beforeAll(async () => {
  db = await startDatabase();
  // A database that refuses some rows, as a failing disk or a bad deploy would: 'boom-*' aborts the statement
  // (not a data error; so do HubSpot event ids starting 666), 'bad-*' breaks a constraint (a data error: the rows,
  // not the database).
  await db.pool.query(`
    CREATE FUNCTION refuse_test_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.event_id LIKE 'boom-%' OR NEW.event_id LIKE '666%' THEN RAISE EXCEPTION 'simulated failure for %', NEW.event_id; END IF;
      IF NEW.event_id LIKE 'bad-%' THEN RAISE EXCEPTION 'simulated constraint for %', NEW.event_id USING ERRCODE = 'check_violation'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse BEFORE INSERT ON integration.webhook_inbox FOR EACH ROW EXECUTE FUNCTION refuse_test_rows();`);
});
afterAll(async () => db?.close());

const event = (eventId: string, provider = 'hubspot'): InboundEvent => ({
  provider, eventId, topic: 'contact.creation', businessKey: `${provider}:contact:${eventId}`, payload: { eventId },
});
const body = (tag: string) => Buffer.from(`delivery ${tag}`);

/** The pool, counting the statements sent through it. */
function counted(pool: Pool): { db: Queryable; statements: () => number } {
  let n = 0;
  const query = ((...args: Parameters<Pool['query']>) => {
    n++;
    return (pool.query as (...a: unknown[]) => unknown)(...args);
  }) as Pool['query'];
  return { db: { query }, statements: () => n };
}

const storedRows = async (eventIds: string[]) => (await db.pool.query(
  'SELECT event_id, raw_body FROM integration.webhook_inbox WHERE event_id = ANY($1) ORDER BY id', [eventIds],
)).rows.map((r) => [r.event_id as string, (r.raw_body as Buffer).toString()]);

test('deliveries of one turn share one statement; an event named twice in the batch is stored once, for the first delivery', async () => {
  await new InboxBatcher(db.pool).store([event('dup-0')], body('earlier'), {});
  const { db: countingDb, statements } = counted(db.pool);
  const inbox = new InboxBatcher(countingDb);
  const outcomes = await Promise.all([
    inbox.store([event('dup-1'), event('dup-2')], body('a'), {}),
    inbox.store([event('dup-1')], body('b'), {}),
    inbox.store([event('dup-2'), event('dup-3')], body('c'), {}),
    inbox.store([event('dup-1'), event('dup-0')], body('d'), {}),
    inbox.store([event('dup-3', 'shopify')], body('e'), {}),
  ]);
  expect(outcomes).toEqual([2, 0, 1, 0, 1]);
  expect(statements()).toBe(1);
  expect(await storedRows(['dup-0', 'dup-1', 'dup-2', 'dup-3'])).toEqual([
    ['dup-0', 'delivery earlier'], ['dup-1', 'delivery a'], ['dup-2', 'delivery a'], ['dup-3', 'delivery c'], ['dup-3', 'delivery e'],
  ]);
  // The same deliveries again, now all stored: every event a duplicate.
  expect(await Promise.all([inbox.store([event('dup-1')], body('a'), {}), inbox.store([event('dup-3')], body('c'), {})])).toEqual([0, 0]);
});

test('a failed flush refuses every delivery of its batch and stores none of them; the next batch is stored', async () => {
  const inbox = new InboxBatcher(db.pool, { maxConcurrentFlushes: 1 });
  const failing = [
    inbox.store([event('fail-a')], body('a'), {}),
    inbox.store([event('boom-1')], body('boom'), {}),
    inbox.store([event('fail-b'), event('fail-c')], body('b'), {}),
  ].map((p) => p.then((n) => ({ stored: n }), (err: Error) => ({ error: err.message })));
  // Queued while the failing flush is under way: a batch of its own.
  await new Promise((resolve) => setImmediate(resolve));
  const later = inbox.store([event('fail-d')], body('d'), {});
  expect(await Promise.all(failing)).toEqual([
    { error: expect.stringContaining('simulated failure for boom-1') },
    { error: expect.stringContaining('simulated failure for boom-1') },
    { error: expect.stringContaining('simulated failure for boom-1') },
  ]);
  expect(await later).toBe(1);
  expect(await storedRows(['fail-a', 'boom-1', 'fail-b', 'fail-c', 'fail-d'])).toEqual([['fail-d', 'delivery d']]);
});

test('when the database refuses one delivery\'s data, only that delivery is refused: its neighbours are stored', async () => {
  const inbox = new InboxBatcher(db.pool);
  const outcomes = await Promise.all([
    inbox.store([event('data-a')], body('a'), {}),
    inbox.store([event('data-b'), event('bad-1')], body('bad'), {}),
    inbox.store([event('data-c')], body('c'), {}),
  ].map((p) => p.then((n) => ({ stored: n }), (err: Error & { code?: string }) => ({ code: err.code }))));
  expect(outcomes).toEqual([{ stored: 1 }, { code: '23514' }, { stored: 1 }]);
  expect(await storedRows(['data-a', 'data-b', 'bad-1', 'data-c'])).toEqual([['data-a', 'delivery a'], ['data-c', 'delivery c']]);
});

test('closing answers every delivery already accepted before it resolves, and refuses new ones', async () => {
  const inbox = new InboxBatcher(db.pool, { maxConcurrentFlushes: 1 });
  const accepted = Array.from({ length: 20 }, (_, i) => inbox.store([event(`close-${i}`)], body(`${i}`), {}));
  let answered = 0;
  for (const p of accepted) void p.then(() => answered++);
  const closed = inbox.close();
  await expect(inbox.store([event('close-late')], body('late'), {})).rejects.toThrow('the inbox is closed');
  await closed;
  expect(answered).toBe(20);
  expect((await storedRows(Array.from({ length: 20 }, (_, i) => `close-${i}`))).length).toBe(20);
});

describe('over HTTP', () => {
  const secret = 'batcher-test-secret';
  let app: FastifyInstance;
  let inbox: InboxBatcher;
  let url: string;
  beforeAll(async () => {
    inbox = new InboxBatcher(db.pool, { maxConcurrentFlushes: 1 });
    app = await buildRelayServer({
      pool: db.pool, connections: [{ id: 'hubspot', role: 'crm', vendor: 'hubspot' }], secrets: { hubspot: secret },
      logger: createLogger('inbox-batcher-test', 'silent'), bodyLimitBytes: 65_536, inbox,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/webhooks/hubspot`;
  });
  afterAll(async () => app?.close());

  const deliver = async (eventId: string) => {
    const text = JSON.stringify([{ eventId, subscriptionType: 'contact.creation', objectId: 77, portalId: 1 }]);
    const timestamp = Date.now();
    const res = await fetch(url, {
      method: 'POST', body: text,
      headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': String(timestamp), 'x-hubspot-signature-v3': signHubspotV3(secret, 'POST', url, text, timestamp) },
    });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };

  test('the requests of a failed batch get 503 with a reason to retry; those of the batches around it are acknowledged and stored', async () => {
    // Hold the first flush on a table lock, so that the next two deliveries queue up and share the following batch.
    const blocker: PoolClient = await db.pool.connect();
    let first: Promise<{ status: number; body: Record<string, unknown> }>;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE integration.webhook_inbox IN SHARE MODE');
      first = deliver('9001');
      await eventually('the first flush waiting on the lock', async () => {
        const { rows } = await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        return rows.length > 0 ? true : undefined;
      });
      const boom = deliver('6669002');
      const neighbour = deliver('9003');
      await eventually('both deliveries queued behind the first flush', async () => (inbox.waiting === 2 ? true : undefined));
      await blocker.query('COMMIT');
      expect(await first).toEqual({ status: 200, body: { received: 1, duplicates: 0, ignored: 0 } });
      const failed = await Promise.all([boom, neighbour]);
      expect(failed).toEqual([
        { status: 503, body: { error: 'unavailable', reason: 'temporarily unable to store the event; retry later' } },
        { status: 503, body: { error: 'unavailable', reason: 'temporarily unable to store the event; retry later' } },
      ]);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      blocker.release();
    }
    // The vendor redelivers the refused neighbour: stored now, once.
    expect(await deliver('9003')).toEqual({ status: 200, body: { received: 1, duplicates: 0, ignored: 0 } });
    expect((await storedRows(['9001', '6669002', '9003'])).map(([id]) => id)).toEqual(['9001', '9003']);
  });
});

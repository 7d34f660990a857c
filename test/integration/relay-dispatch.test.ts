import { runInboxCommand } from '../../client/inbox-commands';
import { createPool } from '../../db/pool';
import { inTransaction } from '../../db/transaction';
import { claimDue, storeEvents } from '../../engine/inbox';
import { listIssues } from '../../engine/issues';
import { startRelay } from '../../relay/relay';
import { inboxUpdateId } from '../../relay/routes';
import { signShopify } from '../../connectors/shopify/signature';
import type { InboundEvent } from '../../domain/webhooks/events';
import { createLogger } from '../../config/logger';
import { CONNECTIONS, eventually, startHarness, type Harness } from '../support/harness';

/**
 * The dispatcher: leases instead of locks held across Temporal calls, several relays at once, update ids that make
 * retried updates harmless, failures that end as `failed` with an issue, replay, and retention.
 */

let h: Harness;
const UPDATE_TIMEOUT_MS = 2000;
beforeAll(async () => {
  h = await startHarness({ withoutWorker: true, relay: { dispatch: { updateTimeoutMs: UPDATE_TIMEOUT_MS, maxBackoffMs: 300, maxFailures: 6 } } });
});
afterAll(async () => h?.close());

const row = async (eventId: string) => (await h.pool.query(
  `SELECT id::int, status, attempts, failures, last_error, outcome, next_attempt_at, dispatched_at FROM integration.webhook_inbox WHERE event_id = $1`, [eventId],
)).rows[0];

const shopifyWebhook = (body: string, topic: string, webhookId: string) => fetch(`${h.relay.url}/webhooks/shopify`, {
  method: 'POST', body,
  headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': signShopify(h.secrets.shopify, body), 'x-shopify-topic': topic, 'x-shopify-webhook-id': webhookId },
});

const leadEvent = (n: number): InboundEvent => ({
  provider: 'hubspot', eventId: `lease-${n}`, topic: 'contact.creation', businessKey: `hubspot:contact:${h.idBase + n}`, payload: { n },
});

test('an event whose hand-over keeps failing becomes failed with an issue; replay after the fix delivers it', async () => {
  // A 1200-digit order id passes our parser but not Temporal (workflow ids are limited to 1000 characters).
  const longId = '9'.repeat(1200);
  const res = await shopifyWebhook(JSON.stringify({ id: longId }), 'orders/create', 'wh-long');
  expect(res.status).toBe(200);
  const failed = await eventually('the row to fail', async () => {
    const r = await row('wh-long');
    return r?.status === 'failed' ? r : undefined;
  });
  expect(failed).toMatchObject({ failures: 6, last_error: expect.stringMatching(/length/i) });
  const [issue] = await listIssues(h.pool, { status: 'open', workflowId: `relay-inbox-${failed.id}` });
  expect(issue).toMatchObject({
    flow: 'relay', step: 'dispatch', kind: 'step-failed', businessKey: `shopify:order:${longId}`,
    details: { eventId: 'wh-long', inboxId: failed.id, lastError: failed.last_error },
  });
  expect(await runInboxCommand(h.pool, { action: 'counts' }, { retentionDays: 30, operator: 'test' })).toMatch(new RegExp(`#${failed.id} shopify orders/create wh-long: 6 failures`));

  // The fix (here: the event names an order Temporal accepts), then the replay.
  await h.pool.query(`UPDATE integration.webhook_inbox SET business_key = $2 WHERE id = $1`, [failed.id, `shopify:order:${h.idBase + 4711}`]);
  expect(await runInboxCommand(h.pool, { action: 'replay', which: { status: 'failed' } }, { retentionDays: 30, operator: 'alice' }))
    .toBe(`#${failed.id} (failed) is pending again`);
  const delivered = await eventually('the replayed row dispatched', async () => {
    const r = await row('wh-long');
    return r?.status === 'dispatched' ? r : undefined;
  });
  expect(delivered).toMatchObject({ failures: 0, outcome: 'signal shopOrderChanged', last_error: null });
  expect(await listIssues(h.pool, { workflowId: `relay-inbox-${failed.id}` })).toEqual([expect.objectContaining({ status: 'resolved', resolvedBy: 'alice' })]);
  await expect(runInboxCommand(h.pool, { action: 'replay', which: { id: failed.id } }, { retentionDays: 30, operator: 'alice' }))
    .rejects.toThrow(`inbox replay: row ${failed.id} does not exist or is not failed, ignored or unrouted`);
});

test('a relay that dies between claim and outcome leaves the row to be claimed again once its lease ends', async () => {
  const leaseMs = 2500;
  // Stored and claimed in one transaction, as a relay that then crashed: no other dispatcher can see it unclaimed.
  const leaseEnd = await inTransaction(h.pool, async (tx) => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await storeEvents(tx, [leadEvent(1)], Buffer.from('{}'), { 'engine-traceparent': traceparent });
    const [claimed] = await claimDue(tx, 1, leaseMs, 'engine-traceparent');
    // The claim also says how long the row waited (the database's clock) and the trace it came with.
    expect(claimed).toMatchObject({ eventId: 'lease-1', attempts: 1, arrivalHeader: traceparent });
    expect(claimed!.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(claimed!.ageSeconds).toBeLessThan(60);
    return (await tx.query(`SELECT next_attempt_at FROM integration.webhook_inbox WHERE event_id = 'lease-1'`)).rows[0].next_attempt_at as Date;
  });
  const dispatched = await eventually('the abandoned row dispatched', async () => {
    const r = await row('lease-1');
    return r?.status === 'dispatched' ? r : undefined;
  });
  expect(dispatched.dispatched_at.getTime()).toBeGreaterThanOrEqual(leaseEnd.getTime());
  expect(dispatched).toMatchObject({ attempts: 2, failures: 0, outcome: 'signal contactChanged' });
});

test('several relays share the inbox: every event is claimed and handed over exactly once', async () => {
  const others = await Promise.all([1, 2].map(async () => {
    const pool = createPool(h.databaseUrl, 5);
    const relay = await startRelay({
      pool, client: h.client, logger: createLogger('test', 'silent'), host: '127.0.0.1', port: 0, bodyLimitBytes: 65536, secrets: {}, connections: [CONNECTIONS.crm, ...CONNECTIONS.shops],
      routes: { taskQueue: h.taskQueue, leadPolicy: { qualifyingStage: 'salesqualifiedlead', defaultPhoneCountry: 'US' }, orderPolicy: { shortfall: 'cancel', paymentWaitSeconds: 30, cancelShopOrderOnFailure: true } },
      pollMs: 20, dispatch: { batchSize: 3 },
    });
    return { pool, relay };
  }));
  try {
    const events = Array.from({ length: 24 }, (_, i) => leadEvent(100 + i));
    await storeEvents(h.pool, events, Buffer.from('{}'), {});
    const rows = await eventually('every event dispatched', async () => {
      const r = await h.pool.query(`SELECT event_id, attempts, workflow_id FROM integration.webhook_inbox WHERE event_id LIKE 'lease-1__' AND status = 'dispatched'`);
      return r.rowCount === events.length ? r.rows : undefined;
    });
    expect(rows.filter((r) => r.attempts !== 1)).toEqual([]);
    for (const { workflow_id: workflowId } of rows) {
      const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
      expect([workflowId, history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes).length]).toEqual([workflowId, 1]);
    }
  } finally {
    for (const { pool, relay } of others) {
      await relay.close();
      await pool.end();
    }
  }
});

test('an update that outlasts its deadline while Temporal answers is retried with the same update id, holding no lock meanwhile', async () => {
  // No worker: the update-with-start starts the order flow, then waits for a worker to take the update.
  const res = await shopifyWebhook(JSON.stringify({ id: 5150 }), 'orders/updated', 'wh-edit-5150');
  expect(res.status).toBe(200);
  const inFlight = await eventually('the update in flight', async () => {
    const r = await row('wh-edit-5150');
    const running = await h.client.workflow.getHandle('order-shopify-5150').describe().catch(() => undefined);
    return r?.status === 'pending' && r.attempts >= 1 && running ? r : undefined;
  });
  // While the relay waits on Temporal: no open transaction, and the row can be locked by anyone.
  const idle = await h.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
  expect(idle.rows[0].n).toBe(0);
  await inTransaction(h.pool, async (tx) => {
    const locked = await tx.query('SELECT id FROM integration.webhook_inbox WHERE id = $1 FOR UPDATE NOWAIT', [inFlight.id]);
    expect(locked.rowCount).toBe(1);
  });

  const busy = await eventually('two timed-out attempts', async () => {
    const r = await row('wh-edit-5150');
    return r?.failures >= 2 ? r : undefined;
  }, 30_000);
  expect(busy).toMatchObject({ status: 'pending', last_error: `update editOrder not accepted by its flow within ${UPDATE_TIMEOUT_MS} ms; retried with the same update id` });

  await h.startWorker();
  try {
    const done = await eventually('the update delivered', async () => {
      const r = await row('wh-edit-5150');
      return r?.status === 'dispatched' ? r : undefined;
    });
    expect(done.outcome).toMatch(/^update editOrder/);
    expect(done.attempts).toBeGreaterThanOrEqual(3);
    const history = await h.client.workflow.getHandle('order-shopify-5150').fetchHistory();
    const accepted = history.events?.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes).filter((a) => a) ?? [];
    expect(accepted.map((a) => a!.acceptedRequest?.meta?.updateId)).toEqual([inboxUpdateId({ provider: 'shopify', eventId: 'wh-edit-5150' })]);
  } finally {
    await h.stopWorker();
  }
});

test('retention: dispatched and ignored rows past it are pruned, by the ops command and by the relay itself', async () => {
  const age = (eventIds: string[]) => h.pool.query(`UPDATE integration.webhook_inbox SET received_at = now() - interval '40 days' WHERE event_id = ANY($1)`, [eventIds]);
  const old = (n: number, status: string) => ({ ...leadEvent(900 + n), eventId: `old-${status}-${n}`, ignored: status === 'ignored' });
  await storeEvents(h.pool, [old(1, 'dispatched'), old(2, 'ignored'), old(3, 'failed'), old(4, 'dispatched')], Buffer.from('{}'), {});
  await h.pool.query(`UPDATE integration.webhook_inbox SET status = 'failed' WHERE event_id = 'old-failed-3'`);
  await eventually('the rows to dispatch', async () => ((await row('old-dispatched-1'))?.status === 'dispatched' && (await row('old-dispatched-4'))?.status === 'dispatched' ? true : undefined));
  await age(['old-dispatched-1', 'old-ignored-2', 'old-failed-3']);

  expect(await runInboxCommand(h.pool, { action: 'prune', days: 30 }, { retentionDays: 30, operator: 'test' })).toBe('2 dispatched or ignored rows older than 30 days deleted.');
  const kept = await h.pool.query(`SELECT event_id FROM integration.webhook_inbox WHERE event_id LIKE 'old-%' ORDER BY event_id`);
  expect(kept.rows.map((r) => r.event_id)).toEqual(['old-dispatched-4', 'old-failed-3']);

  await age(['old-dispatched-4']);
  const relay = await startRelay({
    pool: h.pool, client: h.client, logger: createLogger('test', 'silent'), host: '127.0.0.1', port: 0, bodyLimitBytes: 65536, secrets: {}, connections: [CONNECTIONS.crm, ...CONNECTIONS.shops],
    routes: { taskQueue: h.taskQueue, leadPolicy: { qualifyingStage: 'salesqualifiedlead', defaultPhoneCountry: 'US' }, orderPolicy: { shortfall: 'cancel', paymentWaitSeconds: 30, cancelShopOrderOnFailure: true } },
    pollMs: 1000, retentionDays: 30,
  });
  try {
    await eventually('the relay to prune', async () => ((await row('old-dispatched-4')) === undefined ? true : undefined));
    expect((await row('old-failed-3'))?.status).toBe('failed');
  } finally {
    await relay.close();
  }
});

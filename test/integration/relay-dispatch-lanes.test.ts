import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { createLogger } from '../../config/logger';
import { storeEvents } from '../../engine/inbox';
import { startRelay } from '../../relay/relay';
import { inboxUpdateId } from '../../relay/routes';
import type { InboundEvent } from '../../domain/webhooks/events';
import { CONNECTIONS, eventually, startHarness, type Harness } from '../support/harness';

/**
 * The dispatcher's lanes: events for different workflows are handed over side by side, so a hand-over that waits
 * (here an update no worker accepts) holds back only the events of its own workflow, which still go in inbox order.
 */

let h: Harness;
const UPDATE_TIMEOUT_MS = 15_000;
beforeAll(async () => {
  h = await startHarness({ withoutWorker: true, relay: { dispatch: { updateTimeoutMs: UPDATE_TIMEOUT_MS, maxBackoffMs: 300, batchSize: 5, concurrency: 4 } } });
});
afterAll(async () => h?.close());

const row = async (eventId: string) => (await h.pool.query(
  `SELECT id::int, status, attempts, failures, last_error, outcome FROM integration.webhook_inbox WHERE event_id = $1`, [eventId],
)).rows[0];

const leadEvent = (contact: number, eventId: string): InboundEvent => ({
  provider: 'hubspot', eventId, topic: 'contact.creation', businessKey: `hubspot:contact:${contact}`, payload: { contact },
});
const orderEvent = (order: number, eventId: string, topic: string): InboundEvent => ({
  provider: 'shopify', eventId, topic, businessKey: `shopify:order:${order}`, payload: { id: order },
});

/** The event ids a workflow was signalled with, in the order its history has them. */
async function signalledEventIds(workflowId: string): Promise<string[]> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const data = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { eventId: string }).eventId] : [];
  });
}

test('an update its flow does not take holds back only its own workflow: other workflows go meanwhile, its next event after it', async () => {
  const leads = Array.from({ length: 10 }, (_, i) => leadEvent(770_100 + i, `lane-lead-${i}`));
  // Oldest first: the update comes before everything else, so a dispatcher that waits on it would hold all of it.
  await storeEvents(h.pool, [orderEvent(7001, 'lane-edit-7001', 'orders/updated'), orderEvent(7001, 'lane-paid-7001', 'orders/paid'), ...leads], Buffer.from('{}'), {});

  await eventually('every lead event handed over', async () => {
    const r = await h.pool.query(`SELECT count(*)::int AS n FROM integration.webhook_inbox WHERE event_id LIKE 'lane-lead-%' AND status = 'dispatched'`);
    return r.rows[0].n === leads.length ? true : undefined;
  });
  // Meanwhile the update still waits in its first hand-over, and the order's next event waits behind it.
  expect(await row('lane-edit-7001')).toMatchObject({ status: 'pending', attempts: 1, failures: 0 });
  expect(await row('lane-paid-7001')).toMatchObject({ status: 'pending', failures: 0 });
  expect(await signalledEventIds('order-shopify-7001')).toEqual([]);

  // Once the update's hand-over has ended (its deadline: counted as a failure, retried later), the next event goes.
  const paid = await eventually('the order\'s next event handed over', async () => {
    const r = await row('lane-paid-7001');
    return r?.status === 'dispatched' ? r : undefined;
  }, UPDATE_TIMEOUT_MS + 30_000);
  expect(paid).toMatchObject({ attempts: 1, outcome: 'signal shopOrderChanged' });
  expect(await row('lane-edit-7001')).toMatchObject({
    status: 'pending', failures: expect.any(Number), last_error: `update editOrder not accepted by its flow within ${UPDATE_TIMEOUT_MS} ms; retried with the same update id`,
  });
  expect((await row('lane-edit-7001')).failures).toBeGreaterThanOrEqual(1);
  expect(await signalledEventIds('order-shopify-7001')).toEqual(['lane-paid-7001']);

  // With a worker the flow accepts the update: handed over once, under the event's own update id.
  await h.startWorker();
  try {
    const edit = await eventually('the update accepted', async () => {
      const r = await row('lane-edit-7001');
      return r?.status === 'dispatched' ? r : undefined;
    }, 60_000);
    expect(edit.outcome).toMatch(/^update editOrder/);
    const history = await h.client.workflow.getHandle('order-shopify-7001').fetchHistory();
    const accepted = history.events?.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId).filter((id) => id) ?? [];
    expect(accepted).toEqual([inboxUpdateId({ provider: 'shopify', eventId: 'lane-edit-7001' })]);
  } finally {
    await h.stopWorker();
  }
});

test('events of one workflow reach it in inbox order while workflows are handed over in parallel, across claims', async () => {
  // This relay alone dispatches now; its client makes the first hand-over of each workflow slow (an injected delay in
  // the call), so that without lanes the later events of that workflow, handed over beside it, would overtake it.
  await h.relay.dispatcher.stop();
  const slowFirst: WorkflowClientInterceptor = {
    async signalWithStart(input, next) {
      if ((input.signalArgs[0] as { eventId: string }).eventId.endsWith('-0')) await new Promise((resolve) => setTimeout(resolve, 400));
      return next(input);
    },
  };
  const client = new Client({ connection: h.client.connection, namespace: h.client.options.namespace, interceptors: { workflow: [slowFirst] } });
  const relay = await startRelay({
    pool: h.pool, client, logger: createLogger('test', 'silent'), host: '127.0.0.1', port: 0, bodyLimitBytes: 65536, secrets: {}, connections: [CONNECTIONS.crm],
    routes: { taskQueue: h.taskQueue, leadPolicy: { qualifyingStage: 'salesqualifiedlead', defaultPhoneCountry: 'US' }, orderPolicy: { shortfall: 'cancel', paymentWaitSeconds: 30, cancelShopOrderOnFailure: true } },
    pollMs: 20, dispatch: { batchSize: 5, concurrency: 4 },
  });
  try {
    const contacts = [770_201, 770_202, 770_203, 770_204, 770_205, 770_206];
    const perContact = 6;
    // Interleaved (never two of one contact in a row, so none are merged), over more claims (5 rows) than lanes (4).
    const events = Array.from({ length: perContact }, (_, n) => contacts.map((c) => leadEvent(c, `order-${c}-${n}`))).flat();
    await storeEvents(h.pool, events, Buffer.from('{}'), {});
    await eventually('every event handed over', async () => {
      const r = await h.pool.query(`SELECT count(*)::int AS n FROM integration.webhook_inbox WHERE event_id LIKE 'order-7702%' AND status = 'dispatched'`);
      return r.rows[0].n === events.length ? true : undefined;
    });
    for (const c of contacts) {
      expect([c, await signalledEventIds(`lead-hubspot-${c}`)]).toEqual([c, Array.from({ length: perContact }, (_, n) => `order-${c}-${n}`)]);
    }
    const attempts = await h.pool.query(`SELECT count(*)::int AS n FROM integration.webhook_inbox WHERE event_id LIKE 'order-7702%' AND attempts <> 1`);
    expect(attempts.rows[0].n).toBe(0);
  } finally {
    await relay.close();
  }
});

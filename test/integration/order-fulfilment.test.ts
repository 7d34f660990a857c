import { ORDER_UPDATE } from '../../connectors/shopify/queries';
import { availability } from '../../erp/catalogue';
import { listIssues } from '../../engine/issues';
import { editOrderUpdate, markShippedUpdate, paymentReceivedSignal } from '../../workflows/order/api';
import { orderFulfilment } from '../../workflows/order/workflow';
import { decideUpdate, progressQuery } from '../../workflows/shared/operator-api';
import { eventually, startHarness, type Harness } from '../support/harness';
import { erpView, placeOrder, reachesState, seedProduct, shopClient, stripeClient } from '../support/orders';
import { recordHistory } from '../support/histories';
import { clearFaults, injectFaults, simGet, simPost } from '../support/sim-control';

/** Order -> shop -> ERP end to end: Shopify and Stripe simulators, relay, Temporal, worker, PostgreSQL. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await seedProduct(h, 'TEE', 100, 2500);
  await seedProduct(h, 'MUG', 100, 1450);
});
afterAll(async () => h?.close());
afterEach(async () => {
  h.activityFaults.clear();
  await simPost(h.shopify.url, 'throttle', { maximumAvailable: 1000, restoreRate: 50, currentlyAvailable: 1000 });
  await clearFaults(h.stripe.url);
});

const ship = (workflowId: string) =>
  h.client.workflow.getHandle(workflowId).executeUpdate(markShippedUpdate, { args: [{ trackingNumber: '1Z999', carrier: 'UPS' }] });

test('an authorised payment is captured after reservation, the invoice posted, the shop told, and shipping fulfils', async () => {
  const placedAt = Date.now();
  const placed = await placeOrder(h, { lines: [{ sku: 'TEE', quantity: 3, unitPriceMinor: 2500 }, { sku: 'MUG', quantity: 1, unitPriceMinor: 1450 }], payment: 'authorized', shippingMinor: 499 });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');

  const erp = await erpView(h, placed.order.id);
  expect(erp.order).toMatchObject({ status: 'invoiced', total_minor: 7500 + 1450 + 499 });
  expect(erp.order.confirmed_at).not.toBeNull();
  expect(erp.reservations).toEqual(expect.arrayContaining([{ status: 'active', quantity: 3 }, { status: 'active', quantity: 1 }]));
  expect(erp.payments).toEqual([{ provider_payment_id: placed.paymentIntentId, status: 'captured', amount_minor: 9449, fee_minor: Math.round(9449 * 0.029) + 30 }]);
  expect(erp.invoice).toMatchObject({ status: 'paid', total_minor: 9449, paid_minor: 9449 });
  expect((await stripeClient(h).retrievePaymentIntent(placed.paymentIntentId!)).status).toBe('succeeded');
  expect((await shopClient(h).getOrder(placed.order.id)).tags).toContain(`erp:${erp.order.order_number}`);
  // The KPI runs from the order's creation in the shop to its confirmation in the ERP.
  const metric = await h.pool.query(
    `SELECT m.value_ms::int AS value_ms, (extract(epoch FROM o.confirmed_at - o.source_created_at) * 1000)::int AS span_ms
       FROM integration.flow_metric m, erp.sales_order o WHERE m.business_key = $1 AND m.metric = 'order_processing_ms' AND o.id = $2`,
    [`shopify:order:${placed.order.id}`, erp.order.id]);
  expect(metric.rows).toHaveLength(1);
  expect(metric.rows[0].value_ms).toBeGreaterThan(0);
  expect(metric.rows[0].value_ms).toBeLessThan(Date.now() - placedAt + 1000);
  expect(Math.abs(metric.rows[0].value_ms - metric.rows[0].span_ms)).toBeLessThanOrEqual(1);

  const before = (await availability(h.pool, ['TEE']))[0]!;
  await ship(placed.workflowId);
  const result = await h.client.workflow.getHandle(placed.workflowId).result();
  expect(result).toMatchObject({ status: 'fulfilled', orderNumber: erp.order.order_number, invoiceNumber: erp.invoice.invoice_number, backordered: false });
  const after = (await availability(h.pool, ['TEE']))[0]!;
  expect(after).toEqual({ sku: 'TEE', onHand: before.onHand - 3, reserved: before.reserved - 3, available: before.available });
  expect((await erpView(h, placed.order.id)).order.status).toBe('fulfilled');
  await recordHistory(placed.workflowId, 'order-fulfilment-authorised-captured');
});

const captureCalls = async () => {
  const { requests } = await (await fetch(`${h.stripe.url}/__sim/requests`)).json() as { requests: Record<string, number> };
  return Object.entries(requests).filter(([route]) => route.includes('/capture')).reduce((sum, [, n]) => sum + n, 0);
};

test('a payment captured at checkout is recorded, not captured again', async () => {
  const capturesBefore = await captureCalls();
  const placed = await placeOrder(h, { lines: [{ sku: 'MUG', quantity: 2, unitPriceMinor: 1450 }], payment: 'captured' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  const erp = await erpView(h, placed.order.id);
  expect(erp.payments).toMatchObject([{ status: 'captured', amount_minor: 2900 }]);
  expect(await captureCalls()).toBe(capturesBefore);
  await ship(placed.workflowId);
  await recordHistory(placed.workflowId, 'order-fulfilment-captured-at-checkout');
});

test('an order without payment waits, and a payment signalled later settles it', async () => {
  const placed = await placeOrder(h, { lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'none' });
  await reachesState(h, placed.workflowId, 'awaiting-payment');
  const intent = await stripeClient(h).createPaymentIntent({ amountMinor: 2500, currency: 'USD', captureMethod: 'automatic', paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: `late-${placed.order.id}` });
  await h.client.workflow.getHandle(placed.workflowId).signal(paymentReceivedSignal, { paymentId: intent.id });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  expect((await erpView(h, placed.order.id)).payments).toMatchObject([{ provider_payment_id: intent.id, status: 'captured', amount_minor: 2500 }]);
  expect(await listIssues(h.pool, { workflowId: placed.workflowId })).toEqual([]);
});

/** No captured money left on an undone order, no reservation, and every record in its cancelled state. */
async function expectUndone(placed: { order: { id: string }; paymentIntentId: string | null }, opts: { shopCancelled: boolean }) {
  const erp = await erpView(h, placed.order.id);
  if (erp.order) expect(erp.order.status).toBe('cancelled');
  expect(erp.reservations.filter((r) => r.status === 'active')).toEqual([]);
  if (erp.invoice) expect(erp.invoice.status).toBe('void');
  if (placed.paymentIntentId) {
    const intent = await stripeClient(h).retrievePaymentIntent(placed.paymentIntentId);
    if (intent.status === 'succeeded') {
      const charge = await stripeClient(h).retrieveCharge(intent.latestChargeId!);
      expect(charge.amountRefundedMinor).toBe(charge.amountCapturedMinor);
    } else {
      expect(intent.status).toBe('canceled');
    }
  }
  expect(Boolean((await shopClient(h).getOrder(placed.order.id)).cancelledAt)).toBe(opts.shopCancelled);
}

async function openIssue(workflowId: string) {
  return eventually(`an open issue of ${workflowId}`, async () => (await listIssues(h.pool, { workflowId, status: 'open' }))[0]);
}

describe.each([
  ['ensure-customer', 'ensureOrderCustomer'],
  ['create-sales-order', 'createSalesOrder'],
  ['reserve-stock', 'reserveStock'],
  ['capture-payment', 'capturePayment'],
  ['post-invoice', 'postInvoice'],
  ['tag-shop-order', 'tagShopOrder'],
  ['confirm-order', 'confirmOrder'],
])('a step that keeps failing (%s)', (step, activity) => {
  test('waits for an operator; compensate leaves every system consistent', async () => {
    const stockBefore = (await availability(h.pool, ['TEE']))[0]!;
    h.activityFaults.set(activity, { remaining: 1 });
    const placed = await placeOrder(h, { lines: [{ sku: 'TEE', quantity: 2, unitPriceMinor: 2500 }], payment: 'authorized' });
    const handle = h.client.workflow.getHandle(placed.workflowId);
    const issue = await openIssue(placed.workflowId);
    expect(issue).toMatchObject({ step, kind: 'step-failed', message: expect.stringContaining('injected fault') });
    await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'compensate' }, issueId: issue.id }] });
    expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: expect.stringContaining(`compensate at step ${step}`) });
    await expectUndone(placed, { shopCancelled: true });
    expect((await availability(h.pool, ['TEE']))[0]).toEqual(stockBefore);
    if (step === 'capture-payment') await recordHistory(placed.workflowId, 'order-fulfilment-compensated-at-capture');
  });

  test('a cancellation in the shop while the flow is held there undoes everything', async () => {
    const stockBefore = (await availability(h.pool, ['TEE']))[0]!;
    h.activityFaults.set(activity, { remaining: 1 });
    const placed = await placeOrder(h, { lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
    await openIssue(placed.workflowId);
    await shopClient(h).cancelOrder(placed.order.id, { reason: 'CUSTOMER', refund: false, restock: true });
    expect(await h.client.workflow.getHandle(placed.workflowId).result()).toMatchObject({ status: 'cancelled', reason: 'cancelled in the shop' });
    await expectUndone(placed, { shopCancelled: true });
    expect((await availability(h.pool, ['TEE']))[0]).toEqual(stockBefore);
    expect(await listIssues(h.pool, { workflowId: placed.workflowId })).toMatchObject([{ status: 'resolved', resolution: { action: 'cancelled' } }]);
  });
});

/** Has Shopify resend its last `count` webhooks, and waits until the relay has acknowledged (durably taken) each one. */
async function redeliverAndWait(count: number): Promise<void> {
  type Deliveries = { deliveries: Array<{ seq: number; ids: string[]; ok: boolean }> };
  const before = Math.max(0, ...(await simGet<Deliveries>(h.shopify.url, 'deliveries')).deliveries.map((d) => d.seq));
  const { webhookIds } = await simPost(h.shopify.url, 'webhooks/redeliver', { count }) as { webhookIds: string[] };
  expect(webhookIds).toHaveLength(count);
  await eventually('the redelivered webhooks acknowledged by the relay', async () => {
    const later = (await simGet<Deliveries>(h.shopify.url, 'deliveries')).deliveries.filter((d) => d.seq > before && d.ok);
    return webhookIds.every((id) => later.some((d) => d.ids.includes(id))) ? true : undefined;
  });
}

test('the same webhook delivered 5 times, concurrently and late, makes one ERP order and one capture', async () => {
  const capturesBefore = await captureCalls();
  await simPost(h.shopify.url, 'webhooks/config', { duplicates: 5 });
  const placed = await placeOrder(h, { lines: [{ sku: 'MUG', quantity: 1, unitPriceMinor: 1450 }], payment: 'authorized' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  await simPost(h.shopify.url, 'webhooks/config', { duplicates: 1 });
  await redeliverAndWait(3);
  await ship(placed.workflowId);
  await h.client.workflow.getHandle(placed.workflowId).result();
  await redeliverAndWait(3);
  const orders = await h.pool.query(`SELECT count(*)::int AS n FROM erp.external_ref WHERE system = 'shopify' AND entity_type = 'order' AND external_id = $1`, [placed.order.id]);
  expect(orders.rows[0].n).toBe(1);
  expect(await captureCalls()).toBe(capturesBefore + 1);
  const runs = [];
  for await (const run of h.client.workflow.list({ query: `WorkflowId = '${placed.workflowId}'` })) runs.push(run);
  expect(runs).toHaveLength(1);
});

test('two concurrent orders for the last unit: exactly one gets it, the other is undone', async () => {
  await seedProduct(h, 'LAST', 1, 9900);
  const [a, b] = await Promise.all([0, 1].map(() => placeOrder(h, { lines: [{ sku: 'LAST', quantity: 1, unitPriceMinor: 9900 }], payment: 'authorized' })));
  const results = await Promise.all([a!, b!].map(async (p) => {
    await eventually('a settled order', async () => {
      const state = (await h.client.workflow.getHandle(p.workflowId).query(progressQuery).catch(() => undefined))?.state;
      return state === 'awaiting-shipment' || state === 'cancelled' ? state : undefined;
    });
    return (await h.client.workflow.getHandle(p.workflowId).query(progressQuery)).state;
  }));
  expect([...results].sort()).toEqual(['awaiting-shipment', 'cancelled']);
  const loser = results[0] === 'cancelled' ? a! : b!;
  const winnerResult = [a!, b!].find((p) => p !== loser)!;
  expect(await h.client.workflow.getHandle(loser.workflowId).result()).toMatchObject({ status: 'cancelled', reason: expect.stringContaining('insufficient stock: LAST') });
  await expectUndone(loser, { shopCancelled: true });
  expect(await availability(h.pool, ['LAST'])).toEqual([{ sku: 'LAST', onHand: 1, reserved: 1, available: 0 }]);
  await ship(winnerResult.workflowId);
});

test('Shopify throttling and Stripe 5xx/429 storms slow the flow down but it completes without an issue', async () => {
  const placed = await placeOrder(h, { lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
  // From here on the flow's own reads find the bucket empty and refilling slowly, and Stripe in trouble.
  await simPost(h.shopify.url, 'throttle', { maximumAvailable: 1000, restoreRate: 150, currentlyAvailable: 0 });
  await injectFaults(h.stripe.url, [
    { method: 'GET', pathPattern: '^/v1/payment_intents/', kind: 'status', status: 503, remaining: 2 },
    { method: 'POST', pathPattern: '/capture$', kind: 'rate-limit', retryAfterSeconds: 1, remaining: 2 },
  ]);
  await reachesState(h, placed.workflowId, 'awaiting-shipment', 90_000);
  // The storms really happened: Shopify answered THROTTLED and Stripe used up both injected rules.
  const throttle = await simGet<{ throttledRequests: number }>(h.shopify.url, 'throttle');
  expect(throttle.throttledRequests).toBeGreaterThan(0);
  expect((await simGet<{ faults: Array<{ remaining: number }> }>(h.stripe.url, 'faults')).faults).toEqual([
    expect.objectContaining({ remaining: 0 }), expect.objectContaining({ remaining: 0 }),
  ]);
  expect(await listIssues(h.pool, { workflowId: placed.workflowId })).toEqual([]);
  expect((await erpView(h, placed.order.id)).payments).toMatchObject([{ status: 'captured', amount_minor: 2500 }]);
  await ship(placed.workflowId);
  await recordHistory(placed.workflowId, 'order-fulfilment-vendor-storms');
});

test('a cancellation in the shop while the order waits for shipment refunds, voids and releases everything', async () => {
  const placed = await placeOrder(h, { lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  await shopClient(h).cancelOrder(placed.order.id, { reason: 'CUSTOMER', refund: false, restock: true });
  expect(await h.client.workflow.getHandle(placed.workflowId).result()).toMatchObject({ status: 'cancelled', reason: 'cancelled in the shop' });
  await expectUndone(placed, { shopCancelled: true });
  await recordHistory(placed.workflowId, 'order-fulfilment-cancelled-in-shop');
});

test('a cancellation racing with the first steps leaves nothing behind', async () => {
  const placed = await placeOrder(h, { lines: [{ sku: 'MUG', quantity: 1, unitPriceMinor: 1450 }], payment: 'authorized' });
  await shopClient(h).cancelOrder(placed.order.id, { reason: 'CUSTOMER', refund: false, restock: true });
  const result = await eventually('the flow to end', async () => {
    const handle = h.client.workflow.getHandle(placed.workflowId);
    const d = await handle.describe().catch(() => undefined);
    return d && d.status.name !== 'RUNNING' ? handle.result() : undefined;
  });
  expect(['cancelled', 'cancelled-in-shop']).toContain(result.status);
  await expectUndone(placed, { shopCancelled: true });
});

test('no payment before the deadline: the order is cancelled with compensation', async () => {
  await simPost(h.shopify.url, 'webhooks/config', { targetUrl: 'http://127.0.0.1:9/unreachable' });
  const placed = await placeOrder(h, { lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'none' });
  await simPost(h.shopify.url, 'webhooks/config', { targetUrl: `${h.relay.url}/webhooks/shopify` });
  const handle = await h.client.workflow.start(orderFulfilment, {
    workflowId: placed.workflowId, taskQueue: h.taskQueue,
    args: [{ shopOrderId: placed.order.id, policy: { shortfall: 'cancel', paymentWaitSeconds: 2, cancelShopOrderOnFailure: true } }],
  });
  expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'no payment within 2 s', undone: ['reserve-stock', 'create-sales-order', 'ensure-customer', 'cancel-shop-order'] });
  await expectUndone(placed, { shopCancelled: true });
});

test('an address edit is applied while waiting for shipment; an edit once shipped is refused with a reason', async () => {
  const placed = await placeOrder(h, { lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  const handle = h.client.workflow.getHandle(placed.workflowId);
  await shopClient(h).request(ORDER_UPDATE, {
    input: { id: placed.order.gid, shippingAddress: { address1: '2 New Road', city: 'Shelbyville', zip: '54321', countryCode: 'US', firstName: 'Ada', lastName: 'Buyer' } },
  });
  await eventually('the new address in the ERP', async () => {
    const r = await h.pool.query(`SELECT shipping_address->>'address1' AS a FROM erp.sales_order WHERE source_reference = $1`, [placed.order.name]);
    return r.rows[0]?.a === '2 New Road' ? true : undefined;
  });
  const outcome = await eventually('the update outcome', async () => {
    const r = await h.pool.query(`SELECT outcome FROM integration.webhook_inbox WHERE business_key = $1 AND topic = 'orders/updated' AND outcome LIKE '%address%'`, [`shopify:order:${placed.order.id}`]);
    return r.rows[0]?.outcome as string | undefined;
  });
  expect(outcome).toBe('update editOrder: {"applied":["address"]}');
  await expect(handle.executeUpdate(editOrderUpdate, { args: [{ eventId: 'manual', topic: 'orders/updated' }] })).resolves.toEqual({ applied: [] });
  await ship(placed.workflowId);
  await expect(handle.executeUpdate(editOrderUpdate, { args: [{ eventId: 'late', topic: 'orders/updated' }] }))
    .rejects.toMatchObject({ cause: { message: expect.stringMatching(/too late to edit/) } });
});

test('a guest checkout with a known email links to the existing ERP customer', async () => {
  const existing = await h.pool.query(
    `INSERT INTO erp.customer (display_name, email, name_key) VALUES ('Grace Known', 'grace.known@example.com', 'grace known') RETURNING id`,
  );
  const placed = await placeOrder(h, { lines: [{ sku: 'MUG', quantity: 1, unitPriceMinor: 1450 }], payment: 'captured', email: 'Grace.Known@Example.com' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  const order = await h.pool.query(`SELECT customer_id FROM erp.sales_order WHERE source_reference = $1`, [placed.order.name]);
  expect(order.rows).toEqual([{ customer_id: existing.rows[0].id }]);
  expect((await h.pool.query(`SELECT count(*)::int AS n FROM erp.customer WHERE email = 'grace.known@example.com'`)).rows[0].n).toBe(1);
  await ship(placed.workflowId);
});

test('under the backorder policy a shortfall goes on: paid and invoiced now, shipped from stock that arrives later', async () => {
  await seedProduct(h, 'SOLDOUT', 0, 3000);
  await simPost(h.shopify.url, 'webhooks/config', { targetUrl: 'http://127.0.0.1:9/unreachable' });
  const placed = await placeOrder(h, { lines: [{ sku: 'SOLDOUT', quantity: 2, unitPriceMinor: 3000 }], payment: 'authorized' });
  await simPost(h.shopify.url, 'webhooks/config', { targetUrl: `${h.relay.url}/webhooks/shopify` });
  const handle = await h.client.workflow.start(orderFulfilment, {
    workflowId: placed.workflowId, taskQueue: h.taskQueue,
    args: [{ shopOrderId: placed.order.id, policy: { shortfall: 'backorder', paymentWaitSeconds: 30, cancelShopOrderOnFailure: true } }],
  });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  expect((await erpView(h, placed.order.id))).toMatchObject({ reservations: [], invoice: { status: 'paid', total_minor: 6000 } });
  await seedProduct(h, 'SOLDOUT', 5, 3000);
  await ship(placed.workflowId);
  expect(await handle.result()).toMatchObject({ status: 'fulfilled', backordered: true });
  expect(await availability(h.pool, ['SOLDOUT'])).toEqual([{ sku: 'SOLDOUT', onHand: 3, reserved: 0, available: 3 }]);
});

import { availability } from '../../../erp/catalogue';
import { listIssues } from '../../../engine/issues';
import type { CheckoutSpec } from '../../../connectors/shopify/simulator/checkout';
import { editOrderUpdate, paymentReceivedSignal, type OrderPolicy } from '../../../workflows/order/api';
import { orderFulfilment } from '../../../workflows/order/workflow';
import { decideUpdate } from '../../../workflows/shared/operator-api';
import { eventually, startHarness, type Harness } from '../../support/harness';
import { recordHistory } from '../../support/histories';
import {
  erpView, expectUndone, openIssue, reachesState, settles, ship, stripeCalls, stripeClient,
} from '../../support/orders';
import { clearFaults, injectFaults, simGet } from '../../support/sim-control';
import { shopDriver, type ShopDriver, type ShopName } from '../../support/shop-drivers';

/**
 * Order -> shop -> ERP end to end, the same expectations for every shop: shop and Stripe simulators, relay, Temporal,
 * worker, PostgreSQL, one engine per shop. A test file runs these cases in `describe.each` over its shops; one file
 * per shop lets jest run the shops in parallel.
 */
export function orderFulfilmentCases(shopName: ShopName): void {
  let h: Harness;
  let shop: ShopDriver;
  // Replay histories are recorded from the Shopify runs only (test/histories keeps one per case).
  const record = (workflowId: string, name: string) => (shopName === 'shopify' ? recordHistory(workflowId, name) : undefined);
  const handleOf = (workflowId: string) => h.client.workflow.getHandle(workflowId);
  const captureCalls = () => stripeCalls(h, /\/capture$/);

  beforeAll(async () => {
    h = await startHarness();
    shop = shopDriver(h, shopName);
    await shop.seedProduct('TEE', 100, 2500);
    await shop.seedProduct('MUG', 100, 1450);
  });
  afterAll(async () => h?.close());
  afterEach(async () => {
    h.activityFaults.clear();
    await shop.reset();
    await clearFaults(h.stripe.url);
  });

  test('an authorised payment is captured after reservation, the invoice posted, the shop told, and shipping fulfils', async () => {
    const placedAt = Date.now();
    const placed = await shop.placeOrder({
      lines: [{ sku: 'TEE', quantity: 3, unitPriceMinor: 2500 }, { sku: 'MUG', quantity: 1, unitPriceMinor: 1450 }],
      payment: 'authorized', shippingMinor: 499,
    });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');

    const erp = await erpView(h, shop.connection, placed.order.id);
    expect(erp.order).toMatchObject({ status: 'invoiced', total_minor: 7500 + 1450 + 499 });
    expect(erp.order.confirmed_at).not.toBeNull();
    expect(erp.reservations).toEqual(expect.arrayContaining([{ status: 'active', quantity: 3 }, { status: 'active', quantity: 1 }]));
    expect(erp.payments).toEqual([
      { provider_payment_id: placed.paymentIntentId, status: 'captured', amount_minor: 9449, fee_minor: Math.round(9449 * 0.029) + 30 },
    ]);
    expect(erp.invoice).toMatchObject({ status: 'paid', total_minor: 9449, paid_minor: 9449 });
    expect((await stripeClient(h).retrievePaymentIntent(placed.paymentIntentId!)).status).toBe('succeeded');
    expect(await shop.erpReferences(placed.order.id)).toEqual([`erp:${erp.order.order_number}`]);
    // The KPI runs from the order's creation in the shop to its confirmation in the ERP.
    const metric = await h.pool.query(
      `SELECT m.value_ms::int AS value_ms, (extract(epoch FROM o.confirmed_at - o.source_created_at) * 1000)::int AS span_ms
         FROM integration.flow_metric m, erp.sales_order o WHERE m.business_key = $1 AND m.metric = 'order_processing_ms' AND o.id = $2`,
      [shop.businessKey(placed.order.id), erp.order.id]);
    expect(metric.rows).toHaveLength(1);
    expect(metric.rows[0].value_ms).toBeGreaterThan(0);
    expect(metric.rows[0].value_ms).toBeLessThan(Date.now() - placedAt + 1000);
    expect(Math.abs(metric.rows[0].value_ms - metric.rows[0].span_ms)).toBeLessThanOrEqual(1);

    const before = (await availability(h.pool, ['TEE']))[0]!;
    await ship(h, placed.workflowId);
    const result = await handleOf(placed.workflowId).result();
    expect(result).toMatchObject({
      status: 'fulfilled', orderNumber: erp.order.order_number, invoiceNumber: erp.invoice.invoice_number, backordered: false,
    });
    const after = (await availability(h.pool, ['TEE']))[0]!;
    expect(after).toEqual({ sku: 'TEE', onHand: before.onHand - 3, reserved: before.reserved - 3, available: before.available });
    expect((await erpView(h, shop.connection, placed.order.id)).order.status).toBe('fulfilled');
    expect(await shop.fulfilments(placed.order.id)).toBe(1);
    await record(placed.workflowId, 'order-fulfilment-authorised-captured');
  });

  test('a payment captured at checkout is recorded, not captured again', async () => {
    const capturesBefore = await captureCalls();
    const placed = await shop.placeOrder({ lines: [{ sku: 'MUG', quantity: 2, unitPriceMinor: 1450 }], payment: 'captured' });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    expect((await erpView(h, shop.connection, placed.order.id)).payments).toMatchObject([{ status: 'captured', amount_minor: 2900 }]);
    expect(await captureCalls()).toBe(capturesBefore);
    await ship(h, placed.workflowId);
    await record(placed.workflowId, 'order-fulfilment-captured-at-checkout');
  });

  test('an order without payment waits, and a payment signalled later settles it', async () => {
    const placed = await shop.placeOrder({ lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'none' });
    await reachesState(h, placed.workflowId, 'awaiting-payment');
    const intent = await stripeClient(h).createPaymentIntent({
      amountMinor: 2500, currency: 'USD', captureMethod: 'automatic', paymentMethod: 'pm_card_visa', confirm: true,
      idempotencyKey: `late-${placed.workflowId}`,
    });
    await handleOf(placed.workflowId).signal(paymentReceivedSignal, { paymentId: intent.id });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    expect((await erpView(h, shop.connection, placed.order.id)).payments)
      .toMatchObject([{ provider_payment_id: intent.id, status: 'captured', amount_minor: 2500 }]);
    expect(await listIssues(h.pool, { workflowId: placed.workflowId })).toEqual([]);
  });

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
      const placed = await shop.placeOrder({ lines: [{ sku: 'TEE', quantity: 2, unitPriceMinor: 2500 }], payment: 'authorized' });
      const handle = handleOf(placed.workflowId);
      const issue = await openIssue(h, placed.workflowId);
      expect(issue).toMatchObject({ step, kind: 'step-failed', message: expect.stringContaining('injected fault') });
      await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'compensate' }, issueId: issue.id }] });
      expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: expect.stringContaining(`compensate at step ${step}`) });
      await expectUndone(h, shop, placed, { shopCancelled: true });
      expect((await availability(h.pool, ['TEE']))[0]).toEqual(stockBefore);
      if (step === 'capture-payment') await record(placed.workflowId, 'order-fulfilment-compensated-at-capture');
    });

    test('a cancellation in the shop while the flow is held there undoes everything', async () => {
      const stockBefore = (await availability(h.pool, ['TEE']))[0]!;
      h.activityFaults.set(activity, { remaining: 1 });
      const placed = await shop.placeOrder({ lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
      await openIssue(h, placed.workflowId);
      await shop.cancelInShop(placed.order.id);
      expect(await handleOf(placed.workflowId).result()).toMatchObject({ status: 'cancelled', reason: 'cancelled in the shop' });
      await expectUndone(h, shop, placed, { shopCancelled: true });
      expect((await availability(h.pool, ['TEE']))[0]).toEqual(stockBefore);
      expect(await listIssues(h.pool, { workflowId: placed.workflowId }))
        .toMatchObject([{ status: 'resolved', resolution: { action: 'cancelled' } }]);
    });
  });

  test('the same webhook delivered 5 times, concurrently and late, makes one ERP order and one capture', async () => {
    const capturesBefore = await captureCalls();
    await shop.duplicateWebhooks(5);
    const placed = await shop.placeOrder({ lines: [{ sku: 'MUG', quantity: 1, unitPriceMinor: 1450 }], payment: 'authorized' });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    await shop.duplicateWebhooks(1);
    await shop.redeliverAndWait(3);
    await ship(h, placed.workflowId);
    await handleOf(placed.workflowId).result();
    await shop.redeliverAndWait(3);
    const orders = await h.pool.query(
      `SELECT count(*)::int AS n FROM erp.external_ref WHERE system = $1 AND entity_type = 'order' AND external_id = $2`,
      [shop.connection, placed.order.id]);
    expect(orders.rows[0].n).toBe(1);
    expect(await captureCalls()).toBe(capturesBefore + 1);
    const runs = [];
    for await (const run of h.client.workflow.list({ query: `WorkflowId = '${placed.workflowId}'` })) runs.push(run);
    expect(runs).toHaveLength(1);
  });

  test('two concurrent orders for the last unit: exactly one gets it, the other is undone', async () => {
    const sku = 'LAST';
    await shop.seedProduct(sku, 1, 9900);
    const lastUnit = { lines: [{ sku, quantity: 1, unitPriceMinor: 9900 }], payment: 'authorized' as const };
    const placed = await Promise.all([0, 1].map(() => shop.placeOrder(lastUnit)));
    const states = await Promise.all(placed.map((p) => settles(h, p.workflowId)));
    expect([...states].sort()).toEqual(['awaiting-shipment', 'cancelled']);
    const loser = placed[states.indexOf('cancelled')]!;
    const winner = placed[states.indexOf('awaiting-shipment')]!;
    expect(await handleOf(loser.workflowId).result())
      .toMatchObject({ status: 'cancelled', reason: expect.stringContaining(`insufficient stock: ${sku}`) });
    await expectUndone(h, shop, loser, { shopCancelled: true });
    expect(await availability(h.pool, [sku])).toEqual([{ sku, onHand: 1, reserved: 1, available: 0 }]);
    await ship(h, winner.workflowId);
  });

  test('shop rate limits and Stripe 5xx/429 storms slow the flow down but it completes without an issue', async () => {
    const placed = await shop.placeOrder({ lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
    // From here on the flow's own reads meet the shop's rate limits, and Stripe in trouble.
    await shop.startRateLimitStorm();
    await injectFaults(h.stripe.url, [
      { method: 'GET', pathPattern: '^/v1/payment_intents/', kind: 'status', status: 503, remaining: 2 },
      { method: 'POST', pathPattern: '/capture$', kind: 'rate-limit', retryAfterSeconds: 1, remaining: 2 },
    ]);
    await reachesState(h, placed.workflowId, 'awaiting-shipment', 90_000);
    // The storms really happened: the shop refused calls and Stripe used up both injected rules.
    expect(await shop.rateLimitedCalls()).toBeGreaterThan(0);
    expect((await simGet<{ faults: Array<{ remaining: number }> }>(h.stripe.url, 'faults')).faults).toEqual([
      expect.objectContaining({ remaining: 0 }), expect.objectContaining({ remaining: 0 }),
    ]);
    expect(await listIssues(h.pool, { workflowId: placed.workflowId })).toEqual([]);
    expect((await erpView(h, shop.connection, placed.order.id)).payments).toMatchObject([{ status: 'captured', amount_minor: 2500 }]);
    await ship(h, placed.workflowId);
    await record(placed.workflowId, 'order-fulfilment-vendor-storms');
  });

  test('a cancellation in the shop while the order waits for shipment refunds, voids and releases everything', async () => {
    const placed = await shop.placeOrder({ lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    await shop.cancelInShop(placed.order.id);
    expect(await handleOf(placed.workflowId).result()).toMatchObject({ status: 'cancelled', reason: 'cancelled in the shop' });
    await expectUndone(h, shop, placed, { shopCancelled: true });
    await record(placed.workflowId, 'order-fulfilment-cancelled-in-shop');
  });

  test('a cancellation racing with the first steps leaves nothing behind', async () => {
    const placed = await shop.placeOrder({ lines: [{ sku: 'MUG', quantity: 1, unitPriceMinor: 1450 }], payment: 'authorized' });
    await shop.cancelInShop(placed.order.id);
    const result = await eventually('the flow to end', async () => {
      const handle = handleOf(placed.workflowId);
      const d = await handle.describe().catch(() => undefined);
      return d && d.status.name !== 'RUNNING' ? handle.result() : undefined;
    });
    expect(['cancelled', 'cancelled-in-shop']).toContain(result.status);
    await expectUndone(h, shop, placed, { shopCancelled: true });
  });

  /** Places an order with the shop's webhooks pointed elsewhere and starts its flow directly with a policy of its own. */
  async function placeAndStart(spec: CheckoutSpec, policy: Pick<OrderPolicy, 'shortfall' | 'paymentWaitSeconds'>) {
    await shop.pointWebhooks('nowhere');
    const placed = await shop.placeOrder(spec).finally(() => shop.pointWebhooks('relay'));
    const handle = await h.client.workflow.start(orderFulfilment, {
      workflowId: placed.workflowId, taskQueue: h.taskQueue,
      args: [{ shop: shop.connection, shopOrderId: placed.order.id, policy: { ...policy, cancelShopOrderOnFailure: true } }],
    });
    return { placed, handle };
  }

  test('no payment before the deadline: the order is cancelled with compensation', async () => {
    const { placed, handle } = await placeAndStart(
      { lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'none' }, { shortfall: 'cancel', paymentWaitSeconds: 2 });
    expect(await handle.result()).toMatchObject({
      status: 'cancelled', reason: 'no payment within 2 s',
      undone: ['reserve-stock', 'create-sales-order', 'ensure-customer', 'cancel-shop-order'],
    });
    await expectUndone(h, shop, placed, { shopCancelled: true });
  });

  test('an address edit is applied while waiting for shipment; an edit once shipped is refused with a reason', async () => {
    const placed = await shop.placeOrder({ lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    const handle = handleOf(placed.workflowId);
    // The shop announced our own ERP tag as an order update: recorded as such, and not handed back to the flow.
    const echo = await eventually('the announcement of our tag', async () => {
      const r = await h.pool.query(
        `SELECT outcome FROM integration.webhook_inbox WHERE business_key = $1 AND topic = $2 AND outcome LIKE 'echo of our own write%'`,
        [shop.businessKey(placed.order.id), shop.updateTopic]);
      return r.rows[0]?.outcome as string | undefined;
    });
    expect(echo).toMatch(/^echo of our own write \(erp:\S+\): not handed over$/);
    const updatesAccepted = async () => (await handle.fetchHistory()).events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    expect(await updatesAccepted()).toBe(0);
    await shop.changeShippingAddress(placed.order, {
      address1: '2 New Road', city: 'Shelbyville', zip: '54321', countryCode: 'US', firstName: 'Ada', lastName: 'Buyer',
    });
    await eventually('the new address in the ERP', async () =>
      ((await erpView(h, shop.connection, placed.order.id)).order?.address1 === '2 New Road' ? true : undefined));
    const outcome = await eventually('the update outcome', async () => {
      const r = await h.pool.query(
        `SELECT outcome FROM integration.webhook_inbox WHERE business_key = $1 AND topic = $2 AND outcome LIKE '%address%'`,
        [shop.businessKey(placed.order.id), shop.updateTopic]);
      return r.rows[0]?.outcome as string | undefined;
    });
    expect(outcome).toBe('update editOrder: {"applied":["address"]}');
    // The edit came after the announcement: handed over, though it shows our tag too.
    expect(await updatesAccepted()).toBe(1);
    await expect(handle.executeUpdate(editOrderUpdate, { args: [{ eventId: 'manual', topic: shop.updateTopic }] }))
      .resolves.toEqual({ applied: [] });
    // Held at its shop fulfilment (a fault), the shipped order is still running when the late edit comes.
    h.activityFaults.set('fulfilInShop', { remaining: 1 });
    await ship(h, placed.workflowId);
    const held = await openIssue(h, placed.workflowId);
    await expect(handle.executeUpdate(editOrderUpdate, { args: [{ eventId: 'late', topic: shop.updateTopic }] }))
      .rejects.toMatchObject({ cause: { message: expect.stringMatching(/too late to edit/) } });
    await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' }, issueId: held.id }] });
    expect(await handle.result()).toMatchObject({ status: 'fulfilled' });
  });

  test('a guest checkout with a known email links to the existing ERP customer', async () => {
    const email = `grace.known.${shopName}@example.com`;
    const existing = await h.pool.query(
      `INSERT INTO erp.customer (display_name, email, name_key) VALUES ('Grace Known', $1, 'grace known') RETURNING id`, [email]);
    const placed = await shop.placeOrder({
      lines: [{ sku: 'MUG', quantity: 1, unitPriceMinor: 1450 }], payment: 'captured', email: email.replace('grace', 'Grace'),
    });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    expect((await erpView(h, shop.connection, placed.order.id)).order.customer_id).toBe(existing.rows[0].id);
    expect((await h.pool.query(`SELECT count(*)::int AS n FROM erp.customer WHERE email = $1`, [email])).rows[0].n).toBe(1);
    await ship(h, placed.workflowId);
  });

  test('under the backorder policy a shortfall goes on: paid and invoiced now, shipped from stock that arrives later', async () => {
    const sku = 'SOLDOUT';
    await shop.seedProduct(sku, 0, 3000);
    const { placed, handle } = await placeAndStart(
      { lines: [{ sku, quantity: 2, unitPriceMinor: 3000 }], payment: 'authorized' }, { shortfall: 'backorder', paymentWaitSeconds: 30 });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    expect(await erpView(h, shop.connection, placed.order.id))
      .toMatchObject({ reservations: [], invoice: { status: 'paid', total_minor: 6000 } });
    await shop.seedProduct(sku, 5, 3000);
    await ship(h, placed.workflowId);
    expect(await handle.result()).toMatchObject({ status: 'fulfilled', backordered: true });
    expect(await availability(h.pool, [sku])).toEqual([{ sku, onHand: 3, reserved: 0, available: 3 }]);
  });
}

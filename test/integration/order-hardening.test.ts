import { WorkflowFailedError } from '@temporalio/client';
import { ORDER_UPDATE } from '../../connectors/shopify/queries';
import { availability } from '../../erp/catalogue';
import { listIssues } from '../../engine/issues';
import { DEFAULT_ORDER_POLICY, editOrderUpdate, markShippedUpdate, paymentReceivedSignal, type OrderPolicy } from '../../workflows/order/api';
import { orderFulfilment } from '../../workflows/order/workflow';
import { decideUpdate } from '../../workflows/shared/operator-api';
import { eventually, startHarness, type Harness } from '../support/harness';
import { erpView, placeOrder, reachesState, seedProduct, shopClient, stripeClient, type PlaceOrder } from '../support/orders';
import { clearFaults, injectFaults, simGet, simPost } from '../support/sim-control';

/**
 * The order flow under the cases that break real integrations: effects that commit but are never reported, rate-limit
 * storms, payments that are not this order's, cancellations after shipping, Temporal cancellations, people who do
 * not answer, and histories that would grow without bound.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await seedProduct(h, 'TEE', 1000, 2500);
});
afterAll(async () => h?.close());
afterEach(async () => {
  h.activityFaults.clear();
  await clearFaults(h.stripe.url);
  await clearFaults(h.shopify.url);
});

const handleOf = (workflowId: string) => h.client.workflow.getHandle(workflowId);
const ship = (workflowId: string) => handleOf(workflowId).executeUpdate(markShippedUpdate, { args: [{ trackingNumber: '1Z999', carrier: 'UPS' }] });
const TEE = (quantity = 1) => ({ lines: [{ sku: 'TEE', quantity, unitPriceMinor: 2500 }] });

/** Places an order with the shop's webhooks off and starts its flow directly, with a policy of the test's own. */
async function placeAndStart(spec: PlaceOrder, policy: Partial<OrderPolicy>) {
  await simPost(h.shopify.url, 'webhooks/config', { targetUrl: 'http://127.0.0.1:9/unreachable' });
  try {
    const placed = await placeOrder(h, spec);
    const handle = await h.client.workflow.start(orderFulfilment, {
      workflowId: placed.workflowId, taskQueue: h.taskQueue,
      args: [{ shopOrderId: placed.order.id, policy: { ...DEFAULT_ORDER_POLICY, paymentWaitSeconds: 60, ...policy } }],
    });
    return { placed, handle };
  } finally {
    await simPost(h.shopify.url, 'webhooks/config', { targetUrl: `${h.relay.url}/webhooks/shopify` });
  }
}

const stripeCalls = async (pattern: RegExp) => {
  const { requests } = await simGet<{ requests: Record<string, number> }>(h.stripe.url, 'requests');
  return Object.entries(requests).filter(([route]) => pattern.test(route)).reduce((sum, [, n]) => sum + n, 0);
};

describe.each([
  'ensureOrderCustomer', 'createSalesOrder', 'reserveStock', 'capturePayment', 'postInvoice', 'tagShopOrder', 'confirmOrder', 'shipInErp', 'fulfilInShop',
])('%s commits its effect, then fails to report it', (activity) => {
  test('the retry finds the effect and repeats nothing', async () => {
    const captures = await stripeCalls(/\/capture$/);
    const stockBefore = (await availability(h.pool, ['TEE']))[0]!;
    h.activityFaults.set(activity, { remaining: 1, when: 'after' });
    const placed = await placeOrder(h, { ...TEE(2), payment: 'authorized' });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    await ship(placed.workflowId);
    expect(await handleOf(placed.workflowId).result()).toMatchObject({ status: 'fulfilled' });
    expect(h.activityFaults.get(activity)!.remaining).toBe(0);

    const erp = await erpView(h, placed.order.id);
    expect(erp.order).toMatchObject({ status: 'fulfilled', total_minor: 5000 });
    expect(erp.reservations).toEqual([{ status: 'consumed', quantity: 2 }]);
    expect(erp.payments).toEqual([expect.objectContaining({ provider_payment_id: placed.paymentIntentId, status: 'captured', amount_minor: 5000 })]);
    expect(erp.invoice).toMatchObject({ status: 'paid', total_minor: 5000, paid_minor: 5000 });
    expect(await stripeCalls(/\/capture$/)).toBe(captures + 1);
    const charge = await stripeClient(h).retrieveCharge((await stripeClient(h).retrievePaymentIntent(placed.paymentIntentId!)).latestChargeId!);
    expect([charge.amountCapturedMinor, charge.amountRefundedMinor]).toEqual([5000, 0]);
    const stockAfter = (await availability(h.pool, ['TEE']))[0]!;
    expect([stockAfter.onHand, stockAfter.reserved]).toEqual([stockBefore.onHand - 2, stockBefore.reserved]);
    const shopOrder = await shopClient(h).getOrder(placed.order.id);
    expect(shopOrder.tags.filter((t) => t === `erp:${erp.order.order_number}`)).toHaveLength(1);
    const { orders } = await simGet<{ orders: Array<{ id: number; fulfillments: unknown[] }> }>(h.shopify.url, 'orders');
    expect(orders.find((o) => String(o.id) === placed.order.id)!.fulfillments).toHaveLength(1);
    const customers = await h.pool.query('SELECT count(*)::int AS n FROM erp.customer WHERE email = $1', [placed.order.email!.toLowerCase()]);
    expect(customers.rows[0].n).toBe(1);
    expect(await listIssues(h.pool, { workflowId: placed.workflowId })).toEqual([]);
  });
});

test('a storm of rate-limited answers on the capture slows the step, never exhausts it, and a 5xx after it is retried at once', async () => {
  const placed = await placeOrder(h, { ...TEE(), payment: 'authorized' });
  await injectFaults(h.stripe.url, [
    { method: 'POST', pathPattern: '/capture$', kind: 'rate-limit', retryAfterSeconds: 0.1, remaining: 12 },
    { method: 'POST', pathPattern: '/capture$', kind: 'status', status: 503, remaining: 1 },
  ]);
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  const { faults } = await simGet<{ faults: Array<{ remaining: number }> }>(h.stripe.url, 'faults');
  expect(faults.map((f) => f.remaining)).toEqual([0, 0]);
  expect(await listIssues(h.pool, { workflowId: placed.workflowId })).toEqual([]);
  expect((await erpView(h, placed.order.id)).payments).toMatchObject([{ status: 'captured', amount_minor: 2500 }]);
  await ship(placed.workflowId);
});

test('a payment named by a signal is verified: another order\'s payment and a short one are refused, the right one is booked', async () => {
  const other = await placeOrder(h, { ...TEE(), payment: 'captured' });
  await reachesState(h, other.workflowId, 'awaiting-shipment');
  const { placed, handle } = await placeAndStart({ ...TEE(2), payment: 'none' }, {});
  await reachesState(h, placed.workflowId, 'awaiting-payment');
  const pay = (amountMinor: number, key: string) => stripeClient(h).createPaymentIntent({
    amountMinor, currency: 'USD', captureMethod: 'manual', paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: `${key}-${placed.order.id}`,
  });
  const short = await pay(4999, 'short');
  const right = await pay(5000, 'right');
  await handle.signal(paymentReceivedSignal, { paymentId: other.paymentIntentId! });
  await handle.signal(paymentReceivedSignal, { paymentId: short.id });
  await handle.signal(paymentReceivedSignal, { paymentId: right.id });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  expect((await erpView(h, placed.order.id)).payments).toMatchObject([{ provider_payment_id: right.id, status: 'captured', amount_minor: 5000 }]);
  expect((await erpView(h, other.order.id)).payments).toMatchObject([{ provider_payment_id: other.paymentIntentId, status: 'captured' }]);
  expect((await stripeClient(h).retrievePaymentIntent(short.id)).status).toBe('requires_capture');

  // Undoing this order refunds its own payment only: the other order's and the refused one are left alone.
  await shopClient(h).cancelOrder(placed.order.id, { reason: 'CUSTOMER', refund: false, restock: true });
  expect(await handle.result()).toMatchObject({ status: 'cancelled', undone: expect.arrayContaining(['undo-payment']) });
  const refunded = async (pi: string) => (await stripeClient(h).retrieveCharge((await stripeClient(h).retrievePaymentIntent(pi)).latestChargeId!)).amountRefundedMinor;
  expect(await refunded(right.id)).toBe(5000);
  expect(await refunded(other.paymentIntentId!)).toBe(0);
  expect((await stripeClient(h).retrievePaymentIntent(short.id)).status).toBe('requires_capture');
  await ship(other.workflowId);
});

test('once the shipment is accepted a shop cancellation is refused as an issue; a refused fulfilment skipped says so', async () => {
  const placed = await placeOrder(h, { ...TEE(), payment: 'authorized' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  h.activityFaults.set('fulfilInShop', { remaining: 1 });
  await ship(placed.workflowId);
  const held = await eventually('the fulfilment waiting for a person', async () =>
    (await listIssues(h.pool, { workflowId: placed.workflowId, status: 'open' })).find((i) => i.step === 'fulfil-in-shop'));

  await shopClient(h).cancelOrder(placed.order.id, { reason: 'CUSTOMER', refund: false, restock: true });
  const refusal = await eventually('the refused cancellation', async () =>
    (await listIssues(h.pool, { workflowId: placed.workflowId })).find((i) => i.kind === 'refused-cancellation'));
  expect(refusal).toMatchObject({ step: 'cancel-after-shipment', status: 'open', allowedDecisions: [] });

  // The shop now refuses the fulfilment (its order is cancelled): the operator skips it.
  await handleOf(placed.workflowId).executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' }, issueId: held.id }] });
  const again = await eventually('the fulfilment refused by the shop', async () =>
    (await listIssues(h.pool, { workflowId: placed.workflowId, status: 'open' })).find((i) => i.step === 'fulfil-in-shop' && i.id !== held.id));
  await handleOf(placed.workflowId).executeUpdate(decideUpdate, { args: [{ decision: { action: 'skip' }, issueId: again.id }] });
  expect(await handleOf(placed.workflowId).result()).toMatchObject({ status: 'fulfilled-in-erp-not-in-shop' });
  const erp = await erpView(h, placed.order.id);
  expect(erp.order.status).toBe('fulfilled');
  expect(erp.payments).toMatchObject([{ status: 'captured' }]);
  const charge = await stripeClient(h).retrieveCharge((await stripeClient(h).retrievePaymentIntent(placed.paymentIntentId!)).latestChargeId!);
  expect(charge.amountRefundedMinor).toBe(0);
});

test('a cancellation from Temporal before the order was read releases the checkout\'s payment hold', async () => {
  await h.stopWorker();
  try {
    const { placed, handle } = await placeAndStart({ ...TEE(), payment: 'authorized' }, {});
    await handle.cancel();
    await h.startWorker();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect((await stripeClient(h).retrievePaymentIntent(placed.paymentIntentId!)).status).toBe('canceled');
    expect((await erpView(h, placed.order.id)).order).toBeUndefined();
  } finally {
    await h.startWorker();
  }
});

test('a cancellation from Temporal while waiting for shipment undoes everything and ends the workflow cancelled', async () => {
  const placed = await placeOrder(h, { ...TEE(), payment: 'authorized' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  await handleOf(placed.workflowId).cancel();
  await expect(handleOf(placed.workflowId).result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const erp = await erpView(h, placed.order.id);
  expect([erp.order.status, erp.invoice.status]).toEqual(['cancelled', 'void']);
  expect(erp.reservations.filter((r) => r.status === 'active')).toEqual([]);
  const charge = await stripeClient(h).retrieveCharge((await stripeClient(h).retrievePaymentIntent(placed.paymentIntentId!)).latestChargeId!);
  expect(charge.amountRefundedMinor).toBe(2500);
});

test('an issue nobody answers is raised again each reminder period; an order not shipped in time raises an overdue issue', async () => {
  h.activityFaults.set('postInvoice', { remaining: 1 });
  const { placed, handle } = await placeAndStart({ ...TEE(), payment: 'authorized' }, { operatorReminderSeconds: 1, shipmentReminderSeconds: 1 });
  const issue = await eventually('an issue reminded twice', async () => {
    const open = (await listIssues(h.pool, { workflowId: placed.workflowId, status: 'open' }))[0];
    return open && open.reminders >= 2 ? open : undefined;
  });
  expect(issue).toMatchObject({ step: 'post-invoice', lastRemindedAt: expect.any(Date) });
  await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' }, issueId: issue.id }] });

  const overdue = await eventually('an overdue shipment reminded', async () => {
    const found = (await listIssues(h.pool, { workflowId: placed.workflowId, status: 'open' })).find((i) => i.kind === 'overdue');
    return found && found.reminders >= 1 ? found : undefined;
  });
  expect(overdue).toMatchObject({ step: 'await-shipment', allowedDecisions: [] });
  await ship(placed.workflowId);
  expect(await handle.result()).toMatchObject({ status: 'fulfilled' });
  expect((await listIssues(h.pool, { workflowId: placed.workflowId })).find((i) => i.id === overdue.id)).toMatchObject({ status: 'resolved', resolution: { shipped: true } });
});

test('an order that keeps being edited while it waits continues as new, keeps its state and still fulfils', async () => {
  const { placed, handle } = await placeAndStart({ ...TEE(), payment: 'authorized' }, { maxHistoryEvents: 80 });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  for (let i = 1; i <= 12; i++) {
    await shopClient(h).request(ORDER_UPDATE, {
      input: { id: placed.order.gid, shippingAddress: { address1: `${i} Edit Street`, city: 'Springfield', zip: '12345', countryCode: 'US', firstName: 'Ada', lastName: 'Buyer' } },
    });
    await eventually(`edit ${i} applied`, async () => {
      const outcome = await handleOf(placed.workflowId).executeUpdate(editOrderUpdate, { args: [{ eventId: `edit-${i}`, topic: 'orders/updated' }] }).catch(() => undefined);
      const r = await h.pool.query(`SELECT shipping_address->>'address1' AS a FROM erp.sales_order WHERE source_reference = $1`, [placed.order.name]);
      return outcome && r.rows[0]?.a === `${i} Edit Street` ? true : undefined;
    });
  }
  const runs: string[] = [];
  for await (const run of h.client.workflow.list({ query: `WorkflowId = '${placed.workflowId}'` })) runs.push(run.runId);
  expect(runs.length).toBeGreaterThan(1);
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  await ship(placed.workflowId);
  const result = await handleOf(placed.workflowId).result();
  const erp = await erpView(h, placed.order.id);
  expect(result).toMatchObject({ status: 'fulfilled', orderNumber: erp.order.order_number, invoiceNumber: erp.invoice.invoice_number });
  expect(runs).toContain(handle.firstExecutionRunId);
});

test('an operator\'s "retry" after an invalid customer reads the order again, so a fix made in the shop is used', async () => {
  const address = { firstName: 'Ada', lastName: 'Buyer', address1: '1 Main St', city: 'Springfield', zip: '12345', countryCode: 'US' };
  const order = await shopClient(h).createOrder({
    email: `phone-${Date.now()}@example.com`, currency: 'USD', financialStatus: 'PENDING', transactions: [], shippingLines: [],
    lineItems: [{ sku: 'TEE', title: 'TEE', quantity: 1, priceSet: { shopMoney: { amount: '25.00', currencyCode: 'USD' } } }],
    shippingAddress: { ...address, phone: 'call me maybe' },
  });
  const workflowId = `order-shopify-${order.id}`;
  const issue = await eventually('the invalid customer waiting for a person', async () =>
    (await listIssues(h.pool, { workflowId, status: 'open' })).find((i) => i.step === 'ensure-customer'));
  expect(issue.message).toMatch(/phone "call me maybe" is not a valid number/);

  await shopClient(h).request(ORDER_UPDATE, { input: { id: order.gid, shippingAddress: { ...address, phone: '+1 415 555 0100' } } });
  await handleOf(workflowId).executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' }, issueId: issue.id }] });
  await reachesState(h, workflowId, 'awaiting-payment');
  const customer = await h.pool.query(
    `SELECT c.phone_e164 FROM erp.sales_order o JOIN erp.customer c ON c.id = o.customer_id WHERE o.source_reference = $1`, [order.name]);
  expect(customer.rows).toEqual([{ phone_e164: '+14155550100' }]);
  await handleOf(workflowId).cancel();
});

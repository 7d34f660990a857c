import { WorkflowFailedError } from '@temporalio/client';
import { availability } from '../../../erp/catalogue';
import { listIssues } from '../../../engine/issues';
import { DEFAULT_ORDER_POLICY, editOrderUpdate, paymentReceivedSignal, type OrderPolicy } from '../../../workflows/order/api';
import { orderFulfilment } from '../../../workflows/order/workflow';
import { decideUpdate } from '../../../workflows/shared/operator-api';
import type { CheckoutSpec } from '../../../connectors/shopify/simulator/checkout';
import { eventually, startHarness, type Harness } from '../../support/harness';
import { erpView, reachesState, refundedMinor, ship, stripeCalls, stripeClient } from '../../support/orders';
import { clearFaults, injectFaults, simGet } from '../../support/sim-control';
import { shopDriver, type PlacedOrder, type ShopDriver, type ShopName } from '../../support/shop-drivers';

/**
 * The order flow under the cases that break real integrations, the same for every shop: effects that commit but are
 * never reported, rate-limit storms, payments that are not this order's, cancellations after shipping, Temporal
 * cancellations, people who do not answer, and histories that would grow without bound. One engine per shop; a test
 * file runs these cases in `describe.each` over its shops.
 */
export function orderHardeningCases(shopName: ShopName): void {
  let h: Harness;
  let shop: ShopDriver;
  const handleOf = (workflowId: string) => h.client.workflow.getHandle(workflowId);
  const TEE = (quantity = 1) => ({ lines: [{ sku: 'TEE', quantity, unitPriceMinor: 2500 }] });
  const address = { firstName: 'Ada', lastName: 'Buyer', address1: '1 Main St', city: 'Springfield', zip: '12345', countryCode: 'US' };

  beforeAll(async () => {
    h = await startHarness();
    shop = shopDriver(h, shopName);
    await shop.seedProduct('TEE', 1000, 2500);
  });
  afterAll(async () => h?.close());
  afterEach(async () => {
    h.activityFaults.clear();
    await clearFaults(h.stripe.url);
    await shop.reset();
  });

  /**
   * Places an order with the shop's webhooks pointed elsewhere, lets `meanwhile` change it unannounced, and starts
   * its flow directly with a policy of the test's own.
   */
  async function placeAndStart(spec: CheckoutSpec, policy: Partial<OrderPolicy>, meanwhile?: (placed: PlacedOrder) => Promise<void>) {
    await shop.pointWebhooks('nowhere');
    try {
      const placed = await shop.placeOrder(spec);
      await meanwhile?.(placed);
      const handle = await h.client.workflow.start(orderFulfilment, {
        workflowId: placed.workflowId, taskQueue: h.taskQueue,
        args: [{
          shop: shop.connection, shopOrderId: placed.order.id, policy: { ...DEFAULT_ORDER_POLICY, paymentWaitSeconds: 60, ...policy },
        }],
      });
      return { placed, handle };
    } finally {
      await shop.pointWebhooks('relay');
    }
  }

  describe.each([
    'ensureOrderCustomer', 'createSalesOrder', 'reserveStock', 'capturePayment', 'postInvoice', 'tagShopOrder', 'confirmOrder',
    'shipInErp', 'fulfilInShop',
  ])('%s commits its effect, then fails to report it', (activity) => {
    test('the retry finds the effect and repeats nothing', async () => {
      const captures = await stripeCalls(h, /\/capture$/);
      const stockBefore = (await availability(h.pool, ['TEE']))[0]!;
      h.activityFaults.set(activity, { remaining: 1, when: 'after' });
      const placed = await shop.placeOrder({ ...TEE(2), payment: 'authorized' });
      await reachesState(h, placed.workflowId, 'awaiting-shipment');
      await ship(h, placed.workflowId);
      expect(await handleOf(placed.workflowId).result()).toMatchObject({ status: 'fulfilled' });
      expect(h.activityFaults.get(activity)!.remaining).toBe(0);

      const erp = await erpView(h, shop.connection, placed.order.id);
      expect(erp.order).toMatchObject({ status: 'fulfilled', total_minor: 5000 });
      expect(erp.reservations).toEqual([{ status: 'consumed', quantity: 2 }]);
      expect(erp.payments)
        .toEqual([expect.objectContaining({ provider_payment_id: placed.paymentIntentId, status: 'captured', amount_minor: 5000 })]);
      expect(erp.invoice).toMatchObject({ status: 'paid', total_minor: 5000, paid_minor: 5000 });
      expect(await stripeCalls(h, /\/capture$/)).toBe(captures + 1);
      const intent = await stripeClient(h).retrievePaymentIntent(placed.paymentIntentId!);
      const charge = await stripeClient(h).retrieveCharge(intent.latestChargeId!);
      expect([charge.amountCapturedMinor, charge.amountRefundedMinor]).toEqual([5000, 0]);
      const stockAfter = (await availability(h.pool, ['TEE']))[0]!;
      expect([stockAfter.onHand, stockAfter.reserved]).toEqual([stockBefore.onHand - 2, stockBefore.reserved]);
      expect(await shop.erpReferences(placed.order.id)).toEqual([`erp:${erp.order.order_number}`]);
      expect(await shop.fulfilments(placed.order.id)).toBe(1);
      const customers = await h.pool.query(
        'SELECT count(*)::int AS n FROM erp.customer WHERE email = $1', [placed.order.email!.toLowerCase()]);
      expect(customers.rows[0].n).toBe(1);
      expect(await listIssues(h.pool, { workflowId: placed.workflowId })).toEqual([]);
    });
  });

  test('rate-limited answers on the capture slow the step, never exhaust it, and a 5xx after them is retried at once', async () => {
    const placed = await shop.placeOrder({ ...TEE(), payment: 'authorized' });
    await injectFaults(h.stripe.url, [
      { method: 'POST', pathPattern: '/capture$', kind: 'rate-limit', retryAfterSeconds: 0.1, remaining: 12 },
      { method: 'POST', pathPattern: '/capture$', kind: 'status', status: 503, remaining: 1 },
    ]);
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    const { faults } = await simGet<{ faults: Array<{ remaining: number }> }>(h.stripe.url, 'faults');
    expect(faults.map((f) => f.remaining)).toEqual([0, 0]);
    expect(await listIssues(h.pool, { workflowId: placed.workflowId })).toEqual([]);
    expect((await erpView(h, shop.connection, placed.order.id)).payments).toMatchObject([{ status: 'captured', amount_minor: 2500 }]);
    await ship(h, placed.workflowId);
  });

  test('a payment named by a signal is verified: another order\'s and a short one are refused, the right one is booked', async () => {
    const other = await shop.placeOrder({ ...TEE(), payment: 'captured' });
    await reachesState(h, other.workflowId, 'awaiting-shipment');
    const { placed, handle } = await placeAndStart({ ...TEE(2), payment: 'none' }, {});
    await reachesState(h, placed.workflowId, 'awaiting-payment');
    const pay = (amountMinor: number, key: string) => stripeClient(h).createPaymentIntent({
      amountMinor, currency: 'USD', captureMethod: 'manual', paymentMethod: 'pm_card_visa', confirm: true,
      idempotencyKey: `${key}-${placed.workflowId}`,
    });
    const short = await pay(4999, 'short');
    const right = await pay(5000, 'right');
    await handle.signal(paymentReceivedSignal, { paymentId: other.paymentIntentId! });
    await handle.signal(paymentReceivedSignal, { paymentId: short.id });
    await handle.signal(paymentReceivedSignal, { paymentId: right.id });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    expect((await erpView(h, shop.connection, placed.order.id)).payments)
      .toMatchObject([{ provider_payment_id: right.id, status: 'captured', amount_minor: 5000 }]);
    expect((await erpView(h, shop.connection, other.order.id)).payments)
      .toMatchObject([{ provider_payment_id: other.paymentIntentId, status: 'captured' }]);
    expect((await stripeClient(h).retrievePaymentIntent(short.id)).status).toBe('requires_capture');

    // Undoing this order refunds its own payment only: the other order's and the refused one are left alone.
    await shop.cancelInShop(placed.order.id);
    expect(await handle.result()).toMatchObject({ status: 'cancelled', undone: expect.arrayContaining(['undo-payment']) });
    expect(await refundedMinor(h, right.id)).toBe(5000);
    expect(await refundedMinor(h, other.paymentIntentId!)).toBe(0);
    expect((await stripeClient(h).retrievePaymentIntent(short.id)).status).toBe('requires_capture');
    await ship(h, other.workflowId);
  });

  test('once the shipment is accepted a shop cancellation is refused as an issue; a refused fulfilment skipped says so', async () => {
    const placed = await shop.placeOrder({ ...TEE(), payment: 'authorized' });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    h.activityFaults.set('fulfilInShop', { remaining: 1 });
    await ship(h, placed.workflowId);
    const held = await eventually('the fulfilment waiting for a person', async () =>
      (await listIssues(h.pool, { workflowId: placed.workflowId, status: 'open' })).find((i) => i.step === 'fulfil-in-shop'));

    await shop.cancelInShop(placed.order.id);
    const refusal = await eventually('the refused cancellation', async () =>
      (await listIssues(h.pool, { workflowId: placed.workflowId })).find((i) => i.kind === 'refused-cancellation'));
    expect(refusal).toMatchObject({ step: 'cancel-after-shipment', status: 'open', allowedDecisions: [] });

    // The shop now refuses the fulfilment (its order is cancelled): the operator skips it.
    await handleOf(placed.workflowId).executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' }, issueId: held.id }] });
    const again = await eventually('the fulfilment refused by the shop', async () =>
      (await listIssues(h.pool, { workflowId: placed.workflowId, status: 'open' }))
        .find((i) => i.step === 'fulfil-in-shop' && i.id !== held.id));
    await handleOf(placed.workflowId).executeUpdate(decideUpdate, { args: [{ decision: { action: 'skip' }, issueId: again.id }] });
    expect(await handleOf(placed.workflowId).result()).toMatchObject({ status: 'fulfilled-in-erp-not-in-shop' });
    const erp = await erpView(h, shop.connection, placed.order.id);
    expect(erp.order.status).toBe('fulfilled');
    expect(erp.payments).toMatchObject([{ status: 'captured' }]);
    expect(await refundedMinor(h, placed.paymentIntentId!)).toBe(0);
    expect(await shop.fulfilments(placed.order.id)).toBe(0);
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
      expect((await erpView(h, shop.connection, placed.order.id)).order).toBeUndefined();
    } finally {
      await h.startWorker();
    }
  });

  test('a cancellation from Temporal while waiting for shipment undoes everything and ends the workflow cancelled', async () => {
    const placed = await shop.placeOrder({ ...TEE(), payment: 'authorized' });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    await handleOf(placed.workflowId).cancel();
    await expect(handleOf(placed.workflowId).result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const erp = await erpView(h, shop.connection, placed.order.id);
    expect([erp.order.status, erp.invoice.status]).toEqual(['cancelled', 'void']);
    expect(erp.reservations.filter((r) => r.status === 'active')).toEqual([]);
    expect(await refundedMinor(h, placed.paymentIntentId!)).toBe(2500);
  });

  test('an issue nobody answers is raised again each reminder period; an order not shipped in time raises an overdue issue', async () => {
    h.activityFaults.set('postInvoice', { remaining: 1 });
    const reminders = { operatorReminderSeconds: 1, shipmentReminderSeconds: 1 };
    const { placed, handle } = await placeAndStart({ ...TEE(), payment: 'authorized' }, reminders);
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
    await ship(h, placed.workflowId);
    expect(await handle.result()).toMatchObject({ status: 'fulfilled' });
    expect((await listIssues(h.pool, { workflowId: placed.workflowId })).find((i) => i.id === overdue.id))
      .toMatchObject({ status: 'resolved', resolution: { shipped: true } });
  });

  test('an order that keeps being edited while it waits continues as new, keeps its state and still fulfils', async () => {
    const { placed, handle } = await placeAndStart({ ...TEE(), payment: 'authorized' }, { maxHistoryEvents: 80 });
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    for (let i = 1; i <= 12; i++) {
      await shop.changeShippingAddress(placed.order, { ...address, address1: `${i} Edit Street` });
      await eventually(`edit ${i} applied`, async () => {
        const outcome = await handleOf(placed.workflowId)
          .executeUpdate(editOrderUpdate, { args: [{ eventId: `edit-${i}`, topic: shop.updateTopic }] })
          .catch(() => undefined);
        const erp = await erpView(h, shop.connection, placed.order.id);
        return outcome && erp.order?.address1 === `${i} Edit Street` ? true : undefined;
      });
    }
    // The flow continues as new once its handlers are done; the latest run is then no longer the first.
    await eventually('a run after the first', async () =>
      ((await handleOf(placed.workflowId).describe()).runId !== handle.firstExecutionRunId ? true : undefined));
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    await ship(h, placed.workflowId);
    const result = await handleOf(placed.workflowId).result();
    const erp = await erpView(h, shop.connection, placed.order.id);
    expect(result).toMatchObject({ status: 'fulfilled', orderNumber: erp.order.order_number, invoiceNumber: erp.invoice.invoice_number });
    // The first run's handle follows the chain of runs to the same result.
    expect(await handle.result()).toEqual(result);
  });

  test('an operator\'s "retry" after an invalid customer reads the order again, so a fix made in the shop is used', async () => {
    const { placed, handle } = await placeAndStart({ ...TEE(), payment: 'none' }, {},
      (p) => shop.changeShippingAddress(p.order, { ...address, phone: 'call me maybe' }));
    const issue = await eventually('the invalid customer waiting for a person', async () =>
      (await listIssues(h.pool, { workflowId: placed.workflowId, status: 'open' })).find((i) => i.step === 'ensure-customer'));
    expect(issue.message).toMatch(/phone "call me maybe" is not a valid number/);

    await shop.changeShippingAddress(placed.order, { ...address, phone: '+1 415 555 0100' });
    await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' }, issueId: issue.id }] });
    await reachesState(h, placed.workflowId, 'awaiting-payment');
    const { order } = await erpView(h, shop.connection, placed.order.id);
    const customer = await h.pool.query('SELECT phone_e164 FROM erp.customer WHERE id = $1', [order.customer_id]);
    expect(customer.rows).toEqual([{ phone_e164: '+14155550100' }]);
    await handle.cancel();
  });
}

import { upsertProductWithStock } from '../../erp/catalogue';
import { listIssues } from '../../engine/issues';
import { progressQuery } from '../../workflows/shared/operator-api';
import { eventually, startHarness, type Harness } from '../support/harness';
import { recordHistory } from '../support/histories';
import { erpView, reachesState, ship, stripeClient } from '../support/orders';
import {
  capturedPayment, erpPayments, erpRefunds, paymentFlowId, paymentFlowState, providerFee, signalled, stepRuns, stripeEventsHandedOver,
} from '../support/payments';
import { simPost } from '../support/sim-control';
import { ShopifyDriver } from '../support/shop-drivers/shopify';

/**
 * Payment -> provider -> ERP end to end: Stripe simulator webhooks through the relay start one payment flow per
 * PaymentIntent, which books what the provider reports and tells the order flow. Real Temporal, PostgreSQL, Shopify.
 */

let h: Harness;
let shop: ShopifyDriver;
beforeAll(async () => {
  h = await startHarness({ orderPolicy: { shortfall: 'cancel', paymentWaitSeconds: 600, cancelShopOrderOnFailure: true } });
  shop = new ShopifyDriver(h);
  await shop.seedProduct('PAY-TEE', 100, 2500);
  await upsertProductWithStock(h.pool, { sku: 'PAY-YEN', name: 'Tea', unitPriceMinor: 1500, currency: 'JPY', onHand: 100 });
});
afterAll(async () => h?.close());
afterEach(async () => simPost(h.stripe.url, 'webhooks/config', { duplicates: 1, hold: false }));

const line = (sku: string, unitPriceMinor: number) => ({ sku, quantity: 1, unitPriceMinor });

test('order before payment, in JPY, every Stripe event delivered 5 times: one ERP payment with fee and net, the order goes on', async () => {
  const placed = await shop.placeOrder({ lines: [line('PAY-YEN', 1500)], payment: 'none', currency: 'JPY' });
  await reachesState(h, placed.workflowId, 'awaiting-payment');
  await simPost(h.stripe.url, 'webhooks/config', { duplicates: 5 });

  const paymentId = await capturedPayment(h, 1500, 'JPY', placed.order.id);
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  await paymentFlowState(h, paymentId, 'settled');

  const erp = await erpView(h, 'shopify', placed.order.id);
  const fee = await providerFee(h, paymentId);
  expect(fee).toBeGreaterThan(0);
  expect(await erpPayments(h, paymentId)).toEqual([expect.objectContaining({
    status: 'captured', sales_order_id: erp.order.id, currency: 'JPY', amount: 1500, fee, net: 1500 - fee,
  })]);
  expect(erp.invoice).toMatchObject({ status: 'paid', paid_minor: 1500 });
  const progress = await h.client.workflow.getHandle(paymentFlowId(paymentId)).query(progressQuery);
  expect(progress.stepsDone.filter((s) => s === 'record-settlement')).toHaveLength(1);
  expect(progress.erpRecord).toBe(erp.order.order_number);
});

test('payment before order: the flow waits for the order, applies the payment once the order arrives, one ERP payment', async () => {
  const paymentId = await capturedPayment(h, 4321, 'USD');
  await paymentFlowState(h, paymentId, 'awaiting-order');
  expect(await erpPayments(h, paymentId)).toEqual([expect.objectContaining({ status: 'captured', sales_order_id: null, amount: 4321 })]);

  const placed = await shop.placeOrder({ lines: [line('PAY-TEE', 4321)], payment: 'none' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  await paymentFlowState(h, paymentId, 'settled');
  const erp = await erpView(h, 'shopify', placed.order.id);
  expect(await erpPayments(h, paymentId)).toEqual([expect.objectContaining({ status: 'captured', sales_order_id: erp.order.id, amount: 4321 })]);
  expect(erp.payments).toHaveLength(1);
  expect(erp.invoice).toMatchObject({ status: 'paid', paid_minor: 4321 });
});

test('refund events before the capture event: the payment is booked first, two partial refunds add up to the total, each once', async () => {
  await simPost(h.stripe.url, 'webhooks/config', { hold: true });
  const paymentId = await capturedPayment(h, 5000, 'USD');
  const stripe = stripeClient(h).stripe;
  await stripe.refunds.create({ payment_intent: paymentId, amount: 2000 });
  await stripe.refunds.create({ payment_intent: paymentId, amount: 3000 });
  await simPost(h.stripe.url, 'webhooks/release', { order: 'reverse' });

  const refunds = await eventually('both refunds booked', async () => {
    const { rows } = await h.pool.query(
      `SELECT r.amount_minor::int AS amount, r.status, r.origin FROM erp.refund r JOIN erp.payment p ON p.id = r.payment_id
        WHERE p.provider_payment_id = $1 ORDER BY r.amount_minor`, [paymentId]);
    return rows.length === 2 ? rows : undefined;
  });
  expect(refunds).toEqual([{ amount: 2000, status: 'succeeded', origin: 'external' }, { amount: 3000, status: 'succeeded', origin: 'external' }]);
  expect(await erpPayments(h, paymentId)).toEqual([expect.objectContaining({ status: 'refunded', amount: 5000 })]);
  await recordHistory(paymentFlowId(paymentId), 'payment-settlement-refunds-before-capture');
});

test('a dispute before shipping holds fulfilment until it closes; its outcome is recorded', async () => {
  const placed = await shop.placeOrder({ lines: [line('PAY-TEE', 2500)], payment: 'captured' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  const paymentId = placed.paymentIntentId!;
  await paymentFlowState(h, paymentId, 'settled');

  const charge = (await stripeClient(h).retrievePaymentIntent(paymentId)).latestChargeId;
  const dispute = await simPost(h.stripe.url, 'disputes', { charge }) as { id: string };
  await signalled(h, placed.workflowId, 'disputeOpened');
  await expect(ship(h, placed.workflowId)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/cannot ship now: the payment is disputed/) } });
  const issue = await eventually('the dispute issue', async () => (await listIssues(h.pool, { workflowId: paymentFlowId(paymentId), status: 'open' }))
    .find((i) => i.kind === 'dispute'));
  expect(issue.message).toContain(paymentId);

  await simPost(h.stripe.url, `disputes/${dispute.id}/close`, { outcome: 'won' });
  await signalled(h, placed.workflowId, 'disputeClosed');
  const { rows } = await h.pool.query('SELECT status FROM erp.dispute WHERE provider_dispute_id = $1', [dispute.id]);
  expect(rows).toEqual([{ status: 'won' }]);
  await eventually('the dispute issue closed', async () => (await listIssues(h.pool, { workflowId: paymentFlowId(paymentId), status: 'open' }))
    .some((i) => i.kind === 'dispute') ? undefined : true);
  await expect(ship(h, placed.workflowId)).resolves.toEqual({ accepted: true });
  await h.client.workflow.getHandle(placed.workflowId).result();
  await recordHistory(placed.workflowId, 'order-fulfilment-dispute-held');
  await recordHistory(paymentFlowId(paymentId), 'payment-settlement-dispute-won');
});

test('a failed payment is told to the order flow, which keeps waiting and takes the next payment', async () => {
  const placed = await shop.placeOrder({ lines: [line('PAY-TEE', 2600)], payment: 'none' });
  await reachesState(h, placed.workflowId, 'awaiting-payment');
  const declined = await stripeClient(h).createPaymentIntent({
    amountMinor: 2600, currency: 'USD', captureMethod: 'automatic', idempotencyKey: `declined-${placed.order.id}`,
    metadata: { shop_order_id: placed.order.id },
  });
  await stripeClient(h).stripe.paymentIntents.confirm(declined.id, { payment_method: 'pm_card_chargeDeclined' }).catch(() => undefined);

  await signalled(h, placed.workflowId, 'paymentFailed');
  expect(await erpPayments(h, declined.id)).toEqual([expect.objectContaining({ status: 'failed', sales_order_id: null })]);
  const waiting = await h.client.workflow.getHandle(placed.workflowId).query(progressQuery);
  expect(waiting.state).toBe('awaiting-payment');

  const paid = await capturedPayment(h, 2600, 'USD', placed.order.id);
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  expect((await erpView(h, 'shopify', placed.order.id)).payments).toEqual([expect.objectContaining({ provider_payment_id: paid, status: 'captured' })]);
});

test('a refund made at the provider\'s dashboard and one made by our compensation each become one ERP refund with a credit note', async () => {
  await simPost(h.stripe.url, 'webhooks/config', { duplicates: 3 });
  // Two amounts: a checkout's payment names no order, and two waiting orders of one amount would need a person.
  const kept = await shop.placeOrder({ lines: [line('PAY-TEE', 2500)], payment: 'captured' });
  const cancelled = await shop.placeOrder({ lines: [line('PAY-TEE', 2700)], payment: 'captured' });
  for (const placed of [kept, cancelled]) {
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    await paymentFlowState(h, placed.paymentIntentId!, 'settled');
  }

  // The dashboard: no engine key in the refund's metadata.
  await stripeClient(h).stripe.refunds.create({ payment_intent: kept.paymentIntentId!, amount: 1000 });
  // Our compensation: the shop cancels a captured order, the order flow refunds it.
  await shop.cancelInShop(cancelled.order.id);
  await reachesState(h, cancelled.workflowId, 'cancelled');

  const booked = async (paymentId: string) => eventually(`the refund of ${paymentId} booked`, async () => {
    const rows = await erpRefunds(h, paymentId);
    return rows.length > 0 ? rows : undefined;
  });
  expect(await booked(kept.paymentIntentId!)).toEqual([
    { id: expect.stringMatching(/^re_/), amount: 1000, status: 'succeeded', origin: 'external', credit_notes: 1, credited: 1000 },
  ]);
  expect(await booked(cancelled.paymentIntentId!)).toEqual([
    { id: expect.stringMatching(/^re_/), amount: 2700, status: 'succeeded', origin: 'engine', credit_notes: 1, credited: 2700 },
  ]);
  const invoice = await h.pool.query(
    `SELECT i.status, i.refunded_minor::int AS refunded FROM erp.invoice i JOIN erp.payment p ON p.invoice_id = i.id WHERE p.provider_payment_id = $1`,
    [kept.paymentIntentId]);
  expect(invoice.rows).toEqual([{ status: 'partially_refunded', refunded: 1000 }]);

  // Every event (each delivered 3 times) heard: still one refund each, each booked by one step.
  await stripeEventsHandedOver(h);
  for (const placed of [kept, cancelled]) {
    await paymentFlowState(h, placed.paymentIntentId!, 'settled');
    expect(await erpRefunds(h, placed.paymentIntentId!)).toHaveLength(1);
    expect(await stepRuns(h, placed.paymentIntentId!, 'record-refund')).toBe(1);
  }
});

test('a dispute after shipping holds nothing, raises an issue, and is recorded lost with the dispute fee when the bank decides', async () => {
  const placed = await shop.placeOrder({ lines: [line('PAY-TEE', 2500)], payment: 'captured' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  const paymentId = placed.paymentIntentId!;
  await paymentFlowState(h, paymentId, 'settled');
  await expect(ship(h, placed.workflowId)).resolves.toEqual({ accepted: true });
  expect(await h.client.workflow.getHandle(placed.workflowId).result()).toMatchObject({ status: 'fulfilled' });

  const charge = (await stripeClient(h).retrievePaymentIntent(paymentId)).latestChargeId;
  const dispute = await simPost(h.stripe.url, 'disputes', { charge }) as { id: string };
  const issue = await eventually('the dispute issue', async () => (await listIssues(h.pool, { workflowId: paymentFlowId(paymentId), status: 'open' }))
    .find((i) => i.kind === 'dispute'));
  expect(issue.message).toContain(paymentId);
  const erp = await erpView(h, 'shopify', placed.order.id);
  expect(erp.order.status).toBe('fulfilled');

  await simPost(h.stripe.url, `disputes/${dispute.id}/close`, { outcome: 'lost' });
  const fee = (await stripeClient(h).stripe.disputes.retrieve(dispute.id)).balance_transactions.find((t) => t.amount < 0)!.fee;
  expect(fee).toBeGreaterThan(0);
  const recorded = await eventually('the dispute lost', async () => {
    const { rows } = await h.pool.query(
      'SELECT status, amount_minor::int AS amount, fee_minor::int AS fee, closed_at FROM erp.dispute WHERE provider_dispute_id = $1', [dispute.id]);
    return rows[0]?.status === 'lost' ? rows[0] : undefined;
  });
  expect(recorded).toEqual({ status: 'lost', amount: 2500, fee, closed_at: expect.any(Date) });
  await eventually('the dispute issue closed', async () => (await listIssues(h.pool, { workflowId: paymentFlowId(paymentId), status: 'open' }))
    .some((i) => i.kind === 'dispute') ? undefined : true);
});

test('two orders of one amount paid at checkout, both waiting at once: each payment bound to its own order, and a third payment of that amount to neither', async () => {
  await shop.seedProduct('PAY-TWIN', 100, 3777);
  const twinsDraft = async () => {
    const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM erp.sales_order o WHERE o.total_minor = 3777 AND o.status = 'draft'`);
    return rows[0].n as number;
  };
  // The stock row locked: both order flows stop at reserve-stock, their ERP orders draft, as in the moment between a
  // checkout and its order flow booking the payment.
  const lock = await h.pool.connect();
  let twins: Awaited<ReturnType<ShopifyDriver['placeOrder']>>[] = [];
  try {
    await lock.query('BEGIN');
    await lock.query(`SELECT 1 FROM erp.stock_level s JOIN erp.product p ON p.id = s.product_id WHERE p.sku = 'PAY-TWIN' FOR UPDATE OF s`);
    twins = [
      await shop.placeOrder({ lines: [line('PAY-TWIN', 3777)], payment: 'captured' }),
      await shop.placeOrder({ lines: [line('PAY-TWIN', 3777)], payment: 'captured' }),
    ];
    await eventually('both ERP orders draft', async () => (await twinsDraft()) === 2 || undefined);
    // Each ERP order keeps the payment its checkout named: each payment finds its own order at once, asking nobody.
    for (const placed of twins) {
      const paymentId = placed.paymentIntentId!;
      const erp = await erpView(h, 'shopify', placed.order.id);
      await eventually(`${paymentId} bound to its own order`, async () =>
        (await erpPayments(h, paymentId))[0]?.sales_order_id === erp.order.id || undefined);
      expect(await listIssues(h.pool, { workflowId: paymentFlowId(paymentId) })).toEqual([]);
    }
    // A payment of the same amount naming no order (a checkout whose shop order is not in the ERP yet) takes neither:
    // both name other payments.
    const stranger = await capturedPayment(h, 3777, 'USD');
    await paymentFlowState(h, stranger, 'awaiting-order');
    const before = await stepRuns(h, stranger, 'find-order');
    await eventually(`${stranger} looked twice more`, async () => (await stepRuns(h, stranger, 'find-order')) >= before + 2 || undefined);
    expect(await erpPayments(h, stranger)).toEqual([expect.objectContaining({ sales_order_id: null, amount: 3777 })]);
  } finally {
    await lock.query('COMMIT');
    lock.release();
  }

  for (const placed of twins) {
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    const paymentId = placed.paymentIntentId!;
    await paymentFlowState(h, paymentId, 'settled');
    const erp = await erpView(h, 'shopify', placed.order.id);
    expect(await erpPayments(h, paymentId)).toEqual([expect.objectContaining({ status: 'captured', sales_order_id: erp.order.id, amount: 3777 })]);
    expect(erp.payments).toEqual([expect.objectContaining({ provider_payment_id: paymentId })]);
    expect(await listIssues(h.pool, { workflowId: paymentFlowId(paymentId) })).toEqual([]);
    expect(await listIssues(h.pool, { workflowId: placed.workflowId })).toEqual([]);
  }
});

test('a payment naming a shop order the ERP has not got yet waits for that order, even while another order of its amount waits for money', async () => {
  const other = await shop.placeOrder({ lines: [line('PAY-TEE', 2911)], payment: 'none' });
  await reachesState(h, other.workflowId, 'awaiting-payment');

  const paymentId = await capturedPayment(h, 2911, 'USD', '880000000001');
  await paymentFlowState(h, paymentId, 'awaiting-order');
  const before = await stepRuns(h, paymentId, 'find-order');
  await eventually(`${paymentId} looked for its order twice more`, async () => (await stepRuns(h, paymentId, 'find-order')) >= before + 2 || undefined);

  expect(await erpPayments(h, paymentId)).toEqual([expect.objectContaining({ status: 'captured', sales_order_id: null, amount: 2911 })]);
  expect((await erpView(h, 'shopify', other.order.id)).payments).toEqual([]);
  const progress = await h.client.workflow.getHandle(other.workflowId).query(progressQuery);
  expect(progress.state).toBe('awaiting-payment');
});

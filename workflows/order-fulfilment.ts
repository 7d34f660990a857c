import {
  ActivityCancellationType, ApplicationFailure, CancellationScope, condition, isCancellation, proxyActivities, setHandler, upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities/order-activities';
import type { ShopOrder } from '../domain/order';
import { addressDiffers, linesDiffer, totalsProblem } from '../domain/order-customer';
import { CustomerEmail, ShopOrderNumber } from '../domain/search-attributes';
import type { SalesOrderRef } from '../erp/sales-orders';
import {
  editOrderUpdate, markShippedUpdate, paymentReceivedSignal, shopOrderCancelledSignal, shopOrderChangedSignal, type OrderFulfilmentInput,
} from './order-api';
import { FlowAborted, FlowRuntime } from './shared/flow-runtime';

/**
 * Order -> shop -> ERP: one workflow per shop order. The order becomes one ERP sales order with its stock
 * reserved, its payment captured and its invoice posted; the shop learns the ERP number and, once shipped, the
 * fulfilment. Each step registers its undo first; a cancellation in the shop, a payment that never comes, a
 * shortfall under the "cancel" policy or an operator's "compensate" all leave every system consistent.
 */

export type OrderFulfilmentResult =
  | { status: 'fulfilled'; orderNumber: string; invoiceNumber: string; processingMs: number; backordered: boolean }
  | { status: 'cancelled'; reason: string; undone: string[] }
  | { status: 'not-found' | 'cancelled-in-shop' }
  | { status: 'skipped'; step: string };

// Waits for cancelled activities to finish, so that compensation always sees their final effect.
const options = { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } as const;
const shop = proxyActivities<OrderActivities>({
  ...options,
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});
const erp = proxyActivities<OrderActivities>({
  ...options,
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});
const payments = proxyActivities<OrderActivities>({
  ...options,
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Stages after which an edit of the order lines is too late. */
const LINES_FROZEN = new Set(['reserving', 'payment', 'invoicing', 'telling-shop', 'awaiting-shipment', 'shipping', 'fulfilled', 'cancelled']);

export async function orderFulfilment(input: OrderFulfilmentInput): Promise<OrderFulfilmentResult> {
  const { shopOrderId, policy } = input;
  const flow = new FlowRuntime('order', `shopify:order:${shopOrderId}`);
  const main = new CancellationScope();
  let stage = 'fetching';
  let order: ShopOrder | null = null;
  let orderVersion = 0;
  let salesOrder: SalesOrderRef | null = null;
  let changes = 0;
  let editing = false;
  let cancelReason: string | null = null;
  let shipment: { trackingNumber: string; carrier: string } | null = null;
  let signalledPayment: NonNullable<ShopOrder['payment']> | null = null;

  setHandler(shopOrderChangedSignal, () => void changes++);
  setHandler(paymentReceivedSignal, (p) => {
    // Verified with the provider by the capture/record step before anything is booked.
    signalledPayment = { gateway: 'stripe', paymentIntentId: p.paymentIntentId, kind: p.kind, amountMinor: 0 };
    changes++;
  });
  setHandler(shopOrderCancelledSignal, () => {
    if (stage === 'shipping' || stage === 'fulfilled' || cancelReason) return;
    cancelReason = 'cancelled in the shop';
    main.cancel();
  });
  setHandler(markShippedUpdate, (t) => {
    shipment = t;
    return { accepted: true as const };
  }, { validator: (_shipment) => {
    if (stage !== 'awaiting-shipment') throw new Error(`cannot ship now: the order is at stage "${stage}"`);
  } });
  setHandler(editOrderUpdate, async (_event) => {
    editing = true;
    try {
      const latest = await shop.fetchShopOrder(shopOrderId);
      if (!latest || !order) return { applied: [] };
      const applied: Array<'lines' | 'address'> = [];
      if (linesDiffer(order, latest)) {
        if (LINES_FROZEN.has(stage)) throw ApplicationFailure.nonRetryable(`too late to change the lines: the order is at stage "${stage}"`, 'EditRefused');
        applied.push('lines');
      }
      if (addressDiffers(order, latest)) {
        // Before reservation the main flow applies the whole new version; after it, only the address moves.
        if (salesOrder && LINES_FROZEN.has(stage)) await erp.applyOrderEdit(salesOrder.salesOrderId, latest, false);
        applied.push('address');
      }
      if (applied.length > 0) {
        order = latest;
        orderVersion++;
      }
      return { applied };
    } finally {
      editing = false;
    }
  }, { validator: (_event) => {
    if (cancelReason || ['shipping', 'fulfilled', 'cancelled'].includes(stage)) throw new Error(`too late to edit: the order is ${cancelReason ? 'being cancelled' : `at stage "${stage}"`}`);
  } });

  const enter = (next: string) => {
    stage = next;
    flow.setState(next);
  };

  async function process(): Promise<OrderFulfilmentResult> {
    // 1. The order as the shop has it now.
    const fetched = await flow.step('fetch-order', () => shop.fetchShopOrder(shopOrderId));
    if (!fetched.done) return { status: 'skipped', step: 'fetch-order' };
    if (!fetched.value) return { status: 'not-found' };
    if (fetched.value.cancelledAt) {
      // Cancelled before we did anything: only the checkout's payment hold, if any, is ours to release.
      const intent = fetched.value.payment?.paymentIntentId;
      if (intent) await flow.step('release-payment', () => payments.undoPayment(intent), { allowed: ['retry', 'skip'] });
      return { status: 'cancelled-in-shop' };
    }
    order = fetched.value;
    upsertSearchAttributes([{ key: ShopOrderNumber, value: order.name.replace(/^#/, '') }]);
    const email = order.customer?.email ?? order.email;
    if (email) upsertSearchAttributes([{ key: CustomerEmail, value: email.trim().toLowerCase() }]);
    if (policy.cancelShopOrderOnFailure) flow.registerCompensation('cancel-shop-order', () => shop.cancelShopOrder(shopOrderId));
    // An authorisation made at checkout is a hold on the buyer's card: an undone order releases it.
    if (order.payment) holdPayment(order.payment.paymentIntentId);
    await checkTotals();

    // 2. Who bought it.
    enter('customer');
    const current = order;
    const customer = await flow.step('ensure-customer', () => erp.ensureOrderCustomer(current), {
      compensate: () => erp.removeOrderCustomer(current), allowed: ['retry', 'compensate'],
    });
    if (!customer.done) return { status: 'skipped', step: 'ensure-customer' };

    // 3. The ERP sales order.
    enter('sales-order');
    const usedVersion = orderVersion;
    const created = await flow.step('create-sales-order', () => erp.createSalesOrder(order!, customer.value.customerId), {
      compensate: () => erp.cancelSalesOrder(shopOrderId), allowed: ['retry', 'compensate'],
    });
    if (!created.done) return { status: 'skipped', step: 'create-sales-order' };
    salesOrder = created.value;
    flow.setErpRecord(salesOrder.orderNumber);

    // 4. Stock, all lines or none; an edit that arrived meanwhile is applied first.
    await condition(() => !editing);
    if (orderVersion !== usedVersion) {
      await checkTotals();
      await flow.step('apply-edit', () => erp.applyOrderEdit(salesOrder!.salesOrderId, order!, true), { allowed: ['retry', 'compensate'] });
    }
    enter('reserving');
    const so = salesOrder;
    const reserved = await flow.step('reserve-stock', () => erp.reserveStock(so.salesOrderId), {
      compensate: () => erp.releaseStock(so.salesOrderId), allowed: ['retry', 'compensate'],
    });
    const backordered = reserved.done && !reserved.value.ok;
    if (reserved.done && !reserved.value.ok && policy.shortfall === 'cancel') {
      const missing = reserved.value.shortfalls.map((s) => `${s.sku} (${s.requested} wanted, ${s.available} available)`).join(', ');
      throw new FlowAborted('reserve-stock', `insufficient stock: ${missing}`);
    }

    // 5. Payment, according to what the checkout did.
    enter('payment');
    const payment = await awaitPayment();
    holdPayment(payment.paymentIntentId);
    const { totalMinor, currency } = order;
    const settled = payment.kind === 'AUTHORIZATION'
      ? await flow.step('capture-payment', () => payments.capturePayment(so.salesOrderId, payment.paymentIntentId, totalMinor, currency), { allowed: ['retry', 'compensate'] })
      : await flow.step('record-payment', () => payments.recordCapturedPayment(so.salesOrderId, payment.paymentIntentId, totalMinor, currency), { allowed: ['retry', 'compensate'] });
    if (!settled.done) return { status: 'skipped', step: 'payment' };

    // 6. The invoice, settled by that payment.
    enter('invoicing');
    const invoice = await flow.step('post-invoice', () => erp.postInvoice(so.salesOrderId), {
      compensate: () => erp.voidInvoice(so.salesOrderId), allowed: ['retry', 'compensate'],
    });
    if (!invoice.done) return { status: 'skipped', step: 'post-invoice' };

    // 7. The shop learns the ERP number; the KPI clock stops at ERP confirmation.
    enter('telling-shop');
    await flow.step('tag-shop-order', () => shop.tagShopOrder(shopOrderId, so.orderNumber));
    const confirmed = await flow.step('confirm-order', () => erp.confirmOrder(so.salesOrderId, `shopify:order:${shopOrderId}`));

    // 8. Fulfilment when the ERP ships.
    enter('awaiting-shipment');
    await condition(() => shipment !== null);
    enter('shipping');
    const tracking = shipment!;
    await flow.step('fulfil-order', () => shop.fulfilOrder(so.salesOrderId, shopOrderId, { number: tracking.trackingNumber, company: tracking.carrier }), { allowed: ['retry', 'skip'] });
    enter('fulfilled');
    return {
      status: 'fulfilled', orderNumber: so.orderNumber, invoiceNumber: invoice.value.invoiceNumber,
      processingMs: confirmed.done ? confirmed.value.processingMs : -1, backordered,
    };
  }

  /** Registers, once per PaymentIntent, the undo that cancels its authorisation or refunds its capture. */
  const heldPayments = new Set<string>();
  function holdPayment(paymentIntentId: string): void {
    if (heldPayments.has(paymentIntentId)) return;
    heldPayments.add(paymentIntentId);
    flow.registerCompensation('undo-payment', () => payments.undoPayment(paymentIntentId));
  }

  /** A total that does not add up is for a person: fixed in the shop (retry) or the order is undone. */
  async function checkTotals(): Promise<void> {
    for (let problem = totalsProblem(order!); problem; problem = totalsProblem(order!)) {
      await flow.ask({ step: 'check-totals', kind: 'invalid-data', message: problem, details: { shopOrderId }, allowed: ['retry', 'compensate'] });
      const again = await flow.step('refetch-order', () => shop.fetchShopOrder(shopOrderId), { allowed: ['retry', 'compensate'] });
      if (again.done && again.value) order = again.value;
    }
  }

  /** The checkout's payment reference, or the one that arrives before the deadline (else the order is undone). */
  async function awaitPayment(): Promise<NonNullable<ShopOrder['payment']>> {
    const deadline = Date.now() + policy.paymentWaitSeconds * 1000;
    while (!order!.payment && !signalledPayment) {
      const seen = changes;
      flow.setState('awaiting-payment', `until ${new Date(deadline).toISOString()}`);
      const signalled = await condition(() => changes > seen, Math.max(0, deadline - Date.now()));
      if (!signalled) throw new FlowAborted('await-payment', `no payment within ${policy.paymentWaitSeconds} s`);
      const latest = await flow.step('refetch-order', () => shop.fetchShopOrder(shopOrderId), { allowed: ['retry', 'skip', 'compensate'] });
      if (latest.done && latest.value) order = latest.value;
    }
    flow.setState('payment');
    return order!.payment ?? signalledPayment!;
  }

  try {
    const result = await main.run(process);
    flow.setState(result.status);
    return result;
  } catch (err) {
    const aborted = err instanceof FlowAborted ? err.reason : isCancellation(err) && cancelReason ? cancelReason : null;
    if (aborted === null) {
      if (isCancellation(err)) {
        // Cancelled from Temporal itself (UI or API): undo, mark it, and end as cancelled.
        await flow.compensate();
        flow.setState('cancelled', 'workflow cancelled');
      }
      throw err;
    }
    stage = 'cancelled';
    if (!order) {
      // Cancelled before the order was even read: its checkout may still hold the buyer's money.
      const seen = await CancellationScope.nonCancellable(() => flow.step('refetch-order', () => shop.fetchShopOrder(shopOrderId), { allowed: ['retry', 'skip'] }));
      if (seen.done && seen.value?.payment) holdPayment(seen.value.payment.paymentIntentId);
    }
    const undone = await flow.compensate();
    flow.setState('cancelled', `${aborted}; undone: ${undone.join(', ') || 'nothing'}`);
    return { status: 'cancelled', reason: aborted, undone };
  }
}

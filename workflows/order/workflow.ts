import {
  allHandlersFinished, CancellationScope, condition, continueAsNew, log, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { SettledPayment } from '../../activities/order/payments';
import type { ShopOrder } from '../../domain/order';
import { orderPayment, totalsProblem } from '../../domain/order-rules';
import { CustomerEmail, ShopOrderNumber } from '../../domain/search-attributes';
import { DEFAULT_SHOP, ORDER_STEPS as STEP, orderBusinessKey, type OrderFulfilmentInput, type OrderFulfilmentResult, type OrderSnapshot } from './api';
import { erpStep, paymentsStep, shop, shopStep } from './proxies';
import { installOrderHandlers, OrderState, type NamedPayment, type Stage } from './state';
import { runUndo, undoing, type OrderUndo } from './undo';
import { FlowAborted, FlowRuntime, runFlow, type StepResult } from '../shared/flow-runtime';
import { baselinePatch, RunPatches } from '../shared/run-patches';

export type { OrderFulfilmentResult } from './api';

/**
 * Order -> shop -> ERP: one workflow per shop order. The order becomes one ERP sales order with its stock
 * reserved, its payment captured and its invoice posted; the shop learns the ERP number and, once shipped, the
 * fulfilment. Each step registers its undo first; a cancellation in the shop or from Temporal, a payment that
 * never comes, a shortfall under the "cancel" policy or an operator's "compensate" all leave every system
 * consistent. A long wait for payment or shipment continues as new before the history grows large.
 */

const DEFAULT_SHIPMENT_REMINDER_SECONDS = 3 * 24 * 3600;

/**
 * Patch: FlowState holds the order's standing states only (FlowRuntime `standingStatesOnly`), and the order's number
 * and e-mail are written in one upsert: an order used to write about a dozen search attributes up to its
 * confirmation, each a visibility update on the Temporal server.
 */
const PATCH_STANDING_STATES = 'order-standing-states';

/** Stages an order stays in (a wait, an outcome); the others are working stages. */
const STANDING_STAGES: ReadonlySet<Stage> = new Set<Stage>(['awaiting-shipment', 'fulfilled', 'cancelled']);

export async function orderFulfilment(input: OrderFulfilmentInput): Promise<OrderFulfilmentResult> {
  return new OrderFlow(input).run();
}

class OrderFlow {
  private readonly state: OrderState;
  /** The shop connection the order lives in. */
  private readonly shop: string;
  private readonly flow: FlowRuntime;
  private readonly heldPayments = new Set<string>();
  private paymentDeadlineMs = 0;
  private backordered = false;
  private invoiceNumber: string | null = null;
  private processingMs = -1;
  private overdueIssueId: number | null = null;
  private readonly fewerUpserts: boolean;

  constructor(private readonly input: OrderFulfilmentInput) {
    const { policy } = input;
    this.shop = input.shop ?? DEFAULT_SHOP;
    this.state = new OrderState(this.shop, input.shopOrderId);
    // Read before the runtime exists: the standing-states patch decides how the runtime writes FlowState.
    const patches = new RunPatches(baselinePatch('order'));
    this.fewerUpserts = patches.has(PATCH_STANDING_STATES);
    this.flow = new FlowRuntime('order', orderBusinessKey(this.shop, input.shopOrderId), {
      operatorReminderSeconds: policy.operatorReminderSeconds, rateLimitBudgetSeconds: policy.rateLimitBudgetSeconds,
      standingStatesOnly: this.fewerUpserts, patches,
    });
    installOrderHandlers(this.state, this.flow);
    if (input.resume) this.restore(input.resume);
  }

  /** Ends like every flow (runFlow): an abort or a cancellation in the shop undoes it and says why. */
  run(): Promise<OrderFulfilmentResult> {
    return runFlow(this.flow, async () => {
      const result = await this.process();
      this.flow.setState(result.status);
      return result;
    }, {
      abortedState: 'cancelled',
      beforeUndo: async () => {
        this.state.stage = 'cancelled';
        if (!this.state.order) await this.releaseCheckoutHold();
      },
      aborted: (undone, reason) => ({ status: 'cancelled', reason, undone }),
    });
  }

  private get shopOrderId(): string {
    return this.input.shopOrderId;
  }

  private async process(): Promise<OrderFulfilmentResult> {
    const phase = this.input.resume?.phase;
    if (!phase) {
      const early = await this.receiveOrder();
      if (early) return early;
    }
    if (phase !== 'awaiting-shipment') {
      const billed = await this.bill();
      if (billed) return billed;
    }
    return this.fulfil();
  }

  /** Steps 1-4: read the order, find its customer, create the ERP order, reserve its stock. */
  private async receiveOrder(): Promise<OrderFulfilmentResult | null> {
    const { flow, state } = this;
    const fetched = await flow.step(STEP.fetchOrder, () => shopStep(flow).fetchShopOrder(this.shopOrderId, this.shop));
    if (!fetched.done) return { status: 'skipped', step: STEP.fetchOrder };
    if (!fetched.value) return { status: 'not-found' };
    if (fetched.value.cancelledAt) {
      // Cancelled before we did anything: only the checkout's payment hold, if any, is ours to release.
      const held = orderPayment(fetched.value)?.paymentId;
      if (held) await flow.step(STEP.releasePayment, () => runUndo(this.paymentUndo(held)), { allowed: ['retry', 'skip'] });
      return { status: 'cancelled-in-shop' };
    }
    state.order = fetched.value;
    this.showBusinessKeys(state.order);
    if (this.input.policy.cancelShopOrderOnFailure) this.register(STEP.cancelShopOrder, { kind: 'cancel-shop-order', shopOrderId: this.shopOrderId, shop: this.shop });
    // An authorisation made at checkout is a hold on the buyer's card: an undone order releases it.
    const checkoutPayment = orderPayment(state.order);
    if (checkoutPayment) this.holdPayment(checkoutPayment.paymentId);
    await this.checkTotals();

    this.enter('customer');
    const customer = await flow.step(STEP.ensureCustomer, () => erpStep(flow).ensureOrderCustomer(state.order!), {
      ...undoing({ kind: 'remove-customer', order: state.order }),
      allowed: ['retry', 'compensate'],
      // The operator fixed the buyer in the shop: read the order again before the retry.
      beforeRetry: () => this.reread(),
    });
    if (!customer.done) return { status: 'skipped', step: STEP.ensureCustomer };

    this.enter('sales-order');
    // Edits wait while the ERP order is written, and from then on apply to it themselves.
    const created = await state.orderLock.runExclusive(() => flow.step(STEP.createSalesOrder, () => erpStep(flow).createSalesOrder(state.order!, customer.value.customerId), {
      ...undoing({ kind: 'cancel-sales-order', shopOrderId: this.shopOrderId, shop: this.shop }), allowed: ['retry', 'compensate'],
    }));
    if (!created.done) return { status: 'skipped', step: STEP.createSalesOrder };
    state.salesOrder = created.value;
    flow.setErpRecord(created.value.orderNumber);

    // From here the lines and the total are the ERP order's: an edit waiting for its turn finds them frozen.
    await state.orderLock.runExclusive(async () => this.enter('reserving'));
    const so = created.value;
    const reserved = await flow.step(STEP.reserveStock, () => erpStep(flow).reserveStock(so.salesOrderId), {
      ...undoing({ kind: 'release-stock', salesOrderId: so.salesOrderId }), allowed: ['retry', 'compensate'],
    });
    this.backordered = reserved.done && !reserved.value.ok;
    if (reserved.done && !reserved.value.ok && this.input.policy.shortfall === 'cancel') {
      const missing = reserved.value.shortfalls.map((s) => `${s.sku} (${s.requested} wanted, ${s.available} available)`).join(', ');
      throw new FlowAborted(STEP.reserveStock, `insufficient stock: ${missing}`);
    }
    this.paymentDeadlineMs = Date.now() + this.input.policy.paymentWaitSeconds * 1000;
    return null;
  }

  /** Steps 5-7: payment, invoice, and the shop told the ERP number; the KPI clock stops at ERP confirmation. */
  private async bill(): Promise<OrderFulfilmentResult | null> {
    const { flow } = this;
    const so = this.state.salesOrder!;
    this.enter('payment');
    const settled = await this.settlePayment();
    if (!settled.done) return { status: 'skipped', step: 'payment' };

    this.enter('invoicing');
    const invoice = await flow.step(STEP.postInvoice, () => erpStep(flow).postInvoice(so.salesOrderId), {
      ...undoing({ kind: 'void-invoice', salesOrderId: so.salesOrderId }), allowed: ['retry', 'compensate'],
    });
    if (!invoice.done) return { status: 'skipped', step: STEP.postInvoice };
    this.invoiceNumber = invoice.value.invoiceNumber;

    this.enter('telling-shop');
    await flow.step(STEP.tagShopOrder, () => shopStep(flow).tagShopOrder(this.shopOrderId, so.orderNumber, this.shop, this.state.order));
    const confirmed = await flow.step(STEP.confirmOrder, () => erpStep(flow).confirmOrder(so.salesOrderId, orderBusinessKey(this.shop, this.shopOrderId)));
    this.processingMs = confirmed.done ? confirmed.value.processingMs : -1;
    return null;
  }

  /** Step 8: fulfilment once the warehouse ships. */
  private async fulfil(): Promise<OrderFulfilmentResult> {
    const so = this.state.salesOrder!;
    this.enter('awaiting-shipment');
    await this.awaitShipment();
    this.enter('shipping');
    const tracking = { number: this.state.shipment!.trackingNumber, company: this.state.shipment!.carrier };
    let inShop = true;
    if (this.flow.patches.has('ship-then-fulfil-in-shop')) {
      await this.flow.step(STEP.shipInErp, () => erpStep(this.flow).shipInErp(so.salesOrderId), { allowed: ['retry', 'skip'] });
      inShop = (await this.flow.step(STEP.fulfilInShop, () => shopStep(this.flow).fulfilInShop(this.shopOrderId, tracking, this.shop), { allowed: ['retry', 'skip'] })).done;
    } else {
      await this.flow.step(STEP.fulfilOrder, () => shop.fulfilOrder(so.salesOrderId, this.shopOrderId, tracking, this.shop), { allowed: ['retry', 'skip'] });
    }
    this.enter('fulfilled');
    const outcome = { orderNumber: so.orderNumber, invoiceNumber: this.invoiceNumber!, processingMs: this.processingMs, backordered: this.backordered };
    return inShop ? { status: 'fulfilled', ...outcome } : { status: 'fulfilled-in-erp-not-in-shop', ...outcome };
  }

  /** Captures or books the checkout's payment, or one that arrives (verified) before the deadline. */
  private async settlePayment(): Promise<StepResult<SettledPayment>> {
    const so = this.state.salesOrder!;
    const payment = await this.awaitPayment();
    this.holdPayment(payment.paymentId);
    return payment.kind === 'authorised'
      ? this.flow.step(STEP.capturePayment, () => paymentsStep(this.flow).capturePayment(so.salesOrderId, payment.paymentId), { allowed: ['retry', 'compensate'] })
      : this.flow.step(STEP.recordPayment, () => paymentsStep(this.flow).recordCapturedPayment(so.salesOrderId, payment.paymentId), { allowed: ['retry', 'compensate'] });
  }

  /** The checkout's payment reference, or a named one the provider confirms; else the order is undone at the deadline. */
  private async awaitPayment(): Promise<NamedPayment> {
    const { state, flow } = this;
    for (;;) {
      if (orderPayment(state.order!)) break;
      const named = state.namedPayments.shift();
      if (named && (await this.verified(named))) {
        flow.enterStage('payment');
        return named;
      }
      if (named) continue;
      const seen = state.changes;
      flow.setState('awaiting-payment', `until ${new Date(this.paymentDeadlineMs).toISOString()}`);
      state.changesAwaited = seen;
      const woke = await condition(() => state.changes > seen || this.continueAsNewDue(), Math.max(0, this.paymentDeadlineMs - Date.now()));
      state.changesAwaited = null;
      if (!woke) throw new FlowAborted(STEP.awaitPayment, `no payment within ${this.input.policy.paymentWaitSeconds} s`);
      if (state.changes === seen) await this.continueAsNew('awaiting-payment');
      if (state.namedPayments.length > 0) continue;
      const latest = await flow.step(STEP.refetchOrder, () => shopStep(flow).fetchShopOrder(this.shopOrderId, this.shop), { allowed: ['retry', 'skip', 'compensate'] });
      if (latest.done && latest.value) state.takePaymentFrom(latest.value);
    }
    flow.enterStage('payment');
    return orderPayment(state.order!)!;
  }

  /** A named payment is checked with the provider before anything is booked or undone for it. */
  private async verified(named: NamedPayment): Promise<boolean> {
    const so = this.state.salesOrder!;
    const check = await this.flow.step(STEP.verifyPayment, () => paymentsStep(this.flow).verifyPayment({ shopOrderId: this.shopOrderId, salesOrderId: so.salesOrderId }, named.paymentId), {
      allowed: ['retry', 'skip', 'compensate'],
    });
    if (!check.done) return false;
    if (!check.value.ok) {
      log.warn('named payment refused', { paymentId: named.paymentId, problem: check.value.problem });
      return false;
    }
    named.kind = check.value.kind;
    return true;
  }

  /** Waits for the warehouse; past the limit an "overdue" issue is raised, and raised again each period. */
  private async awaitShipment(): Promise<void> {
    const { state, flow } = this;
    if (!flow.patches.has('shipment-reminders')) {
      await condition(() => state.shipment !== null);
      return;
    }
    const periodMs = (this.input.policy.shipmentReminderSeconds ?? DEFAULT_SHIPMENT_REMINDER_SECONDS) * 1000;
    while (!(await condition(() => state.shipment !== null || this.continueAsNewDue(), periodMs))) {
      if (this.overdueIssueId === null) {
        this.overdueIssueId = await flow.notify({
          step: STEP.awaitShipment, kind: 'overdue', message: `not shipped within ${periodMs / 1000} s of confirmation`,
          details: { shopOrderId: this.shopOrderId, orderNumber: state.salesOrder!.orderNumber },
        });
      } else {
        await flow.remind(this.overdueIssueId);
      }
    }
    state.shipmentTaken = state.shipment !== null;
    if (state.shipment === null) await this.continueAsNew('awaiting-shipment');
    if (this.overdueIssueId !== null) await flow.closeNotice(this.overdueIssueId, { shipped: true });
  }

  /** A total that does not add up is for a person: fixed in the shop (retry) or the order is undone. */
  private async checkTotals(): Promise<void> {
    for (let problem = totalsProblem(this.state.order!); problem; problem = totalsProblem(this.state.order!)) {
      await this.flow.ask({ step: STEP.checkTotals, kind: 'invalid-data', message: problem, details: { shopOrderId: this.shopOrderId }, allowed: ['retry', 'compensate'] });
      await this.reread();
    }
  }

  /** Reads the order again (before reservation the whole order may change; after it, only the payment). */
  private async reread(): Promise<void> {
    const again = await this.flow.step(STEP.refetchOrder, () => shopStep(this.flow).fetchShopOrder(this.shopOrderId, this.shop), { allowed: ['retry', 'compensate'] });
    if (again.done && again.value) this.state.takePaymentFrom(again.value);
  }

  private enter(stage: Stage): void {
    this.state.stage = stage;
    if (STANDING_STAGES.has(stage)) this.flow.setState(stage);
    else this.flow.enterStage(stage);
  }

  private showBusinessKeys(order: ShopOrder): void {
    const email = order.customer?.email ?? order.email;
    const keys = [
      { key: ShopOrderNumber, value: order.name.replace(/^#/, '') },
      ...(email ? [{ key: CustomerEmail, value: email.trim().toLowerCase() }] : []),
    ];
    // One write for both; flows from before the patch wrote each on its own.
    if (this.fewerUpserts) upsertSearchAttributes(keys);
    else for (const pair of keys) upsertSearchAttributes([pair]);
    this.flow.describe(`Order ${order.name} · ${this.shop} order ${order.id}`);
  }

  private register(step: string, undo: OrderUndo): void {
    this.flow.registerCompensation(step, () => runUndo(undo), undo);
  }

  private paymentUndo(paymentId: string): OrderUndo {
    return { kind: 'undo-payment', paymentId, owner: { shopOrderId: this.shopOrderId, salesOrderId: this.state.salesOrder?.salesOrderId } };
  }

  /** Registers, once per PaymentIntent, the undo that cancels its authorisation or refunds its capture. */
  private holdPayment(paymentId: string): void {
    if (this.heldPayments.has(paymentId)) return;
    this.heldPayments.add(paymentId);
    this.register(STEP.undoPayment, this.paymentUndo(paymentId));
  }

  /** Cancelled before the order was even read: its checkout may still hold the buyer's money. */
  private async releaseCheckoutHold(): Promise<void> {
    const seen = await CancellationScope.nonCancellable(() =>
      this.flow.step(STEP.refetchOrder, () => shopStep(this.flow).fetchShopOrder(this.shopOrderId, this.shop), { allowed: ['retry', 'skip'] }));
    const held = seen.done && seen.value ? orderPayment(seen.value) : null;
    if (held) this.holdPayment(held.paymentId);
  }

  // ------------------------------------------------------------------------------------------ continue as new

  /** Whether the history is long enough to move on, at a moment when nothing is in flight. */
  private continueAsNewDue(): boolean {
    const info = workflowInfo();
    const limit = this.input.policy.maxHistoryEvents;
    const long = info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
    return long && allHandlersFinished() && !this.flow.waitingForOperator && !this.state.orderLock.isLocked();
  }

  private async continueAsNew(phase: OrderSnapshot['phase']): Promise<never> {
    const snapshot: OrderSnapshot = {
      phase, order: this.state.order!, salesOrder: this.state.salesOrder!, compensations: this.flow.carriedCompensations(),
      heldPayments: [...this.heldPayments], stepsDone: this.flow.progress.stepsDone, paymentDeadlineMs: this.paymentDeadlineMs,
      backordered: this.backordered, invoiceNumber: this.invoiceNumber, processingMs: this.processingMs,
      overdueIssueId: this.overdueIssueId, openDisputes: [...this.state.openDisputes], runs: (this.input.resume?.runs ?? 1) + 1,
    };
    log.info('continuing as new', { phase, historyLength: workflowInfo().historyLength });
    return continueAsNew<typeof orderFulfilment>({ ...this.input, resume: snapshot });
  }

  private restore(snapshot: OrderSnapshot): void {
    this.state.order = snapshot.order;
    this.state.salesOrder = snapshot.salesOrder;
    this.state.stage = snapshot.phase === 'awaiting-payment' ? 'payment' : 'awaiting-shipment';
    for (const c of snapshot.compensations) this.register(c.step, c.record as OrderUndo);
    for (const p of snapshot.heldPayments) this.heldPayments.add(p);
    this.flow.progress.stepsDone.push(...snapshot.stepsDone);
    this.flow.progress.erpRecord = snapshot.salesOrder.orderNumber;
    this.flow.describe(`Order ${snapshot.order.name} · ${this.shop} order ${snapshot.order.id}`);
    this.paymentDeadlineMs = snapshot.paymentDeadlineMs;
    this.backordered = snapshot.backordered;
    this.invoiceNumber = snapshot.invoiceNumber;
    this.processingMs = snapshot.processingMs;
    this.overdueIssueId = snapshot.overdueIssueId;
    for (const dispute of snapshot.openDisputes ?? []) this.state.openDisputes.add(dispute);
  }
}

import { ApplicationFailure, condition, log, setHandler } from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { ShopOrder } from '../../domain/order';
import { addressDiffers, linesDiffer, orderPayment, totalsProblem } from '../../domain/order-rules';
import type { SalesOrderRef } from '../../erp/sales-orders';
import {
  disputeClosedSignal, disputeOpenedSignal, editOrderUpdate, markShippedUpdate, ORDER_STEPS, paymentFailedSignal, paymentReceivedSignal,
  shopOrderCancelledSignal, shopOrderChangedSignal, type PaymentFailed,
} from './api';
import type { FlowRuntime } from '../shared/flow-runtime';
import { erp, shopStep } from './proxies';

/**
 * What one order flow knows, and the handlers that change it. Edits and the flow's own order writes take turns
 * under one mutex, so two edits in flight apply one after the other and every applied edit reaches the ERP.
 */

export type Stage =
  | 'fetching' | 'customer' | 'sales-order' | 'reserving' | 'payment' | 'invoicing' | 'telling-shop'
  | 'awaiting-shipment' | 'shipping' | 'fulfilled' | 'cancelled';

/** From reservation on, the lines and the total are those of the ERP order: only the address may still change. */
const LINES_FROZEN: ReadonlySet<Stage> = new Set(['reserving', 'payment', 'invoicing', 'telling-shop', 'awaiting-shipment', 'shipping', 'fulfilled', 'cancelled']);
const TOO_LATE_TO_EDIT: ReadonlySet<Stage> = new Set(['shipping', 'fulfilled', 'cancelled']);

export interface Tracking { trackingNumber: string; carrier: string }
export interface NamedPayment { paymentId: string; kind: 'authorised' | 'captured' }

export class OrderState {
  stage: Stage = 'fetching';
  order: ShopOrder | null = null;
  salesOrder: SalesOrderRef | null = null;
  cancelReason: string | null = null;
  shipment: Tracking | null = null;
  /** Set once the flow's wait for the shipment has ended with it (the update answers only then). */
  shipmentTaken = false;
  /** Payments named by the payment flow (signal), not yet verified with the provider. */
  readonly namedPayments: NamedPayment[] = [];
  /** Payments the payment flow saw fail or be abandoned; the flow keeps waiting for another. */
  readonly failedPayments: PaymentFailed[] = [];
  /** Open disputes of the order's payment, by dispute id: fulfilment waits while any is open. */
  readonly openDisputes = new Set<string>();
  /** Bumped by every "look again" event; waits compare against it. */
  changes = 0;
  /** While the flow waits for a change (its payment): the count it waits to pass; else null. */
  changesAwaited: number | null = null;
  /** Edits and the flow's own writes of the order take turns. */
  readonly orderLock = new Mutex();

  constructor(readonly shop: string, readonly shopOrderId: string) {}

  get linesFrozen(): boolean {
    return LINES_FROZEN.has(this.stage);
  }

  /** Why an edit cannot be taken now, or null. */
  editRefusal(): string | null {
    if (this.cancelReason) return 'too late to edit: the order is being cancelled';
    if (this.shipment || TOO_LATE_TO_EDIT.has(this.stage)) return `too late to edit: the order is at stage "${this.shipment ? 'shipping' : this.stage}"`;
    return null;
  }

  /** A re-read after reservation may bring a payment, never new lines or a new total. */
  takePaymentFrom(latest: ShopOrder): void {
    if (!this.order) this.order = latest;
    else if (this.linesFrozen) this.order = { ...this.order, payment: orderPayment(latest) ?? orderPayment(this.order), cancelledAt: latest.cancelledAt };
    else this.order = latest;
  }
}

/** Installs the order flow's signal and update handlers. A cancellation in the shop undoes the flow. */
export function installOrderHandlers(state: OrderState, flow: FlowRuntime): void {
  setHandler(shopOrderChangedSignal, () => void state.changes++);

  setHandler(paymentReceivedSignal, (payment) => {
    // Only a name for now: the flow verifies it with the provider before booking it or registering any undo.
    const paymentId = payment?.paymentId ?? payment?.paymentIntentId;
    if (typeof paymentId !== 'string' || paymentId === '') {
      log.warn('paymentReceived without a paymentId ignored', { payment });
      return;
    }
    // Until verified, assume a hold: verification tells authorised from captured.
    state.namedPayments.push({ paymentId, kind: 'authorised' });
    state.changes++;
  });

  setHandler(paymentFailedSignal, (failed) => {
    if (typeof failed?.paymentId !== 'string') return;
    state.failedPayments.push(failed);
    log.warn('a payment for this order failed; still waiting for one', { paymentId: failed.paymentId, status: failed.status, reason: failed.reason });
    if (flow.progress.state === 'awaiting-payment') {
      flow.setState('awaiting-payment', `payment ${failed.paymentId} ${failed.status}${failed.reason ? ` (${failed.reason})` : ''}; waiting for another`);
    }
  });

  // Once shipped, a dispute changes nothing here: the goods have left, the payment flow raises it for a person.
  setHandler(disputeOpenedSignal, (notice) => {
    if (typeof notice?.disputeId === 'string' && !state.shipment) state.openDisputes.add(notice.disputeId);
  });
  setHandler(disputeClosedSignal, (notice) => void state.openDisputes.delete(notice?.disputeId));

  setHandler(shopOrderCancelledSignal, async (event) => {
    if (state.cancelReason) return;
    if (state.shipment || state.stage === 'shipping' || state.stage === 'fulfilled') {
      // The goods have left: nothing is undone or refunded; a person sorts it out with the customer.
      log.warn('shop cancelled an order that has shipped', { shopOrderId: state.shopOrderId, eventId: event.eventId });
      await flow.notify({
        step: ORDER_STEPS.cancelAfterShipment, kind: 'refused-cancellation',
        message: 'the shop cancelled this order after it shipped: nothing was undone; arrange a return or refund with the customer',
        details: { shopOrderId: state.shopOrderId, eventId: event.eventId, stage: state.stage },
      });
      return;
    }
    state.cancelReason = 'cancelled in the shop';
    flow.cancel(state.cancelReason);
  });

  setHandler(markShippedUpdate, (tracking) => {
    state.shipment = tracking;
    const accepted = { accepted: true as const };
    // As the operator's decision (FlowRuntime, decideUpdate): answered once the flow has taken the shipment, so that
    // the answer cannot race the cancellation of the wait's reminder timer. Runs recorded before answer at once.
    if (!flow.patches.fromBaseline) return accepted;
    return condition(() => state.shipmentTaken || flow.main.consideredCancelled).then(() => accepted);
  }, { validator: (_tracking) => {
    if (state.stage !== 'awaiting-shipment' || state.shipment) throw new Error(`cannot ship now: the order is at stage "${state.stage}"`);
    if (state.cancelReason) throw new Error('cannot ship now: the order is being cancelled');
    if (state.openDisputes.size > 0) throw new Error(`cannot ship now: the payment is disputed (${[...state.openDisputes].join(', ')}); fulfilment is on hold`);
  } });

  setHandler(editOrderUpdate, (event) => {
    const edit = state.orderLock.runExclusive(() => applyEdit(state, flow, event.eventId));
    return flow.patches.fromBaseline ? answerOnceTaken(state, flow, edit) : edit;
  }, {
    validator: (_event) => {
      const refusal = state.editRefusal();
      if (refusal) throw new Error(refusal);
    },
  });
}

/** An edit's outcome, once the flow has woken from the wait for payment the edit ended (see markShipped). */
async function answerOnceTaken<T>(state: OrderState, flow: FlowRuntime, edit: Promise<T>): Promise<T> {
  try {
    return await edit;
  } finally {
    if (state.changesAwaited !== null && state.changes > state.changesAwaited) {
      await condition(() => state.changesAwaited === null || flow.main.consideredCancelled);
    }
  }
}

/** Applies the shop's current version of the order: to the flow's state, and to the ERP once it has the order. */
async function applyEdit(state: OrderState, flow: FlowRuntime, eventId: string): Promise<{ applied: Array<'lines' | 'address'> }> {
  // Checked again: an edit that waited for its turn may find the order further along.
  const refusal = state.editRefusal();
  if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'EditRefused');
  const latest = await flow.call('edit-order', () => shopStep(flow).fetchShopOrder(state.shopOrderId, state.shop));
  const current = state.order;
  if (!latest || !current) return { applied: [] };
  // Some shops (WooCommerce) announce a payment as an order update: take it, and wake a flow that waits for one.
  const payment = orderPayment(latest);
  if (payment && !orderPayment(current)) state.order = { ...current, payment };
  state.changes++;
  const lines = linesDiffer(current, latest);
  const address = addressDiffers(current, latest);
  if (lines && state.linesFrozen) throw ApplicationFailure.nonRetryable(`too late to change the lines: the order is at stage "${state.stage}"`, 'EditRefused');
  if (lines && totalsProblem(latest)) throw ApplicationFailure.nonRetryable(`edit refused: ${totalsProblem(latest)}`, 'EditRefused');
  if (!lines && !address) return { applied: [] };
  if (state.salesOrder) await flow.call('apply-edit', () => erp.applyOrderEdit(state.salesOrder!.salesOrderId, latest, lines));
  state.order = lines ? latest : { ...state.order!, shippingAddress: latest.shippingAddress };
  log.info('order edit applied', { eventId, lines, address });
  return { applied: [...(lines ? ['lines' as const] : []), ...(address ? ['address' as const] : [])] };
}

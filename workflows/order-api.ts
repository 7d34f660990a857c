import { defineSignal, defineUpdate } from '@temporalio/workflow';

/** Messages of the OrderFulfilment flow, defined once for the workflow, the relay and our tools. */

export interface OrderPolicy {
  /** What to do when stock cannot be reserved: go on as a backorder, or cancel the order with compensation. */
  shortfall: 'backorder' | 'cancel';
  /** How long an order without a payment waits for one before it is cancelled. */
  paymentWaitSeconds: number;
  /** Whether compensation also cancels the order in the shop. */
  cancelShopOrderOnFailure: boolean;
}

export const DEFAULT_ORDER_POLICY: OrderPolicy = { shortfall: 'cancel', paymentWaitSeconds: 24 * 3600, cancelShopOrderOnFailure: true };

export interface OrderFulfilmentInput {
  shopOrderId: string;
  policy: OrderPolicy;
}

export interface OrderEvent { eventId: string; topic: string }

/** "Look at the order again": a new webhook (created, paid) or the payment flow saw its payment. */
export const shopOrderChangedSignal = defineSignal<[OrderEvent]>('shopOrderChanged');
/** The payment flow matched a payment to this order (e.g. a PaymentIntent that succeeded after checkout). */
export const paymentReceivedSignal = defineSignal<[{ paymentIntentId: string; kind: 'AUTHORIZATION' | 'SALE' }]>('paymentReceived');
/** The shop cancelled the order: undo whatever was done, unless it has shipped. */
export const shopOrderCancelledSignal = defineSignal<[OrderEvent]>('shopOrderCancelled');
/** The order was edited in the shop: lines (until stock is reserved) or the address (until it ships). */
export const editOrderUpdate = defineUpdate<{ applied: Array<'lines' | 'address'> }, [OrderEvent]>('editOrder');
/** The ERP shipped the order: fulfil it in the shop. */
export const markShippedUpdate = defineUpdate<{ accepted: true }, [{ trackingNumber: string; carrier: string }]>('markShipped');

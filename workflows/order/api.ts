import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ShopOrder } from '../../domain/order';
import type { SalesOrderRef } from '../../erp/sales-orders';
import type { CarriedCompensation } from '../shared/flow-runtime';

/** The Order -> shop -> ERP flow's messages, ids, business key and steps, defined once for the workflow, the relay and our tools. */

export const ORDER_WORKFLOW = 'orderFulfilment';
/** The shop connection of flows started before connections existed. */
export const DEFAULT_SHOP = 'shopify';

export const orderWorkflowId = (shop: string, shopOrderId: string) => `order-${shop}-${shopOrderId}`;
export const orderBusinessKey = (shop: string, shopOrderId: string) => `${shop}:order:${shopOrderId}`;

/** The order flow's steps (and compensations), as issues, progress and results name them. */
export const ORDER_STEPS = {
  fetchOrder: 'fetch-order',
  releasePayment: 'release-payment',
  cancelShopOrder: 'cancel-shop-order',
  checkTotals: 'check-totals',
  refetchOrder: 'refetch-order',
  ensureCustomer: 'ensure-customer',
  createSalesOrder: 'create-sales-order',
  reserveStock: 'reserve-stock',
  awaitPayment: 'await-payment',
  verifyPayment: 'verify-payment',
  undoPayment: 'undo-payment',
  capturePayment: 'capture-payment',
  recordPayment: 'record-payment',
  postInvoice: 'post-invoice',
  tagShopOrder: 'tag-shop-order',
  confirmOrder: 'confirm-order',
  awaitShipment: 'await-shipment',
  shipInErp: 'ship-in-erp',
  fulfilInShop: 'fulfil-in-shop',
  /** Before shipping and fulfilment were two steps. */
  fulfilOrder: 'fulfil-order',
  cancelAfterShipment: 'cancel-after-shipment',
} as const;

export interface OrderPolicy {
  /** What to do when stock cannot be reserved: go on as a backorder, or cancel the order with compensation. */
  shortfall: 'backorder' | 'cancel';
  /** How long an order without a payment waits for one before it is cancelled. */
  paymentWaitSeconds: number;
  /** Whether compensation also cancels the order in the shop. */
  cancelShopOrderOnFailure: boolean;
  /** An issue nobody answers is raised again after this long (default: a day). */
  operatorReminderSeconds?: number;
  /** An order not shipped within this raises an "overdue" issue, and again each period (default: 3 days). */
  shipmentReminderSeconds?: number;
  /** How long a step may keep meeting vendor rate limits before a person is asked (default: 30 minutes). */
  rateLimitBudgetSeconds?: number;
  /** Continue as new past this many history events, or when Temporal suggests it (default: Temporal decides). */
  maxHistoryEvents?: number;
}

export const DEFAULT_ORDER_POLICY: OrderPolicy = { shortfall: 'cancel', paymentWaitSeconds: 24 * 3600, cancelShopOrderOnFailure: true };

export interface OrderFulfilmentInput {
  /** The shop connection the order lives in (default `shopify`). */
  shop?: string;
  shopOrderId: string;
  policy: OrderPolicy;
  /** Set by continue-as-new: where the previous run stood. */
  resume?: OrderSnapshot;
}

/** What a long-waiting order flow carries into its next run (continue-as-new). */
export interface OrderSnapshot {
  phase: 'awaiting-payment' | 'awaiting-shipment';
  order: ShopOrder;
  salesOrder: SalesOrderRef;
  compensations: CarriedCompensation[];
  heldPayments: string[];
  stepsDone: string[];
  paymentDeadlineMs: number;
  backordered: boolean;
  invoiceNumber: string | null;
  processingMs: number;
  overdueIssueId: number | null;
  /** Disputes still open: fulfilment stays on hold in the next run. */
  openDisputes?: string[];
  runs: number;
}

export type OrderFulfilmentResult =
  | { status: 'fulfilled'; orderNumber: string; invoiceNumber: string; processingMs: number; backordered: boolean }
  /** The warehouse shipped and the ERP says so, but the shop refused the fulfilment and an operator skipped it. */
  | { status: 'fulfilled-in-erp-not-in-shop'; orderNumber: string; invoiceNumber: string; processingMs: number; backordered: boolean }
  | { status: 'cancelled'; reason: string; undone: string[] }
  | { status: 'not-found' | 'cancelled-in-shop' }
  | { status: 'skipped'; step: string };

export interface OrderEvent { eventId: string; topic: string }

/** "Look at the order again": a new webhook (created, paid) or the payment flow saw its payment. */
export const shopOrderChangedSignal = defineSignal<[OrderEvent]>('shopOrderChanged');
/** The payment flow matched a payment to this order (e.g. a PaymentIntent that succeeded after checkout). */
export const paymentReceivedSignal = defineSignal<[PaymentNamed]>('paymentReceived');

/** A payment someone names for the order; the flow verifies it with the provider before using it. */
export interface PaymentNamed {
  paymentId: string;
  /** The field's name before payments became neutral (a Stripe PaymentIntent id); still accepted. */
  paymentIntentId?: string;
}
/** The shop cancelled the order: undo whatever was done, unless it has shipped. */
export const shopOrderCancelledSignal = defineSignal<[OrderEvent]>('shopOrderCancelled');
/** The order was edited in the shop: lines (until stock is reserved) or the address (until it ships). */
export const editOrderUpdate = defineUpdate<{ applied: Array<'lines' | 'address'> }, [OrderEvent]>('editOrder');
/** The ERP shipped the order: fulfil it in the shop. */
export const markShippedUpdate = defineUpdate<{ accepted: true }, [{ trackingNumber: string; carrier: string }]>('markShipped');

/** The payment flow saw a payment for this order fail or be abandoned: the flow keeps waiting for another until its deadline. */
export const paymentFailedSignal = defineSignal<[PaymentFailed]>('paymentFailed');
export interface PaymentFailed { paymentId: string; status: 'failed' | 'cancelled'; reason?: string | null }

/** The buyer's bank disputes the order's payment: fulfilment is held while it is open and the order has not shipped. */
export const disputeOpenedSignal = defineSignal<[DisputeNotice]>('disputeOpened');
/** The bank decided the dispute (won or lost): the hold ends. */
export const disputeClosedSignal = defineSignal<[DisputeNotice]>('disputeClosed');
export interface DisputeNotice { disputeId: string; paymentId: string; outcome?: 'won' | 'lost' }

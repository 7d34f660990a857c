import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PaymentOrderRow } from '../../erp/payment-orders';

/** The Payment -> provider -> ERP flow's messages, ids, business key and steps, defined once for the workflow, the relay and our tools. */

export const PAYMENT_WORKFLOW = 'paymentSettlement';

export const paymentWorkflowId = (payments: string, paymentId: string) => `payment-${payments}-${paymentId}`;
export const paymentBusinessKey = (payments: string, paymentId: string) => `${payments}:payment:${paymentId}`;

export const PAYMENT_STEPS = {
  readPayment: 'read-payment',
  recordSettlement: 'record-settlement',
  findOrder: 'find-order',
  chooseOrder: 'choose-order',
  awaitOrder: 'await-order',
  applyToOrder: 'apply-to-order',
  tellOrder: 'tell-order',
  recordRefund: 'record-refund',
  recordDispute: 'record-dispute',
  recordOutcome: 'record-outcome',
} as const;

export interface PaymentPolicy {
  /** How long a payment without an ERP order waits for one (the order may still be on its way) before it is parked. */
  orderWaitSeconds: number;
  /** How often a waiting payment looks for its order in the ERP. */
  orderPollSeconds: number;
  /** The flow ends after this long without an event; a later event starts it again. */
  idleSeconds: number;
  /** An order of the same amount and currency counts as a candidate when created this close to the payment. */
  matchWindowSeconds: number;
  operatorReminderSeconds?: number;
  rateLimitBudgetSeconds?: number;
  /** Continue as new past this many history events, or when Temporal suggests it. */
  maxHistoryEvents?: number;
}

export const DEFAULT_PAYMENT_POLICY: PaymentPolicy = {
  orderWaitSeconds: 24 * 3600, orderPollSeconds: 60, idleSeconds: 7 * 24 * 3600, matchWindowSeconds: 24 * 3600,
};

export interface PaymentFlowInput {
  /** The payments connection (e.g. `stripe`). */
  payments: string;
  paymentId: string;
  policy: PaymentPolicy;
  /** Set by continue-as-new: what the previous run already did. */
  resume?: PaymentSnapshot;
}

/** The ERP order a payment belongs to, and the shop order (and so the order flow) behind it. */
export type PaymentOrder = PaymentOrderRow;

/** What a long-lived payment flow carries into its next run. */
export interface PaymentSnapshot {
  order: PaymentOrder | null;
  /** What is booked already (settlement, outcome, each refund and dispute) in which state, so each change is written once. */
  booked: Record<string, string>;
  orderWaitDeadlineMs: number | null;
  /** The open "no order" notice of a parked payment. */
  unmatchedIssueId: number | null;
  /** The open notice of each open dispute. */
  disputeIssues: Record<string, number>;
  events: number;
}

/** How the flow ended: idle (no event for `idleSeconds`) with the payment's last status, or the provider does not know it. */
export type PaymentFlowResult =
  | { status: 'idle'; paymentStatus: string; orderNumber: string | null; unmatched: boolean; events: number }
  | { status: 'not-found' }
  | { status: 'compensated'; reason: string; undone: string[] };

export interface PaymentEvent { eventId: string; topic: string }

/** "Look at the payment again": the provider reported a change to it, its refunds or its disputes. */
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');
/** An operator names the ERP order of a payment that several orders fit (then decides "retry" on its issue). */
export const linkOrderUpdate = defineUpdate<{ accepted: true }, [{ orderNumber: string }]>('linkOrder');

import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { paymentBinding, PaymentBoundElsewhereError, recordPayment, salesOrderAmount, setPaymentStatus } from '../erp/billing';
import { setStatus } from '../erp/sales-orders';
import { callingWorkflow } from './context';
import type { PaymentIntentView, PaymentsPort } from './ports';
import { callVendor } from './vendor-errors';

/**
 * Payment activities of the order flow. What is captured or booked is always the ERP sales order's total, so the
 * captured amount, the ERP order and its invoice can never disagree; a payment is only ever touched on behalf of
 * the order it belongs to.
 */

export interface SettledPayment { paymentIntentId: string; status: 'captured'; amountMinor: number; feeMinor: number; currency: string }

export type PaymentCheck =
  | { ok: true; kind: 'AUTHORIZATION' | 'SALE'; amountMinor: number; currency: string }
  | { ok: false; problem: string };

/** Who a payment must belong to before we capture, book, cancel or refund it. */
export interface PaymentOwner { shopOrderId: string; salesOrderId?: number }

/** Deterministic idempotency key: the same workflow step (and amount) always sends the same key. */
const idempotencyKey = (step: string) => `${callingWorkflow().workflowId}:${step}`;

/** Statuses in which the money is still only held, so undoing means cancelling the PaymentIntent. */
const HELD = new Set(['requires_capture', 'requires_confirmation', 'requires_payment_method', 'requires_action']);

/** Why the PaymentIntent is not this order's, or null. The shop order id in its metadata, when present, must match. */
function foreignOwner(intent: PaymentIntentView, owner: PaymentOwner, boundTo: number | null): string | null {
  if (boundTo !== null && owner.salesOrderId !== undefined && boundTo !== owner.salesOrderId) {
    return `PaymentIntent ${intent.id} is already booked for another ERP order`;
  }
  const named = intent.metadata?.shop_order_id ?? intent.metadata?.order_id;
  if (named !== undefined && named !== owner.shopOrderId) return `PaymentIntent ${intent.id} belongs to shop order ${named}`;
  return null;
}

export function createOrderPaymentActivities(deps: { pool: Pool; payments: PaymentsPort }) {
  const { pool, payments } = deps;

  /** Books a captured PaymentIntent in the ERP once it is checked against the ERP order, to the cent. */
  async function settleInErp(salesOrderId: number, paymentIntentId: string): Promise<SettledPayment> {
    const expected = await salesOrderAmount(pool, salesOrderId);
    const intent = await callVendor(() => payments.retrievePaymentIntent(paymentIntentId));
    if (intent.status !== 'succeeded') throw ApplicationFailure.nonRetryable(`PaymentIntent ${paymentIntentId} is ${intent.status}, not captured`, 'PaymentNotCaptured');
    if (intent.currency !== expected.currency || intent.amountReceivedMinor !== expected.amountMinor) {
      throw ApplicationFailure.nonRetryable(
        `PaymentIntent ${paymentIntentId} received ${intent.amountReceivedMinor} ${intent.currency}, the order expects ${expected.amountMinor} ${expected.currency}`,
        'AmountMismatch',
      );
    }
    const fee = intent.latestChargeId ? ((await callVendor(() => payments.retrieveCharge(intent.latestChargeId!))).feeMinor ?? 0) : 0;
    const booking = { provider: 'stripe' as const, providerPaymentId: intent.id, salesOrderId, status: 'captured' as const, currency: intent.currency, amountMinor: intent.amountReceivedMinor, feeMinor: fee };
    await recordPayment(pool, booking).catch((err: unknown) => {
      throw err instanceof PaymentBoundElsewhereError ? ApplicationFailure.nonRetryable(err.message, 'PaymentBoundElsewhere') : err;
    });
    await setStatus(pool, salesOrderId, 'paid');
    return { paymentIntentId: intent.id, status: 'captured', amountMinor: intent.amountReceivedMinor, feeMinor: fee, currency: intent.currency };
  }

  return {
    /**
     * Checks a payment someone named (a signal) before the flow books it or registers any undo for it: it must
     * exist, be in the ERP order's currency, cover its total, and belong to no other order.
     */
    async verifyPayment(owner: Required<PaymentOwner>, paymentIntentId: string): Promise<PaymentCheck> {
      const expected = await salesOrderAmount(pool, owner.salesOrderId);
      const intent = await callVendor(() => payments.retrievePaymentIntent(paymentIntentId), { notFound: null });
      if (!intent) return { ok: false, problem: `PaymentIntent ${paymentIntentId} does not exist` };
      const foreign = foreignOwner(intent, owner, await paymentBinding(pool, 'stripe', paymentIntentId));
      if (foreign) return { ok: false, problem: foreign };
      if (intent.currency !== expected.currency) {
        return { ok: false, problem: `PaymentIntent ${paymentIntentId} is in ${intent.currency}, the order in ${expected.currency}` };
      }
      const [kind, amount] = intent.status === 'requires_capture' ? ['AUTHORIZATION', intent.amountCapturableMinor] as const
        : intent.status === 'succeeded' ? ['SALE', intent.amountReceivedMinor] as const : [null, 0] as const;
      if (!kind) return { ok: false, problem: `PaymentIntent ${paymentIntentId} is ${intent.status}: nothing to capture or book` };
      const enough = kind === 'AUTHORIZATION' ? amount >= expected.amountMinor : amount === expected.amountMinor;
      if (!enough) return { ok: false, problem: `PaymentIntent ${paymentIntentId} holds ${amount} ${intent.currency}, the order is ${expected.amountMinor}` };
      return { ok: true, kind, amountMinor: amount, currency: intent.currency };
    },

    /** Captures an authorised PaymentIntent for the ERP order's total (partially when the order is now smaller), and books it. */
    async capturePayment(salesOrderId: number, paymentIntentId: string): Promise<SettledPayment> {
      const { amountMinor } = await salesOrderAmount(pool, salesOrderId);
      const intent = await callVendor(() => payments.retrievePaymentIntent(paymentIntentId));
      if (intent.status === 'requires_capture') {
        if (amountMinor > intent.amountCapturableMinor) {
          throw ApplicationFailure.nonRetryable(`order total ${amountMinor} exceeds the authorised ${intent.amountCapturableMinor}`, 'AmountMismatch');
        }
        const key = idempotencyKey(`capture-payment:${paymentIntentId}:${amountMinor}`);
        await callVendor(() => payments.capturePaymentIntent(paymentIntentId, { amountMinor, idempotencyKey: key }));
      }
      return settleInErp(salesOrderId, paymentIntentId);
    },

    /** A payment captured at checkout: confirm it with the provider against the ERP order and book it. */
    async recordCapturedPayment(salesOrderId: number, paymentIntentId: string): Promise<SettledPayment> {
      return settleInErp(salesOrderId, paymentIntentId);
    },

    /**
     * Compensation of the payment step: release an authorisation, or refund what remains captured. A payment that
     * belongs to another order is never touched ('not-ours').
     */
    async undoPayment(paymentIntentId: string, owner?: PaymentOwner): Promise<'cancelled' | 'refunded' | 'nothing' | 'not-ours'> {
      const intent = await callVendor(() => payments.retrievePaymentIntent(paymentIntentId), { notFound: null });
      if (!intent) return 'nothing';
      if (owner && foreignOwner(intent, owner, await paymentBinding(pool, 'stripe', paymentIntentId))) return 'not-ours';
      if (HELD.has(intent.status)) {
        await callVendor(() => payments.cancelPaymentIntent(paymentIntentId, { reason: 'abandoned', idempotencyKey: idempotencyKey(`cancel-payment:${paymentIntentId}`) }));
        await setPaymentStatus(pool, 'stripe', paymentIntentId, 'cancelled');
        return 'cancelled';
      }
      if (intent.status === 'succeeded' && intent.latestChargeId) {
        const charge = await callVendor(() => payments.retrieveCharge(intent.latestChargeId!));
        const remaining = charge.amountCapturedMinor - charge.amountRefundedMinor;
        if (remaining > 0) {
          // The amount is part of the key: "refund what remains" after a partial refund is a different operation.
          const key = idempotencyKey(`refund-payment:${paymentIntentId}:${remaining}`);
          await callVendor(() => payments.createRefund({ paymentIntentId, amountMinor: remaining, reason: 'requested_by_customer', idempotencyKey: key }));
        }
        await setPaymentStatus(pool, 'stripe', paymentIntentId, 'refunded');
        return 'refunded';
      }
      return 'nothing';
    },
  };
}

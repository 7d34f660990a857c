import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { paymentBinding, PaymentBoundElsewhereError, recordPayment, salesOrderAmount, setPaymentStatus } from '../../erp/billing';
import { callingWorkflow } from '../shared/context';
import type { Payment, PaymentsPort } from '../../ports/payments';
import { callVendor } from '../shared/vendor-errors';

/**
 * Payment activities of the order flow. What is captured or booked is always the ERP sales order's total, so the
 * captured amount, the ERP order and its invoice can never disagree; a payment is only ever touched on behalf of
 * the order it belongs to.
 */

export interface SettledPayment { paymentId: string; status: 'captured'; amountMinor: number; feeMinor: number; currency: string }

export type PaymentCheck =
  | { ok: true; kind: 'authorised' | 'captured'; amountMinor: number; currency: string }
  | { ok: false; problem: string };

/** Who a payment must belong to before we capture, book, cancel or refund it. */
export interface PaymentOwner { shopOrderId: string; salesOrderId?: number }

/** Deterministic idempotency key: the same workflow step (and amount) always sends the same key. */
const idempotencyKey = (step: string) => `${callingWorkflow().workflowId}:${step}`;

/** Why the payment is not this order's, or null. The order reference the checkout recorded, if any, must match. */
function foreignOwner(payment: Payment, owner: PaymentOwner, boundTo: number | null): string | null {
  if (boundTo !== null && owner.salesOrderId !== undefined && boundTo !== owner.salesOrderId) {
    return `payment ${payment.id} is already booked for another ERP order`;
  }
  if (payment.orderReference !== null && payment.orderReference !== owner.shopOrderId) return `payment ${payment.id} belongs to shop order ${payment.orderReference}`;
  return null;
}

export function createOrderPaymentActivities(deps: { pool: Pool; payments: PaymentsPort; provider: string }) {
  const { pool, payments, provider } = deps;

  /** Books a captured PaymentIntent in the ERP once it is checked against the ERP order, to the cent. */
  async function settleInErp(salesOrderId: number, paymentIntentId: string): Promise<SettledPayment> {
    const expected = await salesOrderAmount(pool, salesOrderId);
    const { payment, charge } = await callVendor(() => payments.getPaymentDetails(paymentIntentId));
    if (payment.status !== 'captured') throw ApplicationFailure.nonRetryable(`payment ${paymentIntentId} is ${payment.status}, not captured`, 'PaymentNotCaptured');
    if (payment.currency !== expected.currency || payment.receivedMinor !== expected.amountMinor) {
      throw ApplicationFailure.nonRetryable(
        `payment ${paymentIntentId} received ${payment.receivedMinor} ${payment.currency}, the order expects ${expected.amountMinor} ${expected.currency}`,
        'AmountMismatch',
      );
    }
    const fee = charge?.feeMinor ?? 0;
    const booking = { provider, providerPaymentId: payment.id, salesOrderId, status: 'captured' as const, currency: payment.currency, amountMinor: payment.receivedMinor, feeMinor: fee };
    await recordPayment(pool, booking, 'paid').catch((err: unknown) => {
      throw err instanceof PaymentBoundElsewhereError ? ApplicationFailure.nonRetryable(err.message, 'PaymentBoundElsewhere') : err;
    });
    return { paymentId: payment.id, status: 'captured', amountMinor: payment.receivedMinor, feeMinor: fee, currency: payment.currency };
  }

  return {
    /**
     * Checks a payment someone named (a signal) before the flow books it or registers any undo for it: it must
     * exist, be in the ERP order's currency, cover its total, and belong to no other order.
     */
    async verifyPayment(owner: Required<PaymentOwner>, paymentIntentId: string): Promise<PaymentCheck> {
      const expected = await salesOrderAmount(pool, owner.salesOrderId);
      const payment = await callVendor(() => payments.getPayment(paymentIntentId), { notFound: null });
      if (!payment) return { ok: false, problem: `payment ${paymentIntentId} does not exist` };
      const foreign = foreignOwner(payment, owner, await paymentBinding(pool, provider, paymentIntentId));
      if (foreign) return { ok: false, problem: foreign };
      if (payment.currency !== expected.currency) {
        return { ok: false, problem: `payment ${paymentIntentId} is in ${payment.currency}, the order in ${expected.currency}` };
      }
      const [kind, amount] = payment.status === 'authorised' ? ['authorised', payment.capturableMinor] as const
        : payment.status === 'captured' ? ['captured', payment.receivedMinor] as const : [null, 0] as const;
      if (!kind) return { ok: false, problem: `payment ${paymentIntentId} is ${payment.status}: nothing to capture or book` };
      const enough = kind === 'authorised' ? amount >= expected.amountMinor : amount === expected.amountMinor;
      if (!enough) return { ok: false, problem: `payment ${paymentIntentId} holds ${amount} ${payment.currency}, the order is ${expected.amountMinor}` };
      return { ok: true, kind, amountMinor: amount, currency: payment.currency };
    },

    /** Captures an authorised PaymentIntent for the ERP order's total (partially when the order is now smaller), and books it. */
    async capturePayment(salesOrderId: number, paymentIntentId: string): Promise<SettledPayment> {
      const { amountMinor } = await salesOrderAmount(pool, salesOrderId);
      const payment = await callVendor(() => payments.getPayment(paymentIntentId));
      if (payment.status === 'authorised') {
        if (amountMinor > payment.capturableMinor) {
          throw ApplicationFailure.nonRetryable(`order total ${amountMinor} exceeds the authorised ${payment.capturableMinor}`, 'AmountMismatch');
        }
        const key = idempotencyKey(`capture-payment:${paymentIntentId}:${amountMinor}`);
        await callVendor(() => payments.capture(paymentIntentId, { amountMinor, idempotencyKey: key }));
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
      const payment = await callVendor(() => payments.getPayment(paymentIntentId), { notFound: null });
      if (!payment) return 'nothing';
      if (owner && foreignOwner(payment, owner, await paymentBinding(pool, provider, paymentIntentId))) return 'not-ours';
      if (payment.status === 'authorised' || payment.status === 'pending') {
        await callVendor(() => payments.cancel(paymentIntentId, { idempotencyKey: idempotencyKey(`cancel-payment:${paymentIntentId}`) }));
        await setPaymentStatus(pool, provider, paymentIntentId, 'cancelled');
        return 'cancelled';
      }
      if (payment.status === 'processing') {
        // Not decided yet: undoing now would do nothing and leave the money taken if it succeeds. Try again later.
        throw ApplicationFailure.create({ message: `payment ${paymentIntentId} is still processing`, type: 'PaymentProcessing', nextRetryDelay: '30 seconds' });
      }
      if (payment.status === 'captured' && payment.chargeId) {
        const charge = await callVendor(() => payments.getCharge(payment.chargeId!));
        const remaining = charge.capturedMinor - charge.refundedMinor;
        if (remaining > 0) {
          // The amount is part of the key: "refund what remains" after a partial refund is a different operation.
          const key = idempotencyKey(`refund-payment:${paymentIntentId}:${remaining}`);
          await callVendor(() => payments.refund({ paymentId: paymentIntentId, amountMinor: remaining, idempotencyKey: key }));
        }
        await setPaymentStatus(pool, provider, paymentIntentId, 'refunded');
        return 'refunded';
      }
      return 'nothing';
    },
  };
}

export type OrderPaymentActivities = ReturnType<typeof createOrderPaymentActivities>;

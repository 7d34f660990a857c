import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { pickOrder, type OrderMatch } from '../../domain/payment-matching';
import { recordDispute } from '../../erp/payments/disputes';
import { CurrencyMismatchError, RefundExceedsPaymentError, UnknownPaymentError } from '../../erp/payments/errors';
import { recordPaymentOutcome, recordPaymentSettlement } from '../../erp/payments/payments';
import { recordRefund } from '../../erp/payments/refunds';
import {
  applyPaymentToOrder, ordersAwaitingAmount, paymentOrderLeads, type PaymentOrderRow,
} from '../../erp/payment-orders';
import type { Charge, Dispute, Payment, Refund } from '../../ports/payments';

/**
 * The payment flow's ERP writes: the settlement with fee and net, the order it belongs to, refunds, disputes and
 * failed payments. All are upserts keyed by the provider's ids, so a retried or repeated pass books nothing twice.
 * What the ERP refuses (an over-refund, another currency) comes back as a problem for the flow to raise, not a failure.
 */

export type Booking = { ok: true } | { ok: false; problem: string };

/** Refusals the ERP states about the money itself: retrying cannot change them. */
const refusal = (err: unknown): Booking => {
  if (err instanceof RefundExceedsPaymentError || err instanceof CurrencyMismatchError || err instanceof UnknownPaymentError) {
    return { ok: false, problem: err.message };
  }
  throw err;
};

export function createPaymentErpActivities(deps: { pool: Pool }) {
  const { pool } = deps;
  return {
    /** Books the captured payment with the provider's charge, balance transaction, fee and net. */
    async recordSettlement(payments: string, payment: Payment, charge: Charge): Promise<void> {
      if (!charge.balanceTransactionId) throw ApplicationFailure.nonRetryable(`charge ${charge.id} has no settlement yet`, 'NotSettled');
      await recordPaymentSettlement(pool, {
        provider: payments, providerPaymentId: payment.id, chargeId: charge.id, balanceTransactionId: charge.balanceTransactionId,
        amountMinor: payment.receivedMinor, feeMinor: charge.feeMinor ?? 0, currency: payment.currency,
        capturedAt: charge.capturedAt ?? payment.createdAt ?? new Date().toISOString(),
      });
    },

    /** The payment's ERP order: its booking, else the shop order its checkout named, else (optionally) its amount. */
    async findPaymentOrder(
      payments: string, payment: Pick<Payment, 'id' | 'orderReference' | 'amountMinor' | 'currency' | 'createdAt'>,
      byAmount: { windowSeconds: number } | null,
    ): Promise<OrderMatch<PaymentOrderRow>> {
      const leads = await paymentOrderLeads(pool, payments, payment.id, payment.orderReference ?? null);
      const { booked } = leads;
      const named = payment.orderReference ? leads.named : [];
      const naming = booked || named.length > 0 ? [] : leads.naming;
      // A payment that names its shop order waits for that order: another order of the same amount is never its own.
      const sameAmount = byAmount && !booked && named.length === 0 && naming.length === 0 && !payment.orderReference
        ? await ordersAwaitingAmount(pool, {
          paymentId: payment.id, amountMinor: payment.amountMinor, currency: payment.currency, at: payment.createdAt ?? new Date().toISOString(), windowSeconds: byAmount.windowSeconds,
        })
        : [];
      const match = pickOrder([booked ? [booked] : [], named, naming, sameAmount]);
      // Neither a booking nor an order named either way: only amount and currency say which orders could be its own.
      return match.kind === 'ambiguous' && !booked && named.length === 0 && naming.length === 0 ? { ...match, amountOnly: true } : match;
    },

    /** Binds the booked payment to its order and applies it to the order's invoice; false when it is another order's. */
    async applyPaymentToOrder(payments: string, paymentId: string, salesOrderId: number): Promise<boolean> {
      return applyPaymentToOrder(pool, payments, paymentId, salesOrderId);
    },

    async recordPaymentRefund(payments: string, paymentId: string, refund: Refund): Promise<Booking> {
      try {
        await recordRefund(pool, {
          provider: payments, providerRefundId: refund.id, providerPaymentId: paymentId, amountMinor: refund.amountMinor, currency: refund.currency,
          status: refund.status, reason: refund.reason ?? null, origin: refund.origin ?? 'external', balanceTransactionId: refund.balanceTransactionId ?? null,
          refundedAt: refund.createdAt ?? new Date().toISOString(),
        });
        return { ok: true };
      } catch (err) {
        return refusal(err);
      }
    },

    async recordPaymentDispute(payments: string, paymentId: string, dispute: Dispute): Promise<Booking> {
      try {
        await recordDispute(pool, {
          provider: payments, providerDisputeId: dispute.id, providerPaymentId: paymentId, amountMinor: dispute.amountMinor, feeMinor: dispute.feeMinor,
          currency: dispute.currency, status: dispute.status, reason: dispute.reason, openedAt: dispute.openedAt,
        });
        return { ok: true };
      } catch (err) {
        return refusal(err);
      }
    },

    /** A payment refused for good or abandoned; a later capture of the same payment still wins (recordSettlement). */
    async recordFailedPayment(payments: string, payment: Payment, status: 'failed' | 'cancelled'): Promise<void> {
      await recordPaymentOutcome(pool, { provider: payments, providerPaymentId: payment.id, status, amountMinor: payment.amountMinor, currency: payment.currency });
    },
  };
}

export type PaymentErpActivities = ReturnType<typeof createPaymentErpActivities>;

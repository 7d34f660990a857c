import type Stripe from 'stripe';
import type { BalanceTransaction, BalanceTransactionKind, Charge, Dispute, Payment, PaymentStatus, Payout, Refund, RefundStatus } from '../../ports/payments';
import { refundOrigin, refundView, type ChargeView, type PaymentIntentView, type RefundView } from './client';

/** Stripe's vocabulary onto the payments port's: the only place that knows what `requires_capture` means. */

const PAYMENT_STATUS: Record<string, PaymentStatus> = {
  requires_payment_method: 'pending',
  requires_confirmation: 'pending',
  requires_action: 'pending',
  processing: 'processing',
  requires_capture: 'authorised',
  succeeded: 'captured',
  canceled: 'cancelled',
};

/** A status Stripe adds later is "not final yet" until we map it. */
export function paymentStatus(stripeStatus: string): PaymentStatus {
  return PAYMENT_STATUS[stripeStatus] ?? 'processing';
}

/** Checkouts record the shop order in metadata: ours as `shop_order_id`, WooCommerce's Stripe gateway as `order_id`. */
export function orderReference(metadata: Record<string, string> | undefined): string | null {
  return metadata?.shop_order_id ?? metadata?.order_id ?? null;
}

export function toPayment(pi: PaymentIntentView): Payment {
  return {
    id: pi.id,
    status: paymentStatus(pi.status),
    amountMinor: pi.amountMinor,
    capturableMinor: pi.amountCapturableMinor,
    receivedMinor: pi.amountReceivedMinor,
    currency: pi.currency,
    chargeId: pi.latestChargeId,
    orderReference: orderReference(pi.metadata),
    ...(pi.createdAt ? { createdAt: pi.createdAt } : {}),
    ...(pi.lastPaymentError ? { failureReason: pi.lastPaymentError } : {}),
  };
}

export function toCharge(charge: ChargeView): Charge {
  return {
    id: charge.id,
    paymentId: charge.paymentIntentId,
    capturedMinor: charge.amountCapturedMinor,
    refundedMinor: charge.amountRefundedMinor,
    currency: charge.currency,
    feeMinor: charge.feeMinor,
    netMinor: charge.netMinor,
    balanceTransactionId: charge.balanceTransactionId,
    ...(charge.capturedAt !== undefined ? { capturedAt: charge.capturedAt } : {}),
  };
}

const REFUND_STATUS: Record<string, RefundStatus> = {
  pending: 'pending', requires_action: 'pending', succeeded: 'succeeded', failed: 'failed', canceled: 'cancelled',
};

export function toRefund(refund: RefundView): Refund {
  return {
    id: refund.id,
    paymentId: refund.paymentIntentId,
    amountMinor: refund.amountMinor,
    currency: refund.currency,
    status: REFUND_STATUS[refund.status ?? ''] ?? 'pending',
  };
}

/** A refund as listed for its payment: who made it, its balance transaction and time. */
export function toListedRefund(refund: Stripe.Refund): Refund {
  const view = refundView(refund);
  return {
    ...toRefund(view), origin: refundOrigin(view.metadata), reason: view.reason, balanceTransactionId: view.balanceTransactionId,
    createdAt: instant(refund.created),
  };
}

/** Stripe's dispute statuses before the bank decides (needs_response, under_review, warning_*) are all "open". */
export function toDispute(dispute: Stripe.Dispute): Dispute {
  const withdrawal = dispute.balance_transactions.find((t) => t.amount < 0);
  return {
    id: dispute.id,
    paymentId: idOf(dispute.payment_intent),
    amountMinor: dispute.amount,
    feeMinor: withdrawal?.fee ?? 0,
    currency: dispute.currency.toUpperCase(),
    status: dispute.status === 'won' ? 'won' : dispute.status === 'lost' ? 'lost' : 'open',
    reason: dispute.reason ?? null,
    openedAt: instant(dispute.created),
  };
}

const TRANSACTION_KIND: Record<string, BalanceTransactionKind> = {
  charge: 'payment', payment: 'payment', refund: 'refund', payment_refund: 'refund', payout: 'payout', payout_cancel: 'payout',
  payout_failure: 'payout', stripe_fee: 'fee', application_fee: 'fee', adjustment: 'adjustment', dispute: 'dispute',
};

const instant = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();
const idOf = (value: string | { id: string } | null | undefined) => (typeof value === 'string' ? value : (value?.id ?? null));

/** Stripe books a dispute's withdrawal and reinstatement as adjustments; their reporting category says so. */
const DISPUTE_CATEGORIES = new Set(['dispute', 'dispute_reversal']);

/** The payment a transaction's expanded source belongs to (a charge's, a refund's or a dispute's payment intent). */
function paymentOfSource(source: unknown): string | undefined {
  if (!source || typeof source !== 'object') return undefined;
  const { object, id, payment_intent: pi } = source as { object?: string; id?: string; payment_intent?: string | { id: string } | null };
  if (object === 'payment_intent' && id) return id;
  return idOf(pi) ?? undefined;
}

export function toBalanceTransaction(txn: Stripe.BalanceTransaction): BalanceTransaction {
  const paymentId = paymentOfSource(txn.source);
  return {
    id: txn.id,
    kind: DISPUTE_CATEGORIES.has(txn.reporting_category) ? 'dispute' : (TRANSACTION_KIND[txn.type] ?? 'adjustment'),
    amountMinor: txn.amount,
    feeMinor: txn.fee,
    netMinor: txn.net,
    currency: txn.currency.toUpperCase(),
    sourceId: idOf(txn.source as string | { id: string } | null),
    ...(paymentId ? { paymentId } : {}),
    createdAt: instant(txn.created),
  };
}

const PAYOUT_STATUS: Record<string, Payout['status']> = { pending: 'pending', in_transit: 'in-transit', paid: 'paid', failed: 'failed', canceled: 'cancelled' };

export function toPayout(payout: Stripe.Payout): Payout {
  return {
    id: payout.id,
    amountMinor: payout.amount,
    currency: payout.currency.toUpperCase(),
    status: PAYOUT_STATUS[payout.status] ?? 'pending',
    arrivalAt: instant(payout.arrival_date),
    createdAt: instant(payout.created),
    ...(payout.failure_code ? { failureCode: payout.failure_code } : {}),
  };
}

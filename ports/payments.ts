/**
 * The payments port: what the engine needs from any payment provider, in the engine's own words. A connector
 * (connectors/stripe, ...) maps its vendor's objects and statuses onto these. Money is integer minor units with
 * an upper-case ISO 4217 currency; times are UTC instants (ISO strings).
 */

/**
 * Where a payment stands. `pending`: nothing usable yet (no method, action or confirmation outstanding);
 * `processing`: the provider is still deciding; `authorised`: money held, to be captured; `captured`: money taken;
 * `cancelled`: released or abandoned; `failed`: refused for good.
 */
export type PaymentStatus = 'pending' | 'processing' | 'authorised' | 'captured' | 'cancelled' | 'failed';

export interface Payment {
  id: string;
  status: PaymentStatus;
  amountMinor: number;
  /** What may still be captured (authorised payments). */
  capturableMinor: number;
  /** What was actually taken. */
  receivedMinor: number;
  currency: string;
  /** The provider's settlement record for the captured money (a charge), where it has one. */
  chargeId: string | null;
  /** The shop order the checkout said this payment is for, when the provider records it. */
  orderReference: string | null;
  /** When the payment was created (UTC), where the provider says. */
  createdAt?: string;
  /** Why the last attempt to pay was refused; the payment may still be paid by another attempt. */
  failureReason?: string | null;
}

export interface Charge {
  id: string;
  paymentId: string | null;
  capturedMinor: number;
  refundedMinor: number;
  currency: string;
  /** The provider's fee and what reaches the balance; null until the money is captured. */
  feeMinor: number | null;
  netMinor: number | null;
  balanceTransactionId: string | null;
  /** When the captured money was booked by the provider (UTC), null before the capture. */
  capturedAt?: string | null;
}

export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

export interface Refund {
  id: string;
  paymentId: string | null;
  amountMinor: number;
  currency: string;
  status: RefundStatus;
  /** Listed refunds only: 'engine' when we asked for it, else 'external' (dashboard, other tools). */
  origin?: 'engine' | 'external';
  reason?: string | null;
  balanceTransactionId?: string | null;
  createdAt?: string;
}

/** A chargeback: `open` until the bank decides, then `won` (money back) or `lost`. */
export interface Dispute {
  id: string;
  paymentId: string | null;
  amountMinor: number;
  /** The provider's dispute fee, withdrawn with the amount. */
  feeMinor: number;
  currency: string;
  status: 'open' | 'won' | 'lost';
  reason: string | null;
  openedAt: string;
}

export type BalanceTransactionKind = 'payment' | 'refund' | 'fee' | 'payout' | 'adjustment' | 'dispute';

export interface BalanceTransaction {
  id: string;
  kind: BalanceTransactionKind;
  amountMinor: number;
  feeMinor: number;
  netMinor: number;
  currency: string;
  /** The payment, refund or payout it moves money for. */
  sourceId: string | null;
  /** The payment it concerns (a charge's, a refund's or a dispute's), when the provider names it. */
  paymentId?: string;
  createdAt: string;
}

/** A UTC time range, `from` inclusive and `before` exclusive (ISO instants); either end may be open. */
export interface InstantRange { from?: string; before?: string }

export interface Payout {
  id: string;
  amountMinor: number;
  currency: string;
  status: 'pending' | 'in-transit' | 'paid' | 'failed' | 'cancelled';
  arrivalAt: string;
  createdAt: string;
  /** Why the bank returned a failed payout, when the provider says. */
  failureCode?: string | null;
}

export interface Page<T> { items: T[]; nextCursor: string | null }

/** A payment read with its settlement record; what came with them spares the listings. */
export interface PaymentDetails {
  payment: Payment;
  /** The payment's settlement record (`payment.chargeId`) with its fee; null when it has none. */
  charge: Charge | null;
  /** Every refund of the payment, oldest first, when the read included them all; null: list them. */
  refunds: Refund[] | null;
  /** False when the provider says the payment was never disputed; null: list its disputes to know. */
  disputed: boolean | null;
}

export interface PaymentsPort {
  getPayment(id: string): Promise<Payment>;
  /** The payment with its charge, and its refunds and dispute flag where the provider gives them in the same read. */
  getPaymentDetails(id: string): Promise<PaymentDetails>;
  /** Captures `amountMinor` (at most what is capturable); the same key never captures twice. */
  capture(id: string, opts: { amountMinor: number; idempotencyKey: string }): Promise<Payment>;
  /** Releases an authorisation (or abandons an unpaid payment). */
  cancel(id: string, opts: { idempotencyKey: string }): Promise<Payment>;
  refund(opts: { paymentId: string; amountMinor: number; idempotencyKey: string }): Promise<Refund>;
  getCharge(id: string): Promise<Charge>;
  listBalanceTransactions(opts: { payoutId?: string; created?: InstantRange; cursor?: string; limit?: number }): Promise<Page<BalanceTransaction>>;
  listPayouts(opts: { created?: InstantRange; arrival?: InstantRange; cursor?: string; limit?: number }): Promise<Page<Payout>>;
  /** Every refund of a payment, whoever made it, oldest first. */
  listRefunds(paymentId: string): Promise<Refund[]>;
  /** Every dispute of a payment, oldest first. */
  listDisputes(paymentId: string): Promise<Dispute[]>;
  getPayout(id: string): Promise<Payout>;
}

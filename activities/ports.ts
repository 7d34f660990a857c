import type { ShopOrder } from '../domain/order';

/** What the order flow needs from a shop and a payment provider; the Shopify and Stripe connectors implement these. */

export interface ShopPort {
  getOrder(orderId: string): Promise<ShopOrder>;
  addTags(orderId: string, tags: string[]): Promise<unknown>;
  cancelOrder(orderId: string, opts: { reason: 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF'; refund: boolean; restock: boolean }): Promise<unknown>;
  createFulfillment(orderId: string, tracking?: { number: string; company: string }): Promise<unknown>;
}

export interface PaymentIntentView {
  id: string;
  status: string;
  amountMinor: number;
  amountCapturableMinor: number;
  amountReceivedMinor: number;
  currency: string;
  latestChargeId: string | null;
  /** The shop order id may be recorded here by the checkout (`shop_order_id`, or WooCommerce's `order_id`). */
  metadata?: Record<string, string>;
}

export interface PaymentsPort {
  retrievePaymentIntent(id: string): Promise<PaymentIntentView>;
  capturePaymentIntent(id: string, opts: { amountMinor?: number; idempotencyKey: string }): Promise<PaymentIntentView>;
  cancelPaymentIntent(id: string, opts: { reason?: 'abandoned' | 'duplicate' | 'fraudulent' | 'requested_by_customer'; idempotencyKey: string }): Promise<PaymentIntentView>;
  createRefund(opts: { paymentIntentId: string; amountMinor: number; reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer'; idempotencyKey: string }): Promise<{ id: string; amountMinor: number; status: string | null }>;
  retrieveCharge(id: string): Promise<{ id: string; feeMinor: number | null; amountCapturedMinor: number; amountRefundedMinor: number }>;
}

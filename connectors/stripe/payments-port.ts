import type Stripe from 'stripe';
import type { BalanceTransaction, Charge, Page, Payment, PaymentsPort, Payout, Refund } from '../../ports/payments';
import { StripePayments, toVendorError, type StripePaymentsOptions } from './client';
import { toBalanceTransaction, toCharge, toPayment, toPayout, toRefund } from './mapper';

/** The payments port on Stripe: PaymentIntents are payments, their latest charge holds the fee. */
export class StripePaymentsPort implements PaymentsPort {
  private readonly client: StripePayments;

  constructor(opts: StripePaymentsOptions | StripePayments) {
    this.client = opts instanceof StripePayments ? opts : new StripePayments(opts);
  }

  async getPayment(id: string): Promise<Payment> {
    return toPayment(await this.client.retrievePaymentIntent(id));
  }

  async capture(id: string, opts: { amountMinor: number; idempotencyKey: string }): Promise<Payment> {
    return toPayment(await this.client.capturePaymentIntent(id, opts));
  }

  async cancel(id: string, opts: { idempotencyKey: string }): Promise<Payment> {
    return toPayment(await this.client.cancelPaymentIntent(id, { reason: 'abandoned', idempotencyKey: opts.idempotencyKey }));
  }

  async refund(opts: { paymentId: string; amountMinor: number; idempotencyKey: string }): Promise<Refund> {
    return toRefund(await this.client.createRefund({
      paymentIntentId: opts.paymentId, amountMinor: opts.amountMinor, reason: 'requested_by_customer', idempotencyKey: opts.idempotencyKey,
    }));
  }

  async getCharge(id: string): Promise<Charge> {
    return toCharge(await this.client.retrieveCharge(id));
  }

  async listBalanceTransactions(opts: { payoutId?: string; cursor?: string; limit?: number }): Promise<Page<BalanceTransaction>> {
    const page = await this.list('/v1/balance_transactions', () => this.client.stripe.balanceTransactions.list({
      limit: opts.limit ?? 100, ...(opts.payoutId ? { payout: opts.payoutId } : {}), ...(opts.cursor ? { starting_after: opts.cursor } : {}),
    }));
    return pageOf(page, toBalanceTransaction);
  }

  async listPayouts(opts: { cursor?: string; limit?: number }): Promise<Page<Payout>> {
    const page = await this.list('/v1/payouts', () => this.client.stripe.payouts.list({ limit: opts.limit ?? 100, ...(opts.cursor ? { starting_after: opts.cursor } : {}) }));
    return pageOf(page, toPayout);
  }

  private async list<T>(path: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toVendorError(err, 'GET', path);
    }
  }
}

function pageOf<S extends { id: string }, T>(page: Stripe.ApiList<S>, map: (item: S) => T): Page<T> {
  const last = page.data[page.data.length - 1];
  return { items: page.data.map(map), nextCursor: page.has_more && last ? last.id : null };
}

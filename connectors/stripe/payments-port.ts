import type Stripe from 'stripe';
import type { BalanceTransaction, Charge, Dispute, InstantRange, Page, Payment, PaymentDetails, PaymentsPort, Payout, Refund } from '../../ports/payments';
import { chargeView, paymentIntentView, StripePayments, toVendorError, type StripePaymentsOptions } from './client';
import { toBalanceTransaction, toCharge, toDispute, toListedRefund, toPayment, toPayout, toRefund } from './mapper';

/** The payments port on Stripe: PaymentIntents are payments, their latest charge holds the fee. */
export class StripePaymentsPort implements PaymentsPort {
  private readonly client: StripePayments;

  constructor(opts: StripePaymentsOptions | StripePayments) {
    this.client = opts instanceof StripePayments ? opts : new StripePayments(opts);
  }

  async getPayment(id: string): Promise<Payment> {
    return toPayment(await this.client.retrievePaymentIntent(id));
  }

  /**
   * One read: the intent, its latest charge with the fee, and the charge's refunds unless there are more than one
   * page of them. A PaymentIntent's money is on its latest charge (earlier ones failed), so its refunds and disputes
   * are that charge's; `disputed` is Stripe's own flag, true once any dispute was opened.
   */
  async getPaymentDetails(id: string): Promise<PaymentDetails> {
    const pi = await this.client.retrievePaymentIntentWithCharge(id);
    const payment = toPayment(paymentIntentView(pi));
    if (pi.latest_charge === null) return { payment, charge: null, refunds: [], disputed: false };
    if (typeof pi.latest_charge === 'string') {
      // Not expanded after all: the charge read on its own, the listings left to the caller.
      return { payment, charge: await this.getCharge(pi.latest_charge), refunds: null, disputed: null };
    }
    const charge = pi.latest_charge;
    return {
      payment,
      charge: toCharge(chargeView(charge)),
      refunds: charge.refunds && !charge.refunds.has_more ? [...charge.refunds.data].reverse().map(toListedRefund) : null,
      disputed: typeof charge.disputed === 'boolean' ? charge.disputed : null,
    };
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

  /** Each transaction's source is expanded in the same call, so it names its payment (`paymentId`). */
  async listBalanceTransactions(opts: { payoutId?: string; created?: InstantRange; cursor?: string; limit?: number }): Promise<Page<BalanceTransaction>> {
    const page = await this.list('/v1/balance_transactions', () => this.client.stripe.balanceTransactions.list({
      limit: opts.limit ?? 100, expand: ['data.source'], ...(opts.payoutId ? { payout: opts.payoutId } : {}),
      ...rangeParam('created', opts.created), ...(opts.cursor ? { starting_after: opts.cursor } : {}),
    }));
    return pageOf(page, toBalanceTransaction);
  }

  async listPayouts(opts: { created?: InstantRange; arrival?: InstantRange; cursor?: string; limit?: number }): Promise<Page<Payout>> {
    const page = await this.list('/v1/payouts', () => this.client.stripe.payouts.list({
      limit: opts.limit ?? 100, ...rangeParam('created', opts.created), ...rangeParam('arrival_date', opts.arrival),
      ...(opts.cursor ? { starting_after: opts.cursor } : {}),
    }));
    return pageOf(page, toPayout);
  }

  async listRefunds(paymentId: string): Promise<Refund[]> {
    return this.all('/v1/refunds', (cursor) => this.client.stripe.refunds.list({ payment_intent: paymentId, limit: 100, ...(cursor ? { starting_after: cursor } : {}) }), toListedRefund);
  }

  async listDisputes(paymentId: string): Promise<Dispute[]> {
    return this.all('/v1/disputes', (cursor) => this.client.stripe.disputes.list({ payment_intent: paymentId, limit: 100, ...(cursor ? { starting_after: cursor } : {}) }), toDispute);
  }

  async getPayout(id: string): Promise<Payout> {
    return toPayout(await this.list(`/v1/payouts/${id}`, () => this.client.stripe.payouts.retrieve(id)));
  }

  /** Every page of a list, oldest first (Stripe lists newest first). */
  private async all<S extends { id: string }, T>(path: string, page: (cursor?: string) => Promise<Stripe.ApiList<S>>, map: (item: S) => T): Promise<T[]> {
    const items: S[] = [];
    for (let cursor: string | undefined; ;) {
      const current = await this.list(path, () => page(cursor));
      items.push(...current.data);
      const last = current.data[current.data.length - 1];
      if (!current.has_more || !last) return items.reverse().map(map);
      cursor = last.id;
    }
  }

  private async list<T>(path: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toVendorError(err, 'GET', path);
    }
  }
}

/**
 * A UTC range as Stripe's `gte`/`lt` filter in unix seconds. Stripe's times are whole seconds, so a bound inside a
 * second is widened to include that second at the start and the end: a caller's range never loses a row.
 */
function rangeParam<K extends string>(name: K, range: InstantRange | undefined): Partial<Record<K, { gte?: number; lt?: number }>> {
  if (!range || (range.from === undefined && range.before === undefined)) return {};
  const seconds = (iso: string, round: (n: number) => number) => {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) throw new Error(`not an ISO instant: "${iso}"`);
    return round(ms / 1000);
  };
  const filter = {
    ...(range.from !== undefined ? { gte: seconds(range.from, Math.floor) } : {}),
    ...(range.before !== undefined ? { lt: seconds(range.before, Math.ceil) } : {}),
  };
  return { [name]: filter } as Partial<Record<K, { gte?: number; lt?: number }>>;
}

function pageOf<S extends { id: string }, T>(page: Stripe.ApiList<S>, map: (item: S) => T): Page<T> {
  const last = page.data[page.data.length - 1];
  return { items: page.data.map(map), nextCursor: page.has_more && last ? last.id : null };
}

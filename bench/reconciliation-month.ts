import type { BalanceTransaction, Payout } from '../ports/payments';
import type { DisputeRecord } from '../erp/payments/disputes';
import type { PaymentSettlement } from '../erp/payments/payments';
import type { RefundRecord } from '../erp/payments/refunds';
import { disputeFeeMinor, processingFeeMinor } from '../connectors/stripe/simulator/pricing';
import { seededRandom } from './support/args';

/**
 * A month of payment activity, the same for the same seed: payments in USD and JPY with the provider's fees,
 * partial refunds, disputes won and lost, the provider's own fees, and a payout per currency and day. Both sides
 * are produced: what the provider lists (balance transactions with the payout that settled them, payouts) and what
 * the ERP booked (settled payments, refunds, disputes). Used by the reconciliation tests and the benchmark.
 */

export interface MonthOptions {
  seed: number;
  /** UTC midnight the month starts at. */
  start: string;
  days: number;
  paymentsPerDay: number;
  currencies?: readonly string[];
}

export interface ProviderTransaction extends BalanceTransaction { payoutId: string | null }

export interface Month {
  window: { from: string; to: string };
  provider: { transactions: ProviderTransaction[]; payouts: Payout[] };
  erp: { payments: PaymentSettlement[]; refunds: RefundRecord[]; disputes: DisputeRecord[] };
}

const PROVIDER = 'stripe';
const DAY_MS = 86_400_000;

const iso = (ms: number) => new Date(ms).toISOString();

export function generateMonth(opts: MonthOptions): Month {
  const random = seededRandom(opts.seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const currencies = opts.currencies ?? ['USD', 'JPY'];
  const start = Date.parse(opts.start);
  const month: Month = {
    window: { from: iso(start), to: iso(start + opts.days * DAY_MS) },
    provider: { transactions: [], payouts: [] },
    erp: { payments: [], refunds: [], disputes: [] },
  };
  const txns = month.provider.transactions;
  const txn = (t: Omit<ProviderTransaction, 'payoutId' | 'netMinor'>) => txns.push({ ...t, netMinor: t.amountMinor - t.feeMinor, payoutId: null });
  let n = 0;

  for (let day = 0; day < opts.days; day++) {
    for (let i = 0; i < opts.paymentsPerDay; i++) {
      const id = String(++n).padStart(8, '0');
      const currency = currencies[n % currencies.length]!;
      // Yen amounts are whole yen; dollar amounts are cents: both between about 5 and 500 of the major unit.
      const amount = currency === 'JPY' ? between(500, 50_000) : between(500, 50_000);
      const fee = processingFeeMinor(amount, currency);
      // The last hour of the month stays empty so every provider row of the month falls inside its window.
      const capturedAt = start + day * DAY_MS + between(0, DAY_MS - 3_600_000 - 1);
      const payment = `pi_${id}`;
      txn({ id: `txn_ch_${id}`, kind: 'payment', amountMinor: amount, feeMinor: fee, currency, sourceId: `ch_${id}`, paymentId: payment, createdAt: iso(capturedAt) });
      month.erp.payments.push({
        provider: PROVIDER, providerPaymentId: payment, chargeId: `ch_${id}`, balanceTransactionId: `txn_ch_${id}`, amountMinor: amount, feeMinor: fee,
        currency, capturedAt: iso(capturedAt + between(200, 30_000)),
      });
      const roll = random();
      const laterSameDay = (ms: number) => Math.min(ms + between(60_000, 6 * 3_600_000), start + (day + 1) * DAY_MS - 3_600_000 - 1);
      if (roll < 0.1) {
        // One or two partial refunds that never add up to more than was paid.
        let left = amount;
        for (let r = 1; r <= between(1, 2) && left > 1; r++) {
          const refund = between(1, Math.floor(left / 2));
          left -= refund;
          const at = laterSameDay(capturedAt);
          const refundId = `re_${id}_${r}`;
          txn({ id: `txn_${refundId}`, kind: 'refund', amountMinor: -refund, feeMinor: 0, currency, sourceId: refundId, paymentId: payment, createdAt: iso(at) });
          month.erp.refunds.push({
            provider: PROVIDER, providerRefundId: refundId, providerPaymentId: payment, amountMinor: refund, currency, status: 'succeeded',
            origin: r === 2 ? 'external' : 'engine', balanceTransactionId: `txn_${refundId}`, refundedAt: iso(at + between(200, 5_000)),
          });
        }
      } else if (roll < 0.12) {
        const disputeId = `dp_${id}`;
        const disputeFee = disputeFeeMinor(currency);
        const opened = laterSameDay(capturedAt);
        txn({ id: `txn_${disputeId}_w`, kind: 'dispute', amountMinor: -amount, feeMinor: disputeFee, currency, sourceId: disputeId, paymentId: payment, createdAt: iso(opened) });
        const won = random() < 0.5;
        const closed = laterSameDay(opened);
        if (won) {
          txn({ id: `txn_${disputeId}_r`, kind: 'dispute', amountMinor: amount, feeMinor: -disputeFee, currency, sourceId: disputeId, paymentId: payment, createdAt: iso(closed) });
        }
        month.erp.disputes.push({
          provider: PROVIDER, providerDisputeId: disputeId, providerPaymentId: payment, amountMinor: amount, feeMinor: disputeFee, currency,
          status: won ? 'won' : 'lost', reason: 'fraudulent', openedAt: iso(opened + 1_000), closedAt: iso(closed + 1_000),
        });
      }
    }
    for (const currency of currencies) {
      // The provider's own charges: a small fee now and then, booked straight into the payout.
      if (day % 7 === 3) txn({ id: `txn_fee_${day}_${currency}`, kind: 'fee', amountMinor: -between(100, 900), feeMinor: 0, currency, sourceId: null, createdAt: iso(start + day * DAY_MS + 1) });
    }
    payOut(month, currencies, start + (day + 1) * DAY_MS - 1_800_000, random);
  }
  return month;
}

/** A payout per currency of everything not yet paid out; a negative balance waits for the next day, as at Stripe. */
function payOut(month: Month, currencies: readonly string[], at: number, random: () => number): void {
  for (const currency of currencies) {
    const open = month.provider.transactions.filter((t) => t.currency === currency && t.payoutId === null && t.kind !== 'payout' && Date.parse(t.createdAt) < at);
    const amount = open.reduce((sum, t) => sum + t.netMinor, 0);
    if (amount <= 0) continue;
    const id = `po_${currency}_${iso(at).slice(0, 10)}_${Math.floor(random() * 1e6)}`;
    for (const t of open) t.payoutId = id;
    month.provider.transactions.push({
      id: `txn_${id}`, kind: 'payout', amountMinor: -amount, feeMinor: 0, netMinor: -amount, currency, sourceId: id, createdAt: iso(at), payoutId: id,
    });
    month.provider.payouts.push({ id, amountMinor: amount, currency, status: 'paid', arrivalAt: iso(at + 2 * DAY_MS), createdAt: iso(at) });
  }
}

import type { Pool } from 'pg';
import { refundOrigin } from '../../connectors/stripe/client';
import { recordDispute } from '../../erp/payments/disputes';
import { recordPaymentSettlement } from '../../erp/payments/payments';
import { recordRefund } from '../../erp/payments/refunds';
import { reconcileRun } from '../../erp/reconciliation/run';
import { stageFromProvider } from '../../erp/reconciliation/stage-from-provider';
import { startRun } from '../../erp/reconciliation/staging';
import { fixedWindow } from '../../erp/reconciliation/window';
import type { SimDispute, SimPayout } from '../../connectors/stripe/simulator/state';
import { startDatabase } from '../support/database';
import { simPost } from '../support/sim-control';
import { startStripeSimFixture, type StripeSimFixture } from '../support/stripe-sim-fixture';

/**
 * Reconciliation fed by the payments port, as the scheduled flow will run it: the Stripe simulator's payouts and
 * balance transactions listed page by page into staging, against what the ERP booked from the same provider.
 */

let db: Awaited<ReturnType<typeof startDatabase>>;
let pool: Pool;
let f: StripeSimFixture;
beforeAll(async () => {
  [db, f] = await Promise.all([startDatabase(), startStripeSimFixture()]);
  pool = db.pool;
  await simPost(f.sim.url, 'webhooks/config', { targetUrl: null });
});
afterAll(async () => Promise.all([db?.close(), f?.close()]));

/** A captured payment, booked in the ERP from the provider's own answers (what the payment flow will do). */
async function paidAndBooked(amountMinor: number, currency: string): Promise<string> {
  const pi = await f.payments.createPaymentIntent({
    amountMinor, currency, captureMethod: 'automatic', paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: `create-${currency}-${amountMinor}`,
  });
  const charge = await f.port.getCharge(pi.latestChargeId!);
  await recordPaymentSettlement(pool, {
    provider: 'stripe', providerPaymentId: pi.id, chargeId: charge.id, balanceTransactionId: charge.balanceTransactionId!, amountMinor: charge.capturedMinor,
    feeMinor: charge.feeMinor!, currency: charge.currency, capturedAt: new Date().toISOString(),
  });
  return pi.id;
}

async function reconcileNow(pageSize: number) {
  const window = fixedWindow(new Date(Date.now() - 3_600_000).toISOString(), new Date(Date.now() + 60_000).toISOString());
  const runId = await startRun(pool, 'stripe', window);
  const staged = await stageFromProvider(pool, runId, f.port, window, pageSize);
  return { staged, result: await reconcileRun(pool, runId) };
}

test('payments, refunds (ours and the dashboard\'s), a lost dispute and payouts listed through the port reconcile; an unbooked dashboard refund is missing in the ERP', async () => {
  const usd = await paidAndBooked(10_000, 'usd');
  const yen = await paidAndBooked(5_000, 'jpy');
  const kwd = await paidAndBooked(12_340, 'kwd');
  const ours = await f.payments.createRefund({ paymentIntentId: usd, amountMinor: 1_500, idempotencyKey: 'refund-usd-1' });
  const dashboard = await f.stripe.refunds.create({ payment_intent: usd, amount: 500 });
  for (const r of [{ id: ours.id, amount: 1_500, metadata: ours.metadata }, { id: dashboard.id, amount: 500, metadata: dashboard.metadata as Record<string, string> }]) {
    await recordRefund(pool, {
      provider: 'stripe', providerRefundId: r.id, providerPaymentId: usd, amountMinor: r.amount, currency: 'USD', status: 'succeeded',
      origin: refundOrigin(r.metadata), refundedAt: new Date().toISOString(),
    });
  }
  expect((await pool.query('SELECT origin FROM erp.refund ORDER BY id')).rows.map((r) => r.origin)).toEqual(['engine', 'external']);
  const yenCharge = (await f.port.getPayment(yen)).chargeId;
  const dispute = await simPost(f.sim.url, 'disputes', { charge: yenCharge, amount: 2_000 }) as SimDispute;
  await simPost(f.sim.url, `disputes/${dispute.id}/close`, { outcome: 'lost' });
  await recordDispute(pool, {
    provider: 'stripe', providerDisputeId: dispute.id, providerPaymentId: yen, amountMinor: 2_000, feeMinor: dispute.balance_transactions[0]!.fee,
    currency: 'JPY', status: 'lost', openedAt: new Date().toISOString(), closedAt: new Date().toISOString(),
  });
  const payouts = await Promise.all(['usd', 'jpy', 'kwd'].map((currency) => simPost(f.sim.url, 'payouts', { currency }) as Promise<SimPayout>));

  // Pages of two rows: the paging and the idempotent staging are exercised, not just one big page.
  const clean = await reconcileNow(2);
  expect(clean.staged.payouts).toBe(3);
  expect(clean.result.exceptions).toEqual([]);
  expect(clean.result).toMatchObject({ providerRows: 3 + 2 + 1, matchRate: 1, payouts: { checked: 3, reconciled: 3 } });
  const lines = (await pool.query(`SELECT p.provider_payout_id AS payout, l.kind, l.amount_minor::int AS net FROM erp.payout_line l JOIN erp.payout p ON p.id = l.payout_id`)).rows;
  expect(lines).toHaveLength(6);
  for (const payout of payouts) {
    expect(lines.filter((l) => l.payout === payout.id).reduce((sum, l) => sum + l.net, 0)).toBe(payout.amount);
  }
  expect(payouts.find((p) => p.currency === 'kwd')!.amount).toBe(12_340 - 458);

  // Someone refunds in the dashboard and nobody books it: the next run names it, with the provider's side.
  const unbooked = await f.stripe.refunds.create({ payment_intent: kwd, amount: 340 });
  const next = await reconcileNow(100);
  expect(next.result.exceptions).toEqual([expect.objectContaining({
    class: 'missing_in_erp', subject: 'refund', provider: expect.objectContaining({ sourceId: unbooked.id, amountMinor: -340, currency: 'KWD' }),
  })]);
});

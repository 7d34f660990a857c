import { listIssues } from '../../engine/issues';
import { eventually, startHarness, type Harness } from '../support/harness';
import { reachesState } from '../support/orders';
import { capturedPayment, erpPayments, paymentFlowState } from '../support/payments';
import { simPost } from '../support/sim-control';
import { ShopifyDriver } from '../support/shop-drivers/shopify';

/**
 * The scheduled reconciliation end to end: the engine's Temporal Schedule (created by the worker at start-up) is
 * triggered as an operator would, and its run reconciles what the payment flows booked against the Stripe simulator.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ reconciliationSchedule: true });
});
afterAll(async () => h?.close());

test('a run started by the schedule reconciles a payout and reports a deliberate one-minor-unit mismatch, and nothing else', async () => {
  const shop = new ShopifyDriver(h);
  await shop.seedProduct('REC-TEE', 10, 2500);
  const placed = await shop.placeOrder({ lines: [{ sku: 'REC-TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'captured' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  await paymentFlowState(h, placed.paymentIntentId!, 'settled');
  const payout = await simPost(h.stripe.url, 'payouts', { currency: 'usd' }) as { id: string; amount: number };

  // Paid after the payout, and booked in the ERP one cent too high.
  const off = await capturedPayment(h, 3333, 'USD');
  await paymentFlowState(h, off, 'awaiting-order');
  await h.pool.query(`UPDATE erp.payment SET amount_minor = amount_minor + 1 WHERE provider_payment_id = $1`, [off]);
  expect(await erpPayments(h, off)).toEqual([expect.objectContaining({ amount: 3334 })]);

  await h.client.schedule.getHandle(`reconciliation-${h.taskQueue}`).trigger();
  const run = await eventually('a completed reconciliation run', async () => {
    const { rows } = await h.pool.query(`SELECT * FROM integration.reconciliation_run WHERE status = 'completed'`);
    return rows[0];
  });
  const exceptions = (await h.pool.query('SELECT class, subject, provider_amount_minor::int AS provider, erp_amount_minor::int AS erp FROM integration.reconciliation_exception WHERE run_id = $1', [run.id])).rows;
  expect(exceptions).toEqual([{ class: 'amount_mismatch', subject: 'payment', provider: 3333, erp: 3334 }]);
  expect(run.counts).toMatchObject({ amount_mismatch: 1, missing_in_erp: 0, payouts: { checked: 1, reconciled: 1 } });
  expect(Number(run.match_rate)).toBeLessThan(1);
  expect(run.duration_ms).not.toBeNull();
  const paidOut = await h.pool.query('SELECT amount_minor::int AS amount, reconciled_at FROM erp.payout WHERE provider_payout_id = $1', [payout.id]);
  expect(paidOut.rows).toEqual([{ amount: payout.amount, reconciled_at: expect.any(Date) }]);

  const issue = await eventually('the run\'s issue', async () => (await listIssues(h.pool, { status: 'open' })).find((i) => i.kind === 'reconciliation'));
  expect(issue.message).toContain('1 exception(s) (amount_mismatch 1)');
});

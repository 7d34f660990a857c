import type { Pool } from 'pg';
import { generateMonth, type Month } from '../../bench/reconciliation-month';
import { recordPaymentSettlement } from '../../erp/payments/payments';
import { recordRefund } from '../../erp/payments/refunds';
import { reconcileRun } from '../../erp/reconciliation/run';
import { startRun, stageTransactions } from '../../erp/reconciliation/staging';
import { startDatabase } from '../support/database';
import { bookMonth, reconcileMonth } from '../support/reconciliation-fixture';

/**
 * Set-based reconciliation over a generated month (USD and JPY: payments, partial refunds, disputes, the provider's
 * fees, daily payouts) against real PostgreSQL: one injected discrepancy of every class is found with both sides,
 * nothing else is flagged, and after healing the same window reconciles clean.
 */

const MONTH = { seed: 42, start: '2026-10-01T00:00:00.000Z', days: 30, paymentsPerDay: 40 };

let db: Awaited<ReturnType<typeof startDatabase>>;
let pool: Pool;
beforeEach(async () => {
  db = await startDatabase();
  pool = db.pool;
});
afterEach(async () => db?.close());

const key = (e: { class: string; subject: string; provider: { txnId: string | null }; erp: { reference: string | null } }) =>
  `${e.class} ${e.subject} ${e.provider.txnId ?? '-'} ${e.erp.reference ?? '-'}`;

/** One discrepancy of every class, each with what it must be reported as and how an operator heals it. */
function injectDiscrepancies(month: Month) {
  const { payments, refunds } = month.erp;
  const txns = month.provider.transactions;
  const at = (i: number) => payments[i]!;
  const txnOf = (paymentId: string) => txns.find((t) => t.kind === 'payment' && t.paymentId === paymentId)!;

  const missingRefund = refunds.splice(3, 1)[0]!;
  const ghost = { ...at(10), providerPaymentId: 'pi_ghost', chargeId: 'ch_ghost', balanceTransactionId: 'txn_ch_ghost' };
  payments.push(ghost);
  const amount = at(20);
  const amountRight = amount.amountMinor;
  amount.amountMinor += 250;
  const currency = at(31);
  const currencyRight = currency.currency;
  currency.currency = currency.currency === 'USD' ? 'EUR' : 'USD';
  const fee = at(40);
  const feeRight = fee.feeMinor;
  fee.feeMinor += 3;
  const duplicated = txnOf(at(50).providerPaymentId);
  txns.push({ ...duplicated, id: 'txn_ch_dup', payoutId: null });
  // Two payments (same currency) the ERP booked without the provider's ids, same amount and time: either provider row fits either.
  const twins = [at(60), at(62)];
  const twinTxns = twins.map((p) => txnOf(p.providerPaymentId));
  twinTxns.forEach((t, i) => Object.assign(t, { paymentId: `pi_unknown_${i}`, amountMinor: 4_242, netMinor: 4_242 - t.feeMinor, createdAt: twinTxns[0]!.createdAt }));
  twins.forEach((p, i) => Object.assign(p, {
    providerPaymentId: `pi_twin_${i}`, chargeId: `ch_erp_twin_${i}`, balanceTransactionId: `txn_erp_twin_${i}`, amountMinor: 4_242,
    feeMinor: twinTxns[i]!.feeMinor, capturedAt: twinTxns[0]!.createdAt,
  }));
  // The twins' payouts changed with them: keep each payout equal to its lines.
  for (const payout of month.provider.payouts) {
    payout.amountMinor = txns.filter((t) => t.payoutId === payout.id && t.kind !== 'payout').reduce((s, t) => s + t.netMinor, 0);
  }

  const expected = [
    `missing_in_erp refund txn_${missingRefund.providerRefundId} -`,
    'missing_at_provider payment - pi_ghost',
    `amount_mismatch payment ${txnOf(amount.providerPaymentId).id} ${amount.providerPaymentId}`,
    `currency_mismatch payment ${txnOf(currency.providerPaymentId).id} ${currency.providerPaymentId}`,
    `fee_mismatch payment ${txnOf(fee.providerPaymentId).id} ${fee.providerPaymentId}`,
    `duplicate payment txn_ch_dup ${at(50).providerPaymentId}`,
    `ambiguous payment ${twinTxns[0]!.id} -`,
    `ambiguous payment ${twinTxns[1]!.id} -`,
  ];
  const heal = async () => {
    await recordRefund(pool, missingRefund);
    month.provider.transactions.push({ ...txnOf(at(10).providerPaymentId), id: 'txn_ch_ghost', sourceId: 'ch_ghost', paymentId: 'pi_ghost', payoutId: null });
    await pool.query('UPDATE erp.payment SET amount_minor = $2, net_minor = $2 - fee_minor WHERE provider_payment_id = $1', [amount.providerPaymentId, amountRight]);
    await pool.query('UPDATE erp.payment SET currency = $2 WHERE provider_payment_id = $1', [currency.providerPaymentId, currencyRight]);
    await pool.query('UPDATE erp.payment SET fee_minor = $2, net_minor = amount_minor - $2 WHERE provider_payment_id = $1', [fee.providerPaymentId, feeRight]);
    // The provider reversed its duplicate capture; an operator bound each twin to its charge.
    month.provider.transactions.splice(month.provider.transactions.findIndex((t) => t.id === 'txn_ch_dup'), 1);
    for (const [i, twin] of twins.entries()) await recordPaymentSettlement(pool, { ...twin, chargeId: twinTxns[i]!.sourceId!, balanceTransactionId: twinTxns[i]!.id });
  };
  return { expected, heal };
}

test('a month with one discrepancy of every class: each found with both sides, nothing else; healed, the same window is clean', async () => {
  const month = generateMonth(MONTH);
  const { expected, heal } = injectDiscrepancies(month);
  await bookMonth(pool, month.erp);

  const first = await reconcileMonth(pool, month);
  expect(first.exceptions.map(key).sort()).toEqual([...expected].sort());
  // An activity retried after its first attempt committed gets the same answer, and nothing is booked twice.
  expect(await reconcileRun(pool, first.runId, { exceptionLimit: 10_000 })).toEqual(first);
  expect(first.counts).toEqual({
    missing_in_erp: 1, missing_at_provider: 1, amount_mismatch: 1, currency_mismatch: 1, fee_mismatch: 1, duplicate: 1, ambiguous: 2,
  });
  const rows = month.provider.transactions.filter((t) => t.kind !== 'payout').length;
  expect(first.providerRows).toBe(rows);
  expect(first.matchedRows).toBe(rows - 7);
  expect(first.matchRate).toBeCloseTo((rows - 7) / rows, 6);
  // Both sides of a mismatch are reported.
  const fee = first.exceptions.find((e) => e.class === 'fee_mismatch')!;
  expect(fee.erp.feeMinor! - fee.provider.feeMinor!).toBe(3);
  expect(fee.erp.amountMinor).toBe(fee.provider.amountMinor);
  const currency = first.exceptions.find((e) => e.class === 'currency_mismatch')!;
  expect(currency.erp.currency).not.toBe(currency.provider.currency);
  expect(first.exceptions.find((e) => e.class === 'ambiguous')!.candidates).toBe(2);
  // Payouts whose lines all reconciled are reconciled; the ones holding an exception wait.
  expect(first.payouts.checked).toBe(month.provider.payouts.length);
  expect(first.payouts.reconciled).toBeLessThan(first.payouts.checked);
  expect(first.payouts.reconciled).toBeGreaterThan(first.payouts.checked - 8);
  expect(first.captureToReconciled.p50Ms).toBeGreaterThan(0);
  expect(first.captureToReconciled.p95Ms).toBeGreaterThanOrEqual(first.captureToReconciled.p50Ms!);

  await heal();
  const second = await reconcileMonth(pool, month);
  expect(second.exceptions).toEqual([]);
  expect(second.matchRate).toBe(1);
  expect(second.payouts.reconciled).toBe(month.provider.payouts.length);

  const { rows: [books] } = await pool.query(`
    SELECT (SELECT count(*) FROM erp.payout WHERE reconciled_at IS NULL)::int AS open_payouts,
           (SELECT count(*) FROM erp.payment p WHERE NOT EXISTS (SELECT 1 FROM erp.reconciliation_match m WHERE m.kind = 'payment' AND m.erp_id = p.id))::int AS open_payments,
           (SELECT count(*) FROM erp.payout p WHERE p.amount_minor <> (SELECT sum(amount_minor) FROM erp.payout_line l WHERE l.payout_id = p.id))::int AS unequal,
           (SELECT count(*) FROM erp.payout_line WHERE kind = 'payment' AND payment_id IS NULL AND payout_id IS NOT NULL)::int AS unlinked,
           (SELECT count(*) FROM integration.reconciliation_staged_txn)::int AS staged`);
  expect(books).toEqual({ open_payouts: 0, open_payments: 0, unequal: 0, unlinked: 0, staged: 0 });
  // The first run's duplicate stays a line of its own, settling nothing and in no payout: the provider reversed it.
  const unsettled = (await pool.query(`SELECT provider_balance_txn_id AS txn FROM erp.payout_line WHERE kind = 'payment' AND payment_id IS NULL`)).rows;
  expect(unsettled).toEqual([{ txn: 'txn_ch_dup' }]);
  const runs = (await pool.query('SELECT status, exception_count, match_rate::float AS rate, window_from, window_to FROM integration.reconciliation_run ORDER BY id')).rows;
  expect(runs.map((r) => [r.status, r.exception_count, r.rate])).toEqual([['completed', 8, first.matchRate], ['completed', 0, 1]]);
  expect(runs[0].window_from.toISOString()).toBe(MONTH.start);
});

test('one minor unit off on one payment is flagged, and nothing else', async () => {
  const month = generateMonth({ ...MONTH, seed: 7, days: 10 });
  const victim = month.erp.payments.find((p) => p.currency === 'JPY')!;
  victim.amountMinor += 1;
  await bookMonth(pool, month.erp);
  const run = await reconcileMonth(pool, month);
  expect(run.exceptions).toEqual([expect.objectContaining({
    class: 'amount_mismatch', subject: 'payment', erp: expect.objectContaining({ reference: victim.providerPaymentId, amountMinor: victim.amountMinor, currency: 'JPY' }),
    provider: expect.objectContaining({ amountMinor: victim.amountMinor - 1, currency: 'JPY' }),
  })]);
  expect(run.exceptionCount).toBe(1);
});

test('a run abandoned in staging, or failed, leaves nothing staged once the next run starts', async () => {
  const month = generateMonth({ ...MONTH, days: 2, paymentsPerDay: 5 });
  const window = { from: month.window.from, to: month.window.to, providerFrom: month.window.from };
  const abandoned = await startRun(pool, 'stripe', window);
  await stageTransactions(pool, abandoned, month.provider.transactions);
  await pool.query(`UPDATE integration.reconciliation_run SET started_at = now() - interval '7 hours' WHERE id = $1`, [abandoned]);
  const recent = await startRun(pool, 'stripe', window);
  await stageTransactions(pool, recent, month.provider.transactions.slice(0, 3));
  await startRun(pool, 'stripe', window);
  const staged = (await pool.query('SELECT run_id, count(*)::int AS n FROM integration.reconciliation_staged_txn GROUP BY run_id')).rows;
  expect(staged).toEqual([{ run_id: recent, n: 3 }]);
  expect((await pool.query('SELECT status FROM integration.reconciliation_run WHERE id = $1', [abandoned])).rows[0].status).toBe('failed');
  await expect(reconcileRun(pool, abandoned)).rejects.toThrow(`reconciliation run ${abandoned} is already failed`);
});

test('funds reinstated for a dispute the ERP knows as lost are an amount mismatch on the dispute, and nothing else', async () => {
  const month = generateMonth({ ...MONTH, days: 10 });
  const won = month.erp.disputes.find((d) => d.status === 'won')!;
  won.status = 'lost';
  await bookMonth(pool, month.erp);
  const run = await reconcileMonth(pool, month);
  expect(run.exceptions).toEqual([expect.objectContaining({
    class: 'amount_mismatch', subject: 'dispute', provider: expect.objectContaining({ txnId: `txn_${won.providerDisputeId}_r`, amountMinor: won.amountMinor }),
    erp: expect.objectContaining({ reference: won.providerDisputeId, amountMinor: 0 }),
  })]);
});

test('what reconciled is recorded insert-only with its provider row and run; the KPI view reads it; lines keep their references, also when their payout goes', async () => {
  const month = generateMonth({ ...MONTH, days: 2, paymentsPerDay: 5 });
  await bookMonth(pool, month.erp);
  const run = await reconcileMonth(pool, month);
  const payment = month.erp.payments[0]!;
  const { rows: [match] } = await pool.query(
    `SELECT m.run_id::int, m.provider_txn_id, m.reconciled_at FROM erp.reconciliation_match m JOIN erp.payment p ON m.kind = 'payment' AND m.erp_id = p.id
      WHERE p.provider_payment_id = $1`, [payment.providerPaymentId]);
  expect(match).toEqual({ run_id: run.runId, provider_txn_id: payment.balanceTransactionId, reconciled_at: new Date(Date.parse(month.window.to) + 86_400_000) });
  const kpi = (await pool.query('SELECT count(*)::int AS n FROM erp.payment_reconciliation_time')).rows[0].n;
  expect(kpi).toBe(run.reconciledNow.payments);

  // A later run over the same window records nothing twice.
  const again = await reconcileMonth(pool, month);
  expect(again.reconciledNow).toEqual({ payments: 0, refunds: 0, disputes: 0 });
  expect(again.exceptions).toEqual([]);

  await expect(pool.query('DELETE FROM erp.payment WHERE provider_payment_id = $1', [payment.providerPaymentId])).rejects.toThrow('still referenced');
  // Deleting a payout unlinks its lines: the provider's transactions and what they settle stay.
  const lineCount = async () => (await pool.query('SELECT count(*)::int AS n FROM erp.payout_line')).rows[0].n;
  const linesBefore = await lineCount();
  const payoutId = (await pool.query('SELECT payout_id FROM erp.payout_line WHERE payout_id IS NOT NULL LIMIT 1')).rows[0].payout_id;
  await pool.query('DELETE FROM erp.payout WHERE id = $1', [payoutId]);
  expect((await pool.query('SELECT count(*)::int AS n FROM erp.payout_line WHERE payout_id = $1', [payoutId])).rows[0].n).toBe(0);
  expect(await lineCount()).toBe(linesBefore);
});

test('a transaction seen before its payout was paid gets the payout later; a second provider row for a settled payment is a duplicate', async () => {
  const month = generateMonth({ ...MONTH, days: 2, paymentsPerDay: 5 });
  await bookMonth(pool, month.erp);
  const last = month.provider.payouts.at(-1)!;
  const inTransit = { ...month, provider: { ...month.provider, payouts: month.provider.payouts.map((p) => (p === last ? { ...p, status: 'in-transit' as const } : p)) } };
  const first = await reconcileMonth(pool, inTransit);
  expect(first.exceptions).toEqual([]);
  const linesOf = async (payoutId: string) => (await pool.query(
    `SELECT count(*)::int AS n, count(l.payout_id)::int AS linked FROM erp.payout_line l
      WHERE l.provider_balance_txn_id = ANY($1::text[])`,
    [month.provider.transactions.filter((t) => t.payoutId === payoutId && t.kind !== 'payout').map((t) => t.id)])).rows[0];
  const waiting = await linesOf(last.id);
  expect(waiting.n).toBeGreaterThan(0);
  expect(waiting.linked).toBe(0);

  // The provider lists the same payment again under a new balance transaction.
  const settled = month.provider.transactions.find((t) => t.kind === 'payment' && t.payoutId !== last.id)!;
  month.provider.transactions.push({ ...settled, id: 'txn_again', sourceId: 'ch_again', payoutId: null });
  const second = await reconcileMonth(pool, month);
  expect(second.exceptions.map(key)).toEqual([`duplicate payment txn_again ${settled.paymentId}`]);
  expect(second.reconciledNow).toEqual({ payments: 0, refunds: 0, disputes: 0 });
  expect(await linesOf(last.id)).toEqual({ n: waiting.n, linked: waiting.n });
  expect((await pool.query('SELECT reconciled_at FROM erp.payout WHERE provider_payout_id = $1', [last.id])).rows[0].reconciled_at).not.toBeNull();
  const settledBy = (await pool.query(
    `SELECT provider_txn_id FROM erp.reconciliation_match m JOIN erp.payment p ON m.kind = 'payment' AND m.erp_id = p.id WHERE p.provider_payment_id = $1`,
    [settled.paymentId])).rows;
  expect(settledBy).toEqual([{ provider_txn_id: settled.id }]);
});

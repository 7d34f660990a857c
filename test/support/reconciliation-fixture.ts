import type { Pool } from 'pg';
import { recordDispute } from '../../erp/payments/disputes';
import { recordPaymentSettlement } from '../../erp/payments/payments';
import { recordRefund } from '../../erp/payments/refunds';
import { reconcileRun, type ReconciliationResult } from '../../erp/reconciliation/run';
import { startRun, stagePayouts, stageTransactions } from '../../erp/reconciliation/staging';
import { fixedWindow } from '../../erp/reconciliation/window';
import type { Month } from '../../bench/reconciliation-month';

/** Books a generated month into the ERP through the repositories, and reconciles it as a scheduled run would. */

export async function bookMonth(pool: Pool, erp: Month['erp']): Promise<void> {
  for (const p of erp.payments) await recordPaymentSettlement(pool, p);
  for (const r of erp.refunds) await recordRefund(pool, r);
  for (const d of erp.disputes) await recordDispute(pool, d);
}

/** Stages the provider side as the port lists it (each payout's transactions, then all by time) and runs. */
export async function reconcileMonth(pool: Pool, month: Month, now = new Date(Date.parse(month.window.to) + 86_400_000)): Promise<ReconciliationResult> {
  const window = fixedWindow(month.window.from, month.window.to);
  const runId = await startRun(pool, 'stripe', window);
  const { transactions, payouts } = month.provider;
  await stagePayouts(pool, runId, payouts);
  for (const payout of payouts) await stageTransactions(pool, runId, transactions.filter((t) => t.payoutId === payout.id), payout.id);
  await stageTransactions(pool, runId, transactions.filter((t) => t.createdAt >= window.providerFrom && t.createdAt < window.to));
  return reconcileRun(pool, runId, { now, exceptionLimit: 10_000 });
}

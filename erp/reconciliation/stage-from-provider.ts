import type { Queryable } from '../../db/transaction';
import { VendorHttpError } from '../../connectors/http';
import type { PaymentsPort } from '../../ports/payments';
import { stagePayouts, stageTransactions, unreconciledPayoutsOutside } from './staging';
import type { ReconciliationWindow } from './window';

/**
 * Stages a run's provider rows straight from the payments port, page by page (one insert per page): the payouts
 * created in the window with every transaction each settled (however old), and every transaction created from
 * `providerFrom` to the window's end. A transaction seen both ways is staged once, with its payout. Also every
 * payout the ERP records as not yet reconciled that the window's listing did not name (one still in transit when
 * the window it was created in was reconciled): read again by id, with its transactions, so a later run reconciles it.
 */
export async function stageFromProvider(db: Queryable, runId: number, port: PaymentsPort, window: ReconciliationWindow, pageSize = 100): Promise<{ payouts: number; transactions: number }> {
  let payouts = 0;
  let transactions = 0;
  for (let cursor: string | undefined; ;) {
    const page = await port.listPayouts({ created: { from: window.from, before: window.to }, limit: pageSize, ...(cursor ? { cursor } : {}) });
    await stagePayouts(db, runId, page.items);
    payouts += page.items.length;
    for (const payout of page.items) transactions += await stagePages(db, runId, port, { payoutId: payout.id }, pageSize, payout.id);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  for (const payoutId of await unreconciledPayoutsOutside(db, runId, window)) {
    const payout = await port.getPayout(payoutId).catch((err: unknown) => {
      if (err instanceof VendorHttpError && err.status === 404) return null;
      throw err;
    });
    if (!payout) continue;
    await stagePayouts(db, runId, [payout]);
    payouts += 1;
    transactions += await stagePages(db, runId, port, { payoutId }, pageSize, payoutId);
  }
  transactions += await stagePages(db, runId, port, { created: { from: window.providerFrom, before: window.to } }, pageSize);
  return { payouts, transactions };
}

async function stagePages(
  db: Queryable, runId: number, port: PaymentsPort, filter: Parameters<PaymentsPort['listBalanceTransactions']>[0], pageSize: number, payoutId?: string,
): Promise<number> {
  let staged = 0;
  for (let cursor: string | undefined; ;) {
    const page = await port.listBalanceTransactions({ ...filter, limit: pageSize, ...(cursor ? { cursor } : {}) });
    await stageTransactions(db, runId, page.items, payoutId);
    staged += page.items.length;
    if (!page.nextCursor) return staged;
    cursor = page.nextCursor;
  }
}

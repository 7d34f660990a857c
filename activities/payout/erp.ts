import type { Pool } from 'pg';
import { isPayoutReconciled, recordPayout } from '../../erp/payments/payouts';
import type { Payout } from '../../ports/payments';
import { payoutBusinessKey } from '../../workflows/payout/api';

/** The payout flow's ERP write: an upsert keyed by the provider's payout id, so a repeated pass books nothing twice. */
export function createPayoutErpActivities(deps: { pool: Pool }) {
  return {
    /**
     * Records the payout as the provider reports it; says whether a reconciliation has proved it already, and
     * whether finance still has to hear that the bank returned it (once per payout, whichever run sees it first).
     */
    async recordProviderPayout(payments: string, payout: Payout): Promise<{ reconciled: boolean; failureNoticeDue: boolean }> {
      const id = await recordPayout(deps.pool, payments, payout);
      const failureNoticeDue = payout.status === 'failed' && !(await hasPayoutFailedNotice(deps.pool, payoutBusinessKey(payments, payout.id)));
      return { reconciled: await isPayoutReconciled(deps.pool, id), failureNoticeDue };
    },
  };
}

async function hasPayoutFailedNotice(pool: Pool, businessKey: string): Promise<boolean> {
  const { rows } = await pool.query(`SELECT 1 FROM integration.issue WHERE kind = 'payout-failed' AND business_key = $1 LIMIT 1`, [businessKey]);
  return rows.length > 0;
}

export type PayoutErpActivities = ReturnType<typeof createPayoutErpActivities>;

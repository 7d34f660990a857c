import type { Pool } from 'pg';
import { isPayoutReconciled, recordPayout } from '../../erp/payments/payouts';
import type { Payout } from '../../ports/payments';

/** The payout flow's ERP write: an upsert keyed by the provider's payout id, so a repeated pass books nothing twice. */
export function createPayoutErpActivities(deps: { pool: Pool }) {
  return {
    /** Records the payout as the provider reports it; says whether a reconciliation has proved it already. */
    async recordProviderPayout(payments: string, payout: Payout): Promise<{ reconciled: boolean }> {
      const id = await recordPayout(deps.pool, payments, payout);
      return { reconciled: await isPayoutReconciled(deps.pool, id) };
    },
  };
}

export type PayoutErpActivities = ReturnType<typeof createPayoutErpActivities>;

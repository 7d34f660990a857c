import type { Pool } from 'pg';
import { inTransaction } from '../../db/transaction';
import { audit, compareCustomer, compareOrder, comparePayment, compareStock, emptyTallies, type Discrepancy } from '../../domain/audit';
import { customerPairs, orderPairs, paymentPairs, stockPairs } from '../../erp/audit/pairs';
import { failAuditRun, finishAuditRun, recordFindings, startAuditRun, type StartedRun } from '../../erp/audit/run';
import type { AuditFindings, AuditPolicy, AuditScope } from '../../workflows/audit/api';
import { callingWorkflow } from '../shared/context';

/** The audit's ERP side: the run record, the comparison against the ERP, and the KPI. */

/** How many discrepancies travel back to the workflow (and into its issue); all of them are in integration.audit_discrepancy. */
export const DISCREPANCY_SAMPLE = 50;

export function createAuditErpActivities(deps: { pool: Pool }) {
  const { pool } = deps;
  return {
    /** Opens the run (a retry finds the same run) and fixes its window. */
    async startAuditRun(policy: AuditPolicy): Promise<StartedRun> {
      return startAuditRun(pool, callingWorkflow(), policy);
    },

    /**
     * Pairs what the run read from each vendor with the ERP (set-based, per entity and connection), judges each
     * pair by the domain's rules, and records the differences and the accuracy KPI in one transaction.
     * `stockShops`: the shops whose stock was read (those in the inventory sync).
     */
    async compareWithErp(runId: number, scope: AuditScope, stockShops: string[]): Promise<AuditFindings> {
      return inTransaction(pool, async (tx) => {
        const { rows: [run] } = await tx.query('SELECT window_from, window_to FROM integration.audit_run WHERE id = $1', [runId]);
        const window = { from: (run.window_from as Date).toISOString(), to: (run.window_to as Date).toISOString() };
        const tallies = emptyTallies();
        const found: Discrepancy[] = [];
        found.push(...audit('customers', await customerPairs(tx, runId, scope.crm, window), compareCustomer, tallies));
        for (const shop of scope.shops) found.push(...audit('orders', await orderPairs(tx, runId, shop), compareOrder, tallies));
        found.push(...audit('payments', await paymentPairs(tx, runId, scope.payments), comparePayment, tallies));
        for (const shop of stockShops) found.push(...audit('stock', await stockPairs(tx, runId, shop), compareStock, tallies));
        await recordFindings(tx, runId, found, tallies);
        return { tallies, discrepancies: found.length, sample: found.slice(0, DISCREPANCY_SAMPLE) };
      });
    },

    async finishAuditRun(runId: number): Promise<{ healed: number; discrepancies: number }> {
      return finishAuditRun(pool, runId);
    },

    /** Compensation of the run: marked failed, and its partial KPI removed. */
    async failAuditRun(runId: number): Promise<void> {
      await failAuditRun(pool, runId);
    },
  };
}

export type AuditErpActivities = ReturnType<typeof createAuditErpActivities>;

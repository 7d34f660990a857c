import type { Pool } from 'pg';
import { recordHealed } from '../../erp/reconciliation-healing';
import { reconcileRun } from '../../erp/reconciliation/run';
import { lastReconciledUpTo, startRun } from '../../erp/reconciliation/staging';
import { fixedWindow, nextWindow, type ReconciliationWindow } from '../../erp/reconciliation/window';
import type { ReconciliationPolicy } from '../../workflows/reconciliation/api';

/** The reconciliation's ERP side: which window, the run record, the set-based match, and what was healed. */

/** What the flow needs of a run's result: the figures, and a sample of its exceptions for the issue. */
export const EXCEPTION_SAMPLE = 20;

export function createReconciliationErpActivities(deps: { pool: Pool }) {
  const { pool } = deps;
  return {
    /** The window given, or the next one after the last completed run (null while nothing new has settled). */
    async planWindow(payments: string, policy: ReconciliationPolicy, given: { from: string; to: string } | null): Promise<ReconciliationWindow | null> {
      const ms = (seconds: number) => seconds * 1000;
      if (given) return fixedWindow(given.from, given.to, { matchSlackMs: ms(policy.matchSlackSeconds) });
      return nextWindow(await lastReconciledUpTo(pool, payments), new Date().toISOString(), {
        overlapMs: ms(policy.overlapSeconds), settleMs: ms(policy.settleSeconds), maxSpanMs: ms(policy.maxSpanSeconds), matchSlackMs: ms(policy.matchSlackSeconds),
      });
    },

    async startReconciliationRun(payments: string, window: ReconciliationWindow): Promise<number> {
      return startRun(pool, payments, window);
    },

    /** Matches, classifies and records the run (a retry of a completed run returns its recorded result). */
    async reconcile(runId: number, matchWindowSeconds: number) {
      const result = await reconcileRun(pool, runId, { matchWindowMs: matchWindowSeconds * 1000, exceptionLimit: EXCEPTION_SAMPLE });
      return result;
    },

    async recordHealed(runId: number, healed: number): Promise<void> {
      await recordHealed(pool, runId, healed);
    },
  };
}

export type ReconciliationErpActivities = ReturnType<typeof createReconciliationErpActivities>;

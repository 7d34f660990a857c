import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { stageFromProvider } from '../../erp/reconciliation/stage-from-provider';
import type { ReconciliationWindow } from '../../erp/reconciliation/window';
import type { PaymentsPort } from '../../ports/payments';
import { portOf } from '../shared/ports';
import { toActivityFailure } from '../shared/vendor-errors';
import { resumablePort, type ListingProgress } from './resumable-port';

/**
 * Stages a run's provider rows page by page. The activity heartbeats each listing's cursor; a retried attempt
 * resumes every listing where the failed one stood, instead of reading a month of transactions again.
 */
export function createReconciliationProviderActivities(deps: { pool: Pool; payments: ReadonlyMap<string, PaymentsPort> }) {
  return {
    async stageProviderRows(runId: number, payments: string, window: ReconciliationWindow, pageSize: number): Promise<{ payouts: number; transactions: number }> {
      const context = Context.current();
      const resumeFrom = (context.info.heartbeatDetails as ListingProgress | undefined) ?? {};
      const port = resumablePort(portOf(deps.payments, payments, 'payments'), resumeFrom, (progress) => context.heartbeat(progress));
      try {
        return await stageFromProvider(deps.pool, runId, port, window, pageSize);
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

export type ReconciliationProviderActivities = ReturnType<typeof createReconciliationProviderActivities>;

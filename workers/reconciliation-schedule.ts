import { ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { RECONCILIATION_WORKFLOW, reconciliationBusinessKey, type ReconciliationInput, type ReconciliationPolicy } from '../workflows/reconciliation/api';
import { ensureSchedule, scheduledRunAttributes } from './schedules';

/**
 * The reconciliation's Temporal Schedule, created or brought up to date at worker start-up: every worker may do
 * it, the result is the same. Operators trigger, pause and backfill it in the Temporal UI or `npm run ops -- reconcile`.
 */

export type ReconciliationOverlap = 'skip' | 'buffer-one' | 'cancel-other' | 'allow-all';

export interface ReconciliationScheduleSettings {
  scheduleId: string;
  taskQueue: string;
  payments: string;
  intervalSeconds: number;
  overlap: ReconciliationOverlap;
  catchupWindowSeconds: number;
  policy: ReconciliationPolicy;
}

const OVERLAP: Record<ReconciliationOverlap, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

function scheduleOf(s: ReconciliationScheduleSettings): ScheduleOptions {
  const input: ReconciliationInput = { payments: s.payments, policy: s.policy };
  return {
    scheduleId: s.scheduleId,
    spec: { intervals: [{ every: `${s.intervalSeconds}s` }] },
    action: {
      type: 'startWorkflow', workflowType: RECONCILIATION_WORKFLOW, workflowId: `${s.scheduleId}-run`, taskQueue: s.taskQueue, args: [input],
      typedSearchAttributes: scheduledRunAttributes('reconciliation', reconciliationBusinessKey(s.payments), s.payments),
    },
    policies: { overlap: OVERLAP[s.overlap], catchupWindow: `${s.catchupWindowSeconds}s` },
    memo: { what: `Payment reconciliation of ${s.payments}: ERP against the provider's payouts and balance transactions` },
  };
}

export async function ensureReconciliationSchedule(client: Client, settings: ReconciliationScheduleSettings): Promise<void> {
  await ensureSchedule(client, scheduleOf(settings));
}

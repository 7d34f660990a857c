import { proxyActivities } from '@temporalio/workflow';
import { RESUMABLE_RETRY, VENDOR_RETRY } from '../shared/retry-policies';
import type { ReconciliationErpActivities } from '../../activities/reconciliation/erp';
import type { ReconciliationFlowActivities } from '../../activities/reconciliation/flows';
import type { ReconciliationProviderActivities } from '../../activities/reconciliation/provider';

/** The reconciliation's activities, one proxy per role. */

export const erp = proxyActivities<ReconciliationErpActivities>({
  startToCloseTimeout: '10 minutes',
  retry: VENDOR_RETRY,
});

/** Staging reads the provider page by page: a worker that dies is noticed within a minute, its successor resumes. */
export const provider = proxyActivities<ReconciliationProviderActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: RESUMABLE_RETRY,
});

export const flows = proxyActivities<ReconciliationFlowActivities>({
  startToCloseTimeout: '5 minutes',
  retry: VENDOR_RETRY,
});

import { proxyActivities } from '@temporalio/workflow';
import type { PayoutErpActivities } from '../../activities/payout/erp';
import type { PayoutProviderActivities } from '../../activities/payout/provider';
import type { PayoutReconciliationActivities } from '../../activities/payout/reconciliation';

/** The payout flow's activities, one proxy per role; rate limits are waited out by the flow runtime. */

export const provider = proxyActivities<PayoutProviderActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export const erp = proxyActivities<PayoutErpActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export const schedule = proxyActivities<PayoutReconciliationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

import { proxyActivities } from '@temporalio/workflow';
import { ERP_RETRY, VENDOR_RETRY } from '../shared/retry-policies';
import type { PayoutErpActivities } from '../../activities/payout/erp';
import type { PayoutProviderActivities } from '../../activities/payout/provider';
import type { PayoutReconciliationActivities } from '../../activities/payout/reconciliation';

/** The payout flow's activities, one proxy per role; rate limits are waited out by the flow runtime. */

export const provider = proxyActivities<PayoutProviderActivities>({
  startToCloseTimeout: '1 minute',
  retry: VENDOR_RETRY,
});

export const erp = proxyActivities<PayoutErpActivities>({
  startToCloseTimeout: '30 seconds',
  retry: ERP_RETRY,
});

export const schedule = proxyActivities<PayoutReconciliationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: VENDOR_RETRY,
});

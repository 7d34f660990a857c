import { proxyActivities } from '@temporalio/workflow';
import { ERP_RETRY, VENDOR_RETRY } from '../shared/retry-policies';
import type { CatchupErpActivities } from '../../activities/catchup/erp';
import type { CatchupShopActivities } from '../../activities/catchup/shop';

/** The order catch-up's activities, one proxy per role. */

export const erp = proxyActivities<CatchupErpActivities>({
  startToCloseTimeout: '1 minute',
  retry: ERP_RETRY,
});

/** One page of the shop's orders per call, each order the ERP lacks handed to its flow. */
export const shop = proxyActivities<CatchupShopActivities>({
  startToCloseTimeout: '5 minutes',
  retry: VENDOR_RETRY,
});

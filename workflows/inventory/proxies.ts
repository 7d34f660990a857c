import { proxyActivities } from '@temporalio/workflow';
import { ERP_RETRY, RESUMABLE_RETRY, VENDOR_RETRY } from '../shared/retry-policies';
import type { InventoryErpActivities } from '../../activities/inventory/erp';
import type { InventoryResyncActivities } from '../../activities/inventory/resync';
import type { InventoryShopActivities } from '../../activities/inventory/shop';

/** The inventory sync's activities, one proxy per role; rate limits are waited out by the flow runtime, not retried here. */

export const shop = proxyActivities<InventoryShopActivities>({
  startToCloseTimeout: '2 minutes',
  retry: VENDOR_RETRY,
});

export const erp = proxyActivities<InventoryErpActivities>({
  startToCloseTimeout: '30 seconds',
  retry: ERP_RETRY,
});

/** Pages through a whole shop: long, so it heartbeats each page and resumes from its saved cursor. */
export const resync = proxyActivities<InventoryResyncActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: RESUMABLE_RETRY,
});

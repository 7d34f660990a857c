import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import { ERP_RETRY, VENDOR_RETRY } from '../shared/retry-policies';
import type { OrderActivities } from '../../activities/order';
import type { OrderErpActivities } from '../../activities/order/erp';
import type { OrderPaymentActivities } from '../../activities/order/payments';
import type { OrderShopActivities } from '../../activities/order/shop';

/**
 * The order flow's activities, one proxy per role so that each gets its own timeouts and retry policy. Retries
 * cover transient failures only: rate limits are waited out by the flow runtime without using attempts up.
 */

// Waits for cancelled activities to finish, so that compensation always sees their final effect.
const cancellationType = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;

/** The shop's calls, plus the combined shipping call that flows from before the split still make. */
type ShopActivities = OrderShopActivities & Pick<OrderActivities, 'fulfilOrder'>;

export const shop = proxyActivities<ShopActivities>({
  cancellationType,
  startToCloseTimeout: '30 seconds',
  retry: VENDOR_RETRY,
});

export const erp = proxyActivities<OrderErpActivities>({
  cancellationType,
  startToCloseTimeout: '30 seconds',
  retry: ERP_RETRY,
});

export const payments = proxyActivities<OrderPaymentActivities>({
  cancellationType,
  startToCloseTimeout: '1 minute',
  retry: VENDOR_RETRY,
});

import { ActivityCancellationType, patched, proxyActivities } from '@temporalio/workflow';
import { proxyLocalSteps } from '../shared/local-steps';
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

/**
 * Patch: the order flow's short ERP transactions (customer, sales order, stock, invoice, confirmation, shipping in
 * the ERP) run as local activities, in the worker that runs the flow: no activity task round trip through Temporal
 * per step, and several steps in one workflow task. Flows recorded before it replay with the activities they ran.
 */
export const LOCAL_ERP_PATCH = 'order-erp-local-activities';

/**
 * The same ERP activities as local ones, with the same retry policy. Backoffs from 4 s on wait on durable timers
 * (localRetryThreshold), so a long failing step neither holds the workflow task nor hides its retries, and once the
 * attempts are used up it fails as an ActivityFailure like a remote one: the step records an issue and waits.
 */
const erpLocal = proxyLocalSteps<OrderErpActivities>({
  cancellationType,
  startToCloseTimeout: '30 seconds',
  retry: ERP_RETRY,
  localRetryThreshold: '4 seconds',
});

/** The ERP proxy for a step of the order flow: local from LOCAL_ERP_PATCH on. Ask per step (patched() is per point in history). */
export function erpStep(): typeof erp {
  return patched(LOCAL_ERP_PATCH) ? erpLocal : erp;
}

/**
 * Patch: the order flow's shop and payment calls run as local activities too. They are short HTTP calls: a remote
 * activity adds a task round trip through Temporal (scheduled, started, completed, and a workflow task to go on) to
 * each, which cost more than the call itself. Retries, timeouts and idempotency keys stay the same; rate limits are
 * still waited out on durable timers by the flow runtime. Compensations stay remote activities.
 */
export const LOCAL_VENDOR_PATCH = 'order-vendor-local-activities';

const vendorLocal = { cancellationType, retry: VENDOR_RETRY, localRetryThreshold: '4 seconds' } as const;
const shopLocal = proxyLocalSteps<ShopActivities>({ ...vendorLocal, startToCloseTimeout: '30 seconds' });
const paymentsLocal = proxyLocalSteps<OrderPaymentActivities>({ ...vendorLocal, startToCloseTimeout: '1 minute' });

/** The shop proxy for a step of the order flow: local from LOCAL_VENDOR_PATCH on. */
export function shopStep(): typeof shop {
  return patched(LOCAL_VENDOR_PATCH) ? shopLocal : shop;
}

/** The payments proxy for a step of the order flow: local from LOCAL_VENDOR_PATCH on. */
export function paymentsStep(): typeof payments {
  return patched(LOCAL_VENDOR_PATCH) ? paymentsLocal : payments;
}

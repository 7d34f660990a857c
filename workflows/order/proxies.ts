import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { FlowRuntime } from '../shared/flow-runtime';
import { localStepsLike, patchedStep } from '../shared/local-steps';
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

const SHOP_OPTIONS = { cancellationType, startToCloseTimeout: '30 seconds', retry: VENDOR_RETRY } as const;
const ERP_OPTIONS = { cancellationType, startToCloseTimeout: '30 seconds', retry: ERP_RETRY } as const;
const PAYMENTS_OPTIONS = { cancellationType, startToCloseTimeout: '1 minute', retry: VENDOR_RETRY } as const;

export const shop = proxyActivities<ShopActivities>(SHOP_OPTIONS);
export const erp = proxyActivities<OrderErpActivities>(ERP_OPTIONS);
export const payments = proxyActivities<OrderPaymentActivities>(PAYMENTS_OPTIONS);

/**
 * Patch: the order flow's short ERP transactions (customer, sales order, stock, invoice, confirmation, shipping in
 * the ERP) run as local activities, in the worker that runs the flow: no activity task round trip through Temporal
 * per step, and several steps in one workflow task. Flows recorded before it replay with the activities they ran.
 * Once the attempts are used up a local step fails as an ActivityFailure like a remote one: it records an issue
 * and waits.
 */
export const LOCAL_ERP_PATCH = 'order-erp-local-activities';
const erpLocal = localStepsLike<OrderErpActivities>(ERP_OPTIONS);

/** The ERP proxy for a step of the order flow: local from LOCAL_ERP_PATCH on. */
export const erpStep = (flow: FlowRuntime): typeof erp => patchedStep(flow.patches, LOCAL_ERP_PATCH, erpLocal, erp);

/**
 * Patch: the order flow's shop and payment calls run as local activities too. They are short HTTP calls: a remote
 * activity adds a task round trip through Temporal (scheduled, started, completed, and a workflow task to go on) to
 * each, which cost more than the call itself. Retries, timeouts and idempotency keys stay the same; rate limits are
 * still waited out on durable timers by the flow runtime. Compensations stay remote activities.
 */
export const LOCAL_VENDOR_PATCH = 'order-vendor-local-activities';
const shopLocal = localStepsLike<ShopActivities>(SHOP_OPTIONS);
const paymentsLocal = localStepsLike<OrderPaymentActivities>(PAYMENTS_OPTIONS);

/** The shop proxy for a step of the order flow: local from LOCAL_VENDOR_PATCH on. */
export const shopStep = (flow: FlowRuntime): typeof shop => patchedStep(flow.patches, LOCAL_VENDOR_PATCH, shopLocal, shop);

/** The payments proxy for a step of the order flow: local from LOCAL_VENDOR_PATCH on. */
export const paymentsStep = (flow: FlowRuntime): typeof payments => patchedStep(flow.patches, LOCAL_VENDOR_PATCH, paymentsLocal, payments);

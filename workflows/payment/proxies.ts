import { proxyActivities } from '@temporalio/workflow';
import type { PaymentErpActivities } from '../../activities/payment/erp';
import type { PaymentProviderActivities } from '../../activities/payment/provider';

/** The payment flow's activities, one proxy per role; rate limits are waited out by the flow runtime. */

export const provider = proxyActivities<PaymentProviderActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export const erp = proxyActivities<PaymentErpActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

import { proxyActivities } from '@temporalio/workflow';
import { ERP_RETRY, VENDOR_RETRY } from '../shared/retry-policies';
import type { PaymentErpActivities } from '../../activities/payment/erp';
import type { PaymentProviderActivities } from '../../activities/payment/provider';

/** The payment flow's activities, one proxy per role; rate limits are waited out by the flow runtime. */

export const provider = proxyActivities<PaymentProviderActivities>({
  startToCloseTimeout: '1 minute',
  retry: VENDOR_RETRY,
});

export const erp = proxyActivities<PaymentErpActivities>({
  startToCloseTimeout: '30 seconds',
  retry: ERP_RETRY,
});

import { proxyActivities } from '@temporalio/workflow';
import { ERP_RETRY, RESUMABLE_RETRY, VENDOR_RETRY } from '../shared/retry-policies';
import type { AuditErpActivities } from '../../activities/audit/erp';
import type { AuditHealActivities } from '../../activities/audit/heal';
import type { AuditVendorActivities } from '../../activities/audit/vendors';

/** The audit's activities, one proxy per role. */

export const erp = proxyActivities<AuditErpActivities>({
  startToCloseTimeout: '10 minutes',
  retry: ERP_RETRY,
});

/** Vendor reads go page by page: a worker that dies is noticed within a minute, its successor resumes at the page it reached. */
export const vendors = proxyActivities<AuditVendorActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: RESUMABLE_RETRY,
});

export const heal = proxyActivities<AuditHealActivities>({
  startToCloseTimeout: '10 minutes',
  retry: VENDOR_RETRY,
});

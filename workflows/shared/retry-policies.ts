import type { RetryPolicy } from '@temporalio/common';

/**
 * The retry policies activities use, one per kind of work, so that a proxy never picks one by accident. They cover
 * transient failures only: rate limits end an attempt at once and are waited out by the flow runtime on timers, and
 * permanent errors go to an operator.
 */

/** A vendor's API: from 1 s, doubling, at most a minute apart. */
export const VENDOR_RETRY: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 };

/** Our own database: a quick first retry (a deadlock, a restart), then doubling up to 30 s. */
export const ERP_RETRY: RetryPolicy = { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 };

/** Long paginated work that heartbeats its cursor: each retry resumes where the last attempt stopped, so it may try longer. */
export const RESUMABLE_RETRY: RetryPolicy = { ...VENDOR_RETRY, maximumAttempts: 20 };

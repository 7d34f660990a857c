import { ApplicationFailure } from '@temporalio/common';
import { VendorHttpError } from '../../connectors/http';
import { RATE_LIMITED_SUFFIX } from '../../domain/rate-limits';
import { workerMetrics } from '../../observability/metrics';
import { failedCallOutcome, withVendorScope } from '../../observability/vendor-calls';

/**
 * Turns a vendor's HTTP failure into the retry behaviour Temporal should apply: permanent 4xx stop at once,
 * everything else is retried with the activity's backoff, and a rate limit ends the attempt at once as
 * `<vendor>:rate-limited` (non-retryable) with the wait the vendor asked for. The flow runtime then waits on a
 * durable timer and runs the step again as a fresh activity, so a storm of 429s slows a step down but never
 * uses up its attempts, nor stretches the backoff of a later 5xx (domain/rate-limits.ts).
 */

export interface RateLimitDetails { vendor: string; status: number; method: string; path: string; retryAfterMs: number | null }

export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof VendorHttpError)) return err;
  const details = { vendor: err.vendor, status: err.status, method: err.method, path: err.path };
  if (err.statusClass === 'rate-limited') {
    const limited: RateLimitDetails = { ...details, retryAfterMs: err.retryAfterMs ?? null };
    return ApplicationFailure.create({ message: err.message, type: `${err.vendor}${RATE_LIMITED_SUFFIX}`, nonRetryable: true, details: [limited] });
  }
  return ApplicationFailure.create({
    message: err.message,
    type: `${err.vendor}:${err.statusClass}`,
    nonRetryable: err.statusClass === 'permanent',
    details: [details],
  });
}

/**
 * Calls a vendor; `notFound` is returned instead of failing when the resource is gone (HTTP 404). Each call is
 * counted in `engine_vendor_calls_total` (a 404 we expected is an answer, so `ok`).
 */
export async function callVendor<T, N = never>(call: () => Promise<T>, opts?: { notFound: N }): Promise<T | N> {
  const result = await withVendorScope(call);
  const { vendorCalls } = workerMetrics();
  if ('value' in result) {
    for (const vendor of result.vendors) vendorCalls.inc({ vendor, outcome: 'ok' });
    return result.value;
  }
  const err = result.error;
  if (!(err instanceof VendorHttpError)) throw err;
  const expectedNotFound = opts !== undefined && err.status === 404;
  vendorCalls.inc({ vendor: err.vendor, outcome: expectedNotFound ? 'ok' : failedCallOutcome(err.statusClass) });
  if (expectedNotFound) return opts.notFound;
  throw toActivityFailure(err);
}

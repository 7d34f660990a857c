import { ApplicationFailure } from '@temporalio/common';
import { VendorHttpError } from '../../connectors/http';
import { RATE_LIMITED_SUFFIX } from '../../domain/rate-limits';

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

/** Calls a vendor; `notFound` is returned instead of failing when the resource is gone (HTTP 404). */
export async function callVendor<T, N = never>(call: () => Promise<T>, opts?: { notFound: N }): Promise<T | N> {
  try {
    return await call();
  } catch (err) {
    if (opts && err instanceof VendorHttpError && err.status === 404) return opts.notFound;
    throw toActivityFailure(err);
  }
}

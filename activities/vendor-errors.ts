import { ApplicationFailure } from '@temporalio/common';
import { VendorHttpError } from '../connectors/http';

/**
 * Turns a vendor's HTTP failure into the retry behaviour Temporal should apply: permanent 4xx stop at once,
 * 429 waits exactly as long as Retry-After asks, everything else is retried with the activity's backoff.
 */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof VendorHttpError)) return err;
  const details = [{ vendor: err.vendor, status: err.status, method: err.method, path: err.path }];
  return ApplicationFailure.create({
    message: err.message,
    type: `${err.vendor}:${err.statusClass}`,
    nonRetryable: err.statusClass === 'permanent',
    nextRetryDelay: err.retryAfterMs,
    details,
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

import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { isRateLimited } from '../domain/rate-limits';

/**
 * Whether an activity's error counts in `engine_step_failures_total`. A rate limit is a wait, not a failure (it is
 * counted in `engine_vendor_calls_total{outcome="rate_limited"}`), and a cancelled activity did not fail.
 */
export function isStepFailure(err: unknown): boolean {
  if (err instanceof CancelledFailure) return false;
  if (err instanceof ApplicationFailure && isRateLimited(err.type)) return false;
  if (err instanceof Error && err.name === 'AbortError') return false;
  return true;
}

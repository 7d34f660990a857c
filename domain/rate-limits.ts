/**
 * Rate limits are waits, not failures. An activity that meets a 429 (or Shopify's THROTTLED) ends at once with a
 * failure of type `<vendor>:rate-limited`; the flow waits as long as the vendor asked and runs the step again as a
 * fresh activity. A throttle storm is bounded by time (a budget), never by a count of attempts.
 */

export const RATE_LIMITED_SUFFIX = ':rate-limited';

/** Without a Retry-After we back off from 1 s, doubling, up to this. */
const MAX_GUESSED_WAIT_MS = 60_000;
/** A vendor asking for more than this is capped; the step simply meets the limit again if it still holds. */
const MAX_WAIT_MS = 5 * 60_000;
const MIN_WAIT_MS = 100;

export function isRateLimited(failureType: string | undefined | null): boolean {
  return typeof failureType === 'string' && failureType.endsWith(RATE_LIMITED_SUFFIX);
}

/** How long to wait before the next try, given the vendor's Retry-After (if any) and how many limits in a row. */
export function rateLimitWaitMs(retryAfterMs: number | null | undefined, consecutive: number): number {
  if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, Math.round(retryAfterMs)));
  }
  return Math.min(MAX_GUESSED_WAIT_MS, 1000 * 2 ** Math.max(0, Math.min(consecutive, 16)));
}

/** Whether a step that has been rate-limited since `sinceMs` may keep waiting, within a budget in seconds. */
export function withinRateLimitBudget(sinceMs: number, nowMs: number, budgetSeconds: number): boolean {
  return nowMs - sinceMs < budgetSeconds * 1000;
}

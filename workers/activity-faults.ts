import { ApplicationFailure } from '@temporalio/common';

/**
 * Fault injection at the activity boundary, for failure tests of whole flows. Never configured in production.
 * - `before` (default): the next `remaining` calls of a named activity fail permanently before doing anything,
 *   as a step that keeps failing would.
 * - `after`: the call does its work, commits it, then fails to report (a retryable failure, as a worker crash or a
 *   lost answer would look to Temporal): the retry must find the effect already there and not repeat it.
 */
export interface ActivityFault { remaining: number; when?: 'before' | 'after' }
export type ActivityFaults = Map<string, ActivityFault>;

export function withActivityFaults<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T, faults: ActivityFaults): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      const fault = faults.get(name);
      if (!fault || fault.remaining <= 0) return fn(...args);
      if (fault.when === 'after') {
        await fn(...args);
        fault.remaining--;
        throw ApplicationFailure.retryable(`injected fault in ${name} after its effect`, 'InjectedFaultAfterEffect');
      }
      fault.remaining--;
      throw ApplicationFailure.nonRetryable(`injected fault in ${name}`, 'InjectedFault');
    };
  }
  return wrapped as T;
}

import { ApplicationFailure } from '@temporalio/common';

/**
 * Fault injection at the activity boundary, for failure tests of whole flows: the next `remaining` calls of a
 * named activity fail permanently before doing anything, as a step that keeps failing would. Real systems
 * stay real; this only decides that a given step breaks. Never configured in production code paths.
 */
export type ActivityFaults = Map<string, { remaining: number }>;

export function withActivityFaults<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T, faults: ActivityFaults): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      const fault = faults.get(name);
      if (fault && fault.remaining > 0) {
        fault.remaining--;
        throw ApplicationFailure.nonRetryable(`injected fault in ${name}`, 'InjectedFault');
      }
      return fn(...args);
    };
  }
  return wrapped as T;
}

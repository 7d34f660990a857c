import { RetryState } from '@temporalio/common';
import {
  ActivityFailure, ApplicationFailure, isCancellation, proxyLocalActivities, TemporalFailure, TimeoutFailure,
  type ActivityInterfaceFor, type ActivityOptions, type LocalActivityOptions,
} from '@temporalio/workflow';
import type { RunPatches } from './run-patches';

/**
 * Local activities whose failures look like those of remote ones. The SDK rejects a failed local activity with its
 * cause itself (an ApplicationFailure, a TimeoutFailure), where a remote one is wrapped in an ActivityFailure; the
 * flow runtime (`FlowRuntime.step`) turns only an ActivityFailure into an issue that waits for an operator, and reads
 * rate limits from its cause. Wrapped here, a local step that keeps failing ends up in the issue log like any other.
 */
export function proxyLocalSteps<A extends object>(options: LocalActivityOptions): ActivityInterfaceFor<A> {
  const local = proxyLocalActivities<A>(options) as Record<string, (...args: unknown[]) => Promise<unknown>>;
  return new Proxy(local, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      const run = target[name]!;
      return async (...args: unknown[]) => {
        try {
          return await run(...args);
        } catch (err) {
          throw asActivityFailure(name, err);
        }
      };
    },
  }) as ActivityInterfaceFor<A>;
}

/** A local activity's failure as the ActivityFailure a remote one would raise; cancellations and bugs pass through. */
export function asActivityFailure(activityType: string, err: unknown): unknown {
  if (err instanceof ActivityFailure || isCancellation(err) || !(err instanceof TemporalFailure)) return err;
  // A local activity rejects only once its retries are over: refused for good, timed out, or out of attempts.
  const retryState = err instanceof ApplicationFailure && err.nonRetryable ? RetryState.NON_RETRYABLE_FAILURE
    : err instanceof TimeoutFailure ? RetryState.TIMEOUT : RetryState.MAXIMUM_ATTEMPTS_REACHED;
  return new ActivityFailure(`local activity ${activityType} failed: ${err.message}`, activityType, undefined, retryState, 'local', err);
}

/** Backoffs from this on wait on durable timers: a long failing step neither holds the workflow task nor hides its retries. */
const LOCAL_RETRY_THRESHOLD = '4 seconds';

/** The local twin of a remote activity proxy's options: same timeouts and retry policy, long backoffs on timers. */
export function localStepsLike<A extends object>(options: ActivityOptions): ActivityInterfaceFor<A> {
  return proxyLocalSteps<A>({ ...options, localRetryThreshold: LOCAL_RETRY_THRESHOLD } as LocalActivityOptions);
}

/** The proxy for one step: the local one when the run takes `patch` (a run recorded before its baseline asks per step). */
export function patchedStep<P>(patches: RunPatches, patch: string, local: P, remote: P): P {
  return patches.has(patch) ? local : remote;
}

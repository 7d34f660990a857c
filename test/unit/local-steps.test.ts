import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import { asActivityFailure } from '../../workflows/shared/local-steps';

/** A failed local activity must reach the flow runtime as the ActivityFailure a remote one raises (issue log, rate limits). */
describe('asActivityFailure', () => {
  test('a refusal becomes an ActivityFailure of that activity, non-retryable, with the refusal as its cause', () => {
    const refusal = ApplicationFailure.nonRetryable('injected fault in reserveStock', 'InjectedFault');
    const wrapped = asActivityFailure('reserveStock', refusal);
    expect(wrapped).toBeInstanceOf(ActivityFailure);
    expect(wrapped).toMatchObject({ activityType: 'reserveStock', retryState: RetryState.NON_RETRYABLE_FAILURE, cause: refusal });
  });

  test('retries used up and a timeout are told apart', () => {
    expect(asActivityFailure('postInvoice', ApplicationFailure.retryable('deadlock', 'DatabaseError')))
      .toMatchObject({ retryState: RetryState.MAXIMUM_ATTEMPTS_REACHED });
    expect(asActivityFailure('postInvoice', new TimeoutFailure('start to close', undefined, 'START_TO_CLOSE')))
      .toMatchObject({ retryState: RetryState.TIMEOUT });
  });

  test('cancellations, ActivityFailures and bugs pass through unchanged', () => {
    const cancelled = new CancelledFailure('cancelled');
    const already = new ActivityFailure('failed', 'confirmOrder', '1', RetryState.TIMEOUT, 'worker', undefined);
    const bug = new TypeError('x is undefined');
    expect(asActivityFailure('confirmOrder', cancelled)).toBe(cancelled);
    expect(asActivityFailure('confirmOrder', already)).toBe(already);
    expect(asActivityFailure('confirmOrder', bug)).toBe(bug);
  });
});

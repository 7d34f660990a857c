import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';

/** Failures as our activities raise them, and how a refused update reads on the client. */

/** A failure Temporal does not retry: the flow's step goes to the operator desk at once. */
export const permanentFailure = (message = 'permanent test failure') => ApplicationFailure.nonRetryable(message, 'TestFailure');

/** A transient failure: Temporal retries it on the activity's backoff. */
export const transientFailure = (message = 'transient test failure') => ApplicationFailure.retryable(message, 'TestTransient');

/** A vendor's 429, as activities/vendor-errors.ts turns it into an activity failure. */
export const rateLimited = (retryAfterMs = 2000) => ApplicationFailure.create({
  message: 'shopify 429', type: 'shopify:rate-limited', nonRetryable: true,
  details: [{ vendor: 'shopify', status: 429, method: 'POST', path: '/graphql.json', retryAfterMs }],
});

/** The reason an update was refused (by its validator) or failed (by its handler). */
export async function updateRefusal(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return err.cause?.message ?? err.message;
    throw err;
  }
  throw new Error('the update was accepted, but a refusal was expected');
}

/** A promise the test opens when it wants a gated activity to go on. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery, type FlowProgress } from '../../../workflows/shared/operator-api';

/** Waits on a flow's progress query (polled; jest's timeout bounds the wait) instead of sleeping a fixed time. */
export async function progressWhen(handle: WorkflowHandle, what: string, ready: (p: FlowProgress) => boolean): Promise<FlowProgress> {
  for (;; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const last = await progress(handle);
    if (last && ready(last)) return last;
    if (process.env.TEST_PROGRESS_TRACE) process.stderr.write(`waiting for ${what}: ${JSON.stringify(last)}\n`);
  }
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_CANCELLED = 1;
/** A query cut off by its deadline fails with either code, depending on whether the call or the channel saw it first. */
const UNANSWERED = new Set([GRPC_DEADLINE_EXCEEDED, GRPC_CANCELLED]);

/**
 * The progress, or undefined when the query got no answer in time: the test server never answers a query that
 * reached a run just as it continued as new, so each query has a deadline and the poll simply asks again.
 */
async function progress(handle: WorkflowHandle): Promise<FlowProgress | undefined> {
  try {
    return await handle.client.withDeadline(Date.now() + 2000, () => handle.query(progressQuery));
  } catch (err) {
    const { code, cause } = err as { code?: number; cause?: { code?: number } };
    if (UNANSWERED.has(code ?? -1) || UNANSWERED.has(cause?.code ?? -1)) return undefined;
    throw err;
  }
}

/** The id of the issue the flow waits on, once it is recorded (a decision can then name it). */
export async function openIssueId(handle: WorkflowHandle): Promise<number> {
  const progress = await progressWhen(handle, 'a recorded issue', (p) => (p.waitingFor?.issueId ?? -1) > 0);
  return progress.waitingFor!.issueId;
}

export const stateIs = (handle: WorkflowHandle, state: string) => progressWhen(handle, `state ${state}`, (p) => p.state === state);

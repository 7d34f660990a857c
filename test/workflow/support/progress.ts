import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery, type FlowProgress } from '../../../workflows/shared/operator-api';

/** Waits on a flow's progress query (polled; jest's timeout bounds the wait) instead of sleeping a fixed time. */
export async function progressWhen(handle: WorkflowHandle, what: string, ready: (p: FlowProgress) => boolean): Promise<FlowProgress> {
  for (let last: FlowProgress | undefined; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
    last = await handle.query(progressQuery);
    if (ready(last)) return last;
    if (process.env.TEST_PROGRESS_TRACE) process.stderr.write(`waiting for ${what}: ${JSON.stringify(last)}\n`);
  }
}

/** The id of the issue the flow waits on, once it is recorded (a decision can then name it). */
export async function openIssueId(handle: WorkflowHandle): Promise<number> {
  const progress = await progressWhen(handle, 'a recorded issue', (p) => (p.waitingFor?.issueId ?? -1) > 0);
  return progress.waitingFor!.issueId;
}

export const stateIs = (handle: WorkflowHandle, state: string) => progressWhen(handle, `state ${state}`, (p) => p.state === state);

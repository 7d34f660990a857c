import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { currentTracing } from '../observability/tracing';
import { workerSinks } from '../observability/worker-observability';

export interface ReplayFailure {
  /** `<workflow id> (run <run id>)`. */
  run: string;
  error: string;
  history: temporal.api.history.v1.IHistory;
}

export interface ReplayOutcome {
  replayed: number;
  failures: ReplayFailure[];
}

/**
 * Replays the history of every workflow run a visibility query finds (open and closed) on a workflow bundle, as a
 * worker does when its cached run is gone (a restart, an eviction, a workflow task that timed out). A history that
 * does not replay is a flow that stops with a nondeterminism error the next time it is replayed.
 */
/** The workflow code to replay on: a bundle file, or bundled code in memory. */
export type ReplayBundle = { codePath: string } | { code: string };

export async function replayWorkflowHistories(client: Client, query: string, bundle: ReplayBundle): Promise<ReplayOutcome> {
  const histories = [];
  for await (const run of client.workflow.list({ query })) {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    histories.push({ workflowId: `${run.workflowId} (run ${run.runId})`, history });
  }
  const failures: ReplayFailure[] = [];
  // The bundle carries the workflow interceptors (observability/workflow-bundle.ts): their sinks, as a worker has them.
  const options = { workflowBundle: bundle, sinks: workerSinks(currentTracing()) };
  for await (const result of Worker.runReplayHistories(options, histories)) {
    if (!result.error) continue;
    const { history } = histories.find((h) => h.workflowId === result.workflowId)!;
    failures.push({ run: result.workflowId, error: String(result.error), history });
  }
  return { replayed: histories.length, failures };
}

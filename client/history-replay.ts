import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
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
 * For a process that runs no worker of its own and only replays (the ops CLI, the reliability runner): the replaying
 * worker's log (its state changes, an open run replayed up to where it waits) is not the answer, so the SDK logs
 * errors only, on stderr. Call before the first replay.
 */
export function installReplayOnlyRuntime(): void {
  Runtime.install({
    logger: new DefaultLogger('ERROR', ({ level, message }) => void process.stderr.write(`${level} ${message}\n`)),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
}

/** The workflow code to replay on: a bundle file, or bundled code in memory. */
export type ReplayBundle = { codePath: string } | { code: string };

/** One run's history, named `<workflow id> (run <run id>)`. */
export interface RunHistory {
  run: string;
  history: temporal.api.history.v1.IHistory;
}

/**
 * Replays the history of every workflow run a visibility query finds (open and closed) on a workflow bundle, as a
 * worker does when its cached run is gone (a restart, an eviction, a workflow task that timed out). A history that
 * does not replay is a flow that stops with a nondeterminism error the next time it is replayed.
 */
export async function replayWorkflowHistories(client: Client, query: string, bundle: ReplayBundle): Promise<ReplayOutcome> {
  const histories: RunHistory[] = [];
  for await (const run of client.workflow.list({ query })) {
    histories.push(await runHistory(client, run.workflowId, run.runId));
  }
  return replayHistories(histories, bundle);
}

/** The history of one run, fetched from Temporal. */
export async function runHistory(client: Client, workflowId: string, runId: string): Promise<RunHistory> {
  return { run: `${workflowId} (run ${runId})`, history: await client.workflow.getHandle(workflowId, runId).fetchHistory() };
}

/** Replays the histories on the bundle: how many, and those that do not replay with why. */
export async function replayHistories(histories: readonly RunHistory[], bundle: ReplayBundle): Promise<ReplayOutcome> {
  const failures: ReplayFailure[] = [];
  // The bundle carries the workflow interceptors (observability/workflow-bundle.ts): their sinks, as a worker has them.
  const options = { workflowBundle: bundle, sinks: workerSinks(currentTracing()) };
  const named = histories.map((h) => ({ workflowId: h.run, history: h.history }));
  for await (const result of Worker.runReplayHistories(options, named)) {
    if (!result.error) continue;
    const { history } = histories.find((h) => h.run === result.workflowId)!;
    failures.push({ run: result.workflowId, error: String(result.error), history });
  }
  return { replayed: histories.length, failures };
}

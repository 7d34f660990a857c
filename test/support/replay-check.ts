import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { currentTracing } from '../../observability/tracing';
import { workerSinks } from '../../observability/worker-observability';

/**
 * Determinism guard over everything a test file ran: every workflow history on its task queue is replayed on the
 * workflow code under test. A worker replays a history only when its cached run is gone (a restart, an eviction, a
 * workflow task that timed out), so a command sequence that does not replay may pass a test unnoticed and stop a
 * flow in production; replayed here, it fails the test file that produced it.
 */
export async function replayEveryHistory(client: Client, taskQueue: string): Promise<void> {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: the integration tests\' global setup bundles the workflows');
  const histories = [];
  for await (const run of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    histories.push({ workflowId: `${run.workflowId} (run ${run.runId})`, history });
  }
  const failures: string[] = [];
  const kept = join(tmpdir(), 'integration-engine-replay-failures');
  // The bundle carries the workflow interceptors (observability/workflow-bundle.ts): their sinks, as a worker has them.
  const options = { workflowBundle: { codePath }, sinks: workerSinks(currentTracing()) };
  for await (const result of Worker.runReplayHistories(options, histories)) {
    if (!result.error) continue;
    const failed = histories.find((h) => h.workflowId === result.workflowId)!;
    const file = join(kept, `${failed.workflowId.replace(/[^\w.-]+/g, '_')}.json`);
    mkdirSync(kept, { recursive: true });
    // The format `temporal workflow show --output json` exports, which test/histories/ and the replayer read.
    writeFileSync(file, historyToJSON(failed.history));
    failures.push(`${result.workflowId}: ${String(result.error)} (history kept in ${file})`);
  }
  if (failures.length > 0) throw new Error(`${failures.length} of ${histories.length} workflow histories do not replay:\n${failures.join('\n')}`);
}

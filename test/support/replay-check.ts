import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { replayWorkflowHistories } from '../../client/history-replay';

/**
 * Determinism guard over everything a test file ran: every workflow history on its task queue is replayed on the
 * workflow code under test. A worker replays a history only when its cached run is gone, so a command sequence that
 * does not replay may pass a test unnoticed and stop a flow in production; replayed here, it fails the test file
 * that produced it, and the history is kept for a look.
 */
export async function replayEveryHistory(client: Client, taskQueue: string): Promise<void> {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: the integration tests\' global setup bundles the workflows');
  const { replayed, failures } = await replayWorkflowHistories(client, `TaskQueue = '${taskQueue}'`, { codePath });
  if (failures.length === 0) return;
  const kept = join(tmpdir(), 'integration-engine-replay-failures');
  mkdirSync(kept, { recursive: true });
  const lines = failures.map((f) => {
    const file = join(kept, `${f.run.replace(/[^\w.-]+/g, '_')}.json`);
    // The format `temporal workflow show --output json` exports, which test/histories/ and the replayer read.
    writeFileSync(file, historyToJSON(temporal.api.history.v1.History.create(f.history)));
    return `${f.run}: ${f.error} (history kept in ${file})`;
  });
  throw new Error(`${failures.length} of ${replayed} workflow histories do not replay:\n${lines.join('\n')}`);
}

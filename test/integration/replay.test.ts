import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { currentTracing } from '../../observability/tracing';
import { workerSinks } from '../../observability/worker-observability';
import { HISTORIES_DIR } from '../support/histories';

/**
 * Determinism guard: histories recorded from real runs (RECORD_HISTORIES=1 npm test) must replay on today's
 * workflow code. A change that alters the command sequence of a running workflow fails here, before production.
 */
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

test('recorded histories are present for every flow', () => {
  expect(files.filter((f) => f.startsWith('lead-conversion-')).length).toBeGreaterThanOrEqual(4);
  expect(files.filter((f) => f.startsWith('order-fulfilment-')).length).toBeGreaterThanOrEqual(4);
  expect(files.filter((f) => f.startsWith('payment-settlement-')).length).toBeGreaterThanOrEqual(2);
});

test('every recorded history replays without nondeterminism', async () => {
  const histories = files.map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) }));
  const results = [];
  // The bundle carries the workflow interceptors (observability/workflow-bundle.ts): their sinks, as a worker has them.
  const options = { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, sinks: workerSinks(currentTracing()) };
  for await (const result of Worker.runReplayHistories(options, histories)) {
    results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : undefined });
  }
  expect(results).toEqual(histories.map((h) => ({ workflowId: h.workflowId, error: undefined })));
});

import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../config/env';
import { WORKFLOW_PRELOAD_MODULES } from '../../observability/workflow-bundle';
import { workerTuning } from '../../workers/create-worker';
import { floorActivities } from './floor-activities';

/**
 * The floor workflow's worker process: the same SDK, the same WORKER_* tuning and the same sandbox (preloaded
 * modules) as the engine's workers, on the task queue FLOOR_TASK_QUEUE, with the floor workflow bundled at start
 * like the engine bundles its own.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const taskQueue = process.env.FLOOR_TASK_QUEUE;
  if (!config.TEMPORAL_ADDRESS || !taskQueue) throw new Error('TEMPORAL_ADDRESS and FLOOR_TASK_QUEUE are required for the floor worker');
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue, activities: floorActivities,
    workflowsPath: require.resolve('./floor-workflow'), bundlerOptions: { preloadModules: [...WORKFLOW_PRELOAD_MODULES] }, ...workerTuning(config),
  });
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

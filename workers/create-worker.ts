import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createIssueActivities } from '../activities/issue-activities';
import { createLeadActivities } from '../activities/lead-activities';
import { HubspotClient } from '../connectors/hubspot/client';

/** Wires activities to their dependencies and registers every workflow on one task queue. */

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  hubspot: { baseUrl: string; accessToken: string };
  erpIdProperty: string;
  /** A prebuilt workflow bundle (tests build it once); otherwise the worker bundles workflows/ itself. */
  workflowBundlePath?: string;
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;
}

export function createActivities(deps: Pick<WorkerDeps, 'pool' | 'hubspot' | 'erpIdProperty'>) {
  const hubspot = new HubspotClient({ baseUrl: deps.hubspot.baseUrl, accessToken: deps.hubspot.accessToken });
  return {
    ...createIssueActivities(deps.pool),
    ...createLeadActivities({ pool: deps.pool, hubspot, erpIdProperty: deps.erpIdProperty }),
  };
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: createActivities(deps),
    ...(deps.workflowBundlePath
      ? { workflowBundle: { codePath: deps.workflowBundlePath } }
      : { workflowsPath: require.resolve('../workflows') }),
    ...deps.tuning,
  });
}

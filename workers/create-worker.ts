import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createIssueActivities } from '../activities/issue-activities';
import { createLeadActivities } from '../activities/lead-activities';
import { createOrderActivities } from '../activities/order-activities';
import { HubspotClient } from '../connectors/hubspot/client';
import { ShopifyClient } from '../connectors/shopify/client';
import { StripePaymentsPort } from '../connectors/stripe/payments-port';
import { withActivityFaults, type ActivityFaults } from './activity-faults';

/** Wires activities to their dependencies and registers every workflow on one task queue. */

export interface VendorSettings {
  hubspot: { baseUrl: string; accessToken: string };
  shopify: { baseUrl: string; accessToken: string; apiVersion: string };
  stripe: { baseUrl: string; apiKey: string };
}

export interface WorkerDeps extends VendorSettings {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  erpIdProperty: string;
  defaultPhoneCountry: string;
  /** A prebuilt workflow bundle (tests build it once); otherwise the worker bundles workflows/ itself. */
  workflowBundlePath?: string;
  /** Failure tests only: make named activities fail (see activity-faults.ts). */
  activityFaults?: ActivityFaults;
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;
}

export function createActivities(deps: Omit<WorkerDeps, 'connection' | 'namespace' | 'taskQueue'>) {
  const hubspot = new HubspotClient(deps.hubspot);
  const shop = new ShopifyClient(deps.shopify);
  const payments = new StripePaymentsPort(deps.stripe);
  const activities = {
    ...createIssueActivities(deps.pool),
    ...createLeadActivities({ pool: deps.pool, hubspot, erpIdProperty: deps.erpIdProperty }),
    ...createOrderActivities({ pool: deps.pool, shop, payments, defaultPhoneCountry: deps.defaultPhoneCountry }),
  };
  return deps.activityFaults ? withActivityFaults(activities, deps.activityFaults) : activities;
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

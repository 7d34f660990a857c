import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createAuditErpActivities } from '../activities/audit/erp';
import { createAuditHealActivities } from '../activities/audit/heal';
import { createAuditVendorActivities } from '../activities/audit/vendors';
import { createCatchupErpActivities } from '../activities/catchup/erp';
import { createCatchupShopActivities } from '../activities/catchup/shop';
import { createInventoryErpActivities } from '../activities/inventory/erp';
import { createInventoryResyncActivities } from '../activities/inventory/resync';
import { createInventoryShopActivities } from '../activities/inventory/shop';
import { createLeadCrmActivities } from '../activities/lead/crm';
import { createLeadErpActivities } from '../activities/lead/erp';
import { createOrderActivities } from '../activities/order';
import { createPaymentErpActivities } from '../activities/payment/erp';
import { createPaymentProviderActivities } from '../activities/payment/provider';
import { createPayoutErpActivities } from '../activities/payout/erp';
import { createPayoutProviderActivities } from '../activities/payout/provider';
import { createPayoutReconciliationActivities } from '../activities/payout/reconciliation';
import { createReconciliationErpActivities } from '../activities/reconciliation/erp';
import { createReconciliationFlowActivities } from '../activities/reconciliation/flows';
import { createReconciliationProviderActivities } from '../activities/reconciliation/provider';
import { createIssueActivities } from '../activities/shared/issue-log';
import type { Connection } from '../connections/connection';
import { connectorOf, type CrmConnector, type PaymentsConnector, type ShopConnector } from '../connectors/registry';
import type { VendorSettings } from '../connectors/settings';
import { registerConnections } from '../engine/connections';
import { currentTracing, type Tracing } from '../observability/tracing';
import { workerInterceptors, workerSinks } from '../observability/worker-observability';
import { WORKFLOW_PRELOAD_MODULES } from '../observability/workflow-bundle';
import type { CrmPort } from '../ports/crm';
import type { PaymentsPort } from '../ports/payments';
import type { ShopPort } from '../ports/shop';
import { DEFAULT_PAYMENT_POLICY, type PaymentPolicy } from '../workflows/payment/api';
import { withActivityFaults, type ActivityFaults } from './activity-faults';
import { ensureAuditSchedule, type AuditScheduleSettings } from './audit-schedule';
import { ensureOrderCatchupSchedules, type OrderCatchupScheduleSettings } from './catchup-schedule';
import { ensureInventoryResyncSchedules, type InventoryResyncScheduleSettings } from './inventory-resync-schedule';
import { ensureReconciliationSchedule, type ReconciliationScheduleSettings } from './reconciliation-schedule';

/** Wires activities to the ports of the configured connections and registers every workflow on one task queue. */

export interface WorkerConnections { shops: Connection[]; payments: Connection; crm: Connection }

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  connections: WorkerConnections;
  vendors: VendorSettings;
  defaultPhoneCountry: string;
  /** A prebuilt workflow bundle (tests build it once); otherwise the worker bundles workflows/ itself. */
  workflowBundlePath?: string;
  /** Failure tests only: make named activities fail (see activity-faults.ts). */
  activityFaults?: ActivityFaults;
  /** Where workflow spans go (default: this process's tracing, off unless set up: observability/tracing.ts). */
  tracing?: Tracing;
  tuning?: WorkerTuning;
  /** For activities that start flows (the reconciliation starts missing payment flows) and the schedule at start-up. */
  client?: Client;
  /** How payment flows started by this worker wait and end (the relay's setting, PAYMENT_*). */
  paymentPolicy?: PaymentPolicy;
  /** The reconciliation schedule to create or update at start-up (needs `client`). */
  reconciliationSchedule?: ReconciliationScheduleSettings;
  /** The order catch-up schedules (one per shop) to create or update at start-up (needs `client`). */
  orderCatchupSchedule?: OrderCatchupScheduleSettings;
  /** The periodic full inventory resync schedules (one per shop) to create or update at start-up (needs `client`). */
  inventoryResyncSchedule?: InventoryResyncScheduleSettings;
  /** The data synchronisation audit's schedule to create or update at start-up (needs `client`). */
  auditSchedule?: AuditScheduleSettings;
}

export type WorkerTuning = Pick<WorkerOptions,
  'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskPolls' | 'maxConcurrentActivityTaskPolls'>;

/** The WORKER_* settings as worker options; unset ones keep the SDK's defaults. */
export function workerTuning(config: Pick<AppConfig,
  'WORKER_MAX_CONCURRENT_ACTIVITIES' | 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS' | 'WORKER_WORKFLOW_TASK_POLLERS' | 'WORKER_ACTIVITY_TASK_POLLERS' | 'WORKER_MAX_CACHED_WORKFLOWS'>): WorkerTuning {
  const tuning: WorkerTuning = {
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentWorkflowTaskPolls: config.WORKER_WORKFLOW_TASK_POLLERS,
    maxConcurrentActivityTaskPolls: config.WORKER_ACTIVITY_TASK_POLLERS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  };
  return Object.fromEntries(Object.entries(tuning).filter(([, v]) => v !== undefined));
}

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/**
 * All activities under one name space, as Temporal registers them: a name two modules both define would silently
 * route one flow's calls to the other's function, so a clash stops the worker at start-up instead.
 */
function distinctActivities<T extends object[]>(...sets: T): Intersection<T[number]> {
  const all: Record<string, unknown> = {};
  for (const set of sets) {
    for (const [name, fn] of Object.entries(set)) {
      if (name in all) throw new Error(`two activity modules define an activity named "${name}": rename one (activities are registered by name)`);
      all[name] = fn;
    }
  }
  return all as Intersection<T[number]>;
}

/** One port per connection, built by the connector of its vendor. */
function portsOf<P>(connections: Connection[], build: (connection: Connection) => P): Map<string, P> {
  return new Map(connections.map((c) => [c.id, build(c)]));
}

export function createActivities(deps: Omit<WorkerDeps, 'connection' | 'namespace'>) {
  const { pool, connections, vendors } = deps;
  const shops = portsOf<ShopPort>(connections.shops, (c) => (connectorOf(c.vendor) as ShopConnector).createShop(vendors));
  const crms = portsOf<CrmPort>([connections.crm], (c) => (connectorOf(c.vendor) as CrmConnector).createCrm(vendors));
  const payments = (connectorOf(connections.payments.vendor) as PaymentsConnector).createPayments(vendors);
  const paymentPorts = new Map<string, PaymentsPort>([[connections.payments.id, payments]]);
  const activities = distinctActivities(
    createIssueActivities(pool),
    createLeadCrmActivities({ crms }),
    createLeadErpActivities({ pool }),
    createOrderActivities({ pool, shops, payments, paymentsConnection: connections.payments.id, defaultPhoneCountry: deps.defaultPhoneCountry }),
    createPaymentProviderActivities({ payments: paymentPorts }),
    createPaymentErpActivities({ pool }),
    createPayoutProviderActivities({ payments: paymentPorts }),
    createPayoutErpActivities({ pool }),
    createPayoutReconciliationActivities({ client: deps.client, schedule: deps.reconciliationSchedule }),
    createReconciliationErpActivities({ pool }),
    createReconciliationProviderActivities({ pool, payments: paymentPorts }),
    createInventoryShopActivities({ shops }),
    createInventoryErpActivities({ pool }),
    createInventoryResyncActivities({ pool, shops }),
    createCatchupErpActivities({ pool }),
    createAuditErpActivities({ pool }),
    createAuditVendorActivities({ pool, crms, shops, payments: paymentPorts }),
    (deps.client ? createReconciliationFlowActivities({
      pool, client: deps.client, payments: paymentPorts, connections: [connections.payments], taskQueue: deps.taskQueue,
      paymentPolicy: deps.paymentPolicy ?? DEFAULT_PAYMENT_POLICY,
    }) : {}),
    (deps.client ? createCatchupShopActivities({ pool, client: deps.client, shops, connections: connections.shops, taskQueue: deps.taskQueue }) : {}),
    (deps.client ? createAuditHealActivities({
      pool, client: deps.client, connections: [...connections.shops, connections.payments, connections.crm], taskQueue: deps.taskQueue,
      paymentPolicy: deps.paymentPolicy ?? DEFAULT_PAYMENT_POLICY,
    }) : {}),
  );
  return deps.activityFaults ? withActivityFaults(activities, deps.activityFaults) : activities;
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const { shops, payments, crm } = deps.connections;
  const tracing = deps.tracing ?? currentTracing();
  await registerConnections(deps.pool, [...shops, payments, crm]);
  if (deps.client && deps.reconciliationSchedule) await ensureReconciliationSchedule(deps.client, deps.reconciliationSchedule);
  if (deps.client && deps.orderCatchupSchedule) await ensureOrderCatchupSchedules(deps.client, deps.orderCatchupSchedule);
  if (deps.client && deps.inventoryResyncSchedule) await ensureInventoryResyncSchedules(deps.client, deps.inventoryResyncSchedule);
  if (deps.client && deps.auditSchedule) await ensureAuditSchedule(deps.client, deps.auditSchedule);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: createActivities(deps),
    // Flow outcomes, step failures, log context and (when on) traces (observability/). A prebuilt bundle has the
    // workflow interceptor modules it was built with; the sinks serve either kind.
    interceptors: workerInterceptors(tracing),
    sinks: workerSinks(tracing),
    ...(deps.workflowBundlePath
      ? { workflowBundle: { codePath: deps.workflowBundlePath } }
      : { workflowsPath: require.resolve('../workflows'), bundlerOptions: { preloadModules: [...WORKFLOW_PRELOAD_MODULES] } }),
    ...deps.tuning,
  });
}

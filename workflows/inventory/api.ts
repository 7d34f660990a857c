import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** The inventory sync's messages, ids, business key, steps and policy, defined once for the workflow, the worker and our tools. */

export const INVENTORY_WORKFLOW = 'inventorySync';
export const INVENTORY_FLOW = 'inventory';

/** One long-running sync per shop connection. */
export const inventoryWorkflowId = (shop: string) => `inventory-${shop}`;
export const inventoryBusinessKey = (shop: string) => `${shop}:inventory`;

export const INVENTORY_STEPS = {
  enrol: 'enrol',
  shopLocation: 'shop-location',
  resync: 'full-resync',
  due: 'due-changes',
  push: 'push-stock',
  readBack: 'read-back',
  recordDrift: 'record-drift',
  acknowledge: 'acknowledge',
} as const;

/** What a compare failure (someone changed the shop) leads to: push the ERP's value again, or accept the shop's. */
export type DriftPolicy = 'erp-wins' | 'keep-shop';

export interface InventoryPolicy {
  /** The ERP stock location whose sellable quantities the shop gets (its default location). */
  erpLocation: string;
  drift: DriftPolicy;
  /** Pushes of one batch that may meet a stale compare before the SKUs still stale are given up and reported. */
  compareAttempts: number;
  /** A SKU is pushed once its changes have been quiet this long (a burst goes out once, latest value)… */
  quietMs: number;
  /** …or at the latest this long after its first unpushed change. */
  maxDelayMs: number;
  /** The outbox is looked at this often even without a wake-up signal. */
  pollSeconds: number;
  /** SKUs read from the outbox per round. */
  changesPerRound: number;
  /** Rounds of work before the run continues as new (or earlier, when Temporal suggests it). */
  passesPerRun: number;
  operatorReminderSeconds?: number;
  rateLimitBudgetSeconds?: number;
}

export const DEFAULT_INVENTORY_POLICY: InventoryPolicy = {
  erpLocation: 'MAIN', drift: 'erp-wins', compareAttempts: 3, quietMs: 1_000, maxDelayMs: 10_000, pollSeconds: 60,
  changesPerRound: 2_500, passesPerRun: 100,
};

export interface InventoryTotals { pushed: number; batches: number; drifts: number; gaveUp: number; resyncs: number; unmapped: number }

/** What one run carries into the next. */
export interface InventorySnapshot {
  /** The shop location the ERP's stock goes to, and the most quantities one push carries. */
  location: string;
  maxBatch: number;
  batchSeq: number;
  resyncSeq: number;
  resyncPending: boolean;
  totals: InventoryTotals;
}

export interface InventorySyncInput {
  /** The shop connection (e.g. `shopify`). */
  shop: string;
  policy: InventoryPolicy;
  resume?: InventorySnapshot;
}

/** The sync never ends by itself; it stops only when cancelled or an operator chooses to. */
export interface InventorySyncResult { status: 'stopped'; reason: string }

export interface InventoryProgress extends InventoryTotals { shop: string; location: string | null; resyncPending: boolean; state: string }

/** The ERP's stock changed (the worker's listener, or anyone): look at the outbox now. */
export const stockChangedSignal = defineSignal('stockChanged');
/** Push every sellable quantity, not only the changed ones. */
export const resyncSignal = defineSignal('resyncInventory');
export const requestResyncUpdate = defineUpdate<{ accepted: true; resync: number }>('requestResync');
export const inventoryProgressQuery = defineQuery<InventoryProgress>('inventoryProgress');

/** The periodic full resync: a Temporal Schedule per shop whose runs ask the shop's running sync for one (resyncSignal). */
export const INVENTORY_RESYNC_WORKFLOW = 'inventoryResyncRequest';
export const inventoryResyncScheduleId = (shop: string) => `inventory-resync-${shop}`;
export const inventoryResyncBusinessKey = (shop: string) => `${shop}:inventory-resync`;

export interface InventoryResyncRequestInput { shop: string }
export type InventoryResyncRequestResult =
  | { status: 'requested'; workflowId: string }
  | { status: 'not-running'; workflowId: string; reason: string };

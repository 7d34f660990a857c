import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool, PoolClient } from 'pg';
import { BusinessKey, Flow, FlowState, SourceSystem } from '../domain/search-attributes';
import { INVENTORY_FLOW, INVENTORY_WORKFLOW, inventoryBusinessKey, inventoryWorkflowId, stockChangedSignal, type InventoryPolicy, type InventorySyncInput } from '../workflows/inventory/api';

/**
 * Starts one inventory-sync flow per shop connection (signal-with-start: repeatable, every worker may do it), and a
 * small listener that wakes them on the outbox trigger's NOTIFY, so a change goes out without waiting for the poll.
 */

/** The NOTIFY channel of the outbox trigger (migration 0014). */
export const INVENTORY_CHANNEL = 'inventory_changed';
/** Notifications within this are one wake-up. */
const WAKE_DEBOUNCE_MS = 100;

export interface InventorySyncSettings { taskQueue: string; shops: string[]; policy: InventoryPolicy }

export async function startInventorySyncs(client: Client, settings: InventorySyncSettings): Promise<void> {
  for (const shop of settings.shops) {
    const input: InventorySyncInput = { shop, policy: settings.policy };
    await client.workflow.signalWithStart(INVENTORY_WORKFLOW, {
      workflowId: inventoryWorkflowId(shop), taskQueue: settings.taskQueue, args: [input], signal: stockChangedSignal, signalArgs: [],
      // Findable in the Temporal UI like every flow: Flow = 'inventory', by shop.
      typedSearchAttributes: [
        { key: Flow, value: INVENTORY_FLOW }, { key: BusinessKey, value: inventoryBusinessKey(shop) }, { key: SourceSystem, value: shop },
        { key: FlowState, value: 'running' },
      ],
      staticSummary: `Inventory: ERP sellable stock → shop ${shop}`,
    });
  }
}

/** LISTENs on a connection of its own; returns a stop function. A lost connection is only logged: the flows' poll covers it. */
export async function listenForStockChanges(
  pool: Pool, client: Client, shops: string[], onError: (err: unknown) => void = () => undefined,
): Promise<() => Promise<void>> {
  const connection: PoolClient = await pool.connect();
  let timer: NodeJS.Timeout | undefined;
  const wake = () => {
    timer = undefined;
    for (const shop of shops) {
      client.workflow.getHandle(inventoryWorkflowId(shop)).signal(stockChangedSignal)
        .catch((err) => (err instanceof WorkflowNotFoundError ? undefined : onError(err)));
    }
  };
  connection.on('notification', () => void (timer ??= setTimeout(wake, WAKE_DEBOUNCE_MS)));
  connection.on('error', onError);
  await connection.query(`LISTEN ${INVENTORY_CHANNEL}`);
  return async () => {
    if (timer) clearTimeout(timer);
    await connection.query(`UNLISTEN ${INVENTORY_CHANNEL}`).catch(() => undefined);
    connection.release();
  };
}

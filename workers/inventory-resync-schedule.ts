import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { BusinessKey, Flow, FlowState, SourceSystem } from '../domain/search-attributes';
import {
  INVENTORY_RESYNC_WORKFLOW, inventoryResyncBusinessKey, inventoryResyncScheduleId, type InventoryResyncRequestInput,
} from '../workflows/inventory/api';

/**
 * One Temporal Schedule per shop connection for the periodic full inventory resync, created or brought up to date
 * at worker start-up: every worker may do it, the result is the same. Each run only signals the shop's running
 * inventory sync (resyncSignal); a run still going when the next is due makes the next one skip.
 */

export interface InventoryResyncScheduleSettings {
  taskQueue: string;
  shops: readonly string[];
  intervalSeconds: number;
  /** Schedule ids are `<prefix>-<shop>` (default `inventory-resync`: inventoryResyncScheduleId). */
  idPrefix?: string;
}

export const inventoryResyncScheduleIdOf = (s: Pick<InventoryResyncScheduleSettings, 'idPrefix'>, shop: string) =>
  (s.idPrefix ? `${s.idPrefix}-${shop}` : inventoryResyncScheduleId(shop));

export function inventoryResyncScheduleOf(s: InventoryResyncScheduleSettings, shop: string): ScheduleOptions {
  const scheduleId = inventoryResyncScheduleIdOf(s, shop);
  const input: InventoryResyncRequestInput = { shop };
  return {
    scheduleId,
    spec: { intervals: [{ every: `${s.intervalSeconds}s` }] },
    action: {
      type: 'startWorkflow', workflowType: INVENTORY_RESYNC_WORKFLOW, workflowId: `${scheduleId}-run`, taskQueue: s.taskQueue, args: [input],
      // Findable in the Temporal UI like every flow: Flow = 'inventory-resync'.
      typedSearchAttributes: [
        { key: Flow, value: 'inventory-resync' }, { key: BusinessKey, value: inventoryResyncBusinessKey(shop) },
        { key: SourceSystem, value: shop }, { key: FlowState, value: 'running' },
      ],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${Math.max(60, s.intervalSeconds)}s` },
    memo: { what: `Periodic full inventory resync of ${shop}: asks its inventory sync to push every sellable quantity` },
  };
}

export async function ensureInventoryResyncSchedules(client: Client, settings: InventoryResyncScheduleSettings): Promise<void> {
  for (const shop of settings.shops) {
    const wanted = inventoryResyncScheduleOf(settings, shop);
    try {
      await client.schedule.create(wanted);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      // Kept as the operator left it (paused or not); everything else follows the settings.
      await client.schedule.getHandle(wanted.scheduleId).update((current) => ({
        ...current, spec: wanted.spec, action: wanted.action, policies: { ...current.policies, ...wanted.policies },
      }));
    }
  }
}

import { ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import {
  INVENTORY_RESYNC_WORKFLOW, inventoryResyncBusinessKey, inventoryResyncScheduleId, type InventoryResyncRequestInput,
} from '../workflows/inventory/api';
import { ensureSchedule, scheduledRunAttributes } from './schedules';

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
      typedSearchAttributes: scheduledRunAttributes('inventory-resync', inventoryResyncBusinessKey(shop), shop),
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${Math.max(60, s.intervalSeconds)}s` },
    memo: { what: `Periodic full inventory resync of ${shop}: asks its inventory sync to push every sellable quantity` },
  };
}

export async function ensureInventoryResyncSchedules(client: Client, settings: InventoryResyncScheduleSettings): Promise<void> {
  for (const shop of settings.shops) {
    await ensureSchedule(client, inventoryResyncScheduleOf(settings, shop));
  }
}

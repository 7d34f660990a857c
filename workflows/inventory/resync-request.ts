import { getExternalWorkflowHandle, TemporalFailure } from '@temporalio/workflow';
import { inventoryWorkflowId, resyncSignal, type InventoryResyncRequestInput, type InventoryResyncRequestResult } from './api';

/**
 * One run of the periodic full resync's schedule: asks the shop's running inventory sync for a full resync (the
 * same signal as `npm run ops -- inventory resync <shop>`); the sync does the work. No sync running (INVENTORY_SYNC
 * off, or stopped): nothing to ask, the run says so and ends.
 */
export async function inventoryResyncRequest(input: InventoryResyncRequestInput): Promise<InventoryResyncRequestResult> {
  const workflowId = inventoryWorkflowId(input.shop);
  try {
    await getExternalWorkflowHandle(workflowId).signal(resyncSignal);
    return { status: 'requested', workflowId };
  } catch (err) {
    if (!(err instanceof TemporalFailure)) throw err;
    return { status: 'not-running', workflowId, reason: err.message };
  }
}

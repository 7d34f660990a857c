import type { WorkflowHandle } from '@temporalio/client';
import type { orderFulfilment } from '../../../workflows/order/workflow';
import { markShippedUpdate, type OrderPolicy } from '../../../workflows/order/api';
import type { WorkflowTest } from './workflow-env';

/** Starting and driving one order flow in a test. */

export type OrderHandle = WorkflowHandle<typeof orderFulfilment>;

/** Cancels on shortfall, waits an hour for payment, and cancels the shop order on failure, unless overridden. */
export const testPolicy = (over: Partial<OrderPolicy> = {}): OrderPolicy =>
  ({ shortfall: 'cancel', paymentWaitSeconds: 3600, cancelShopOrderOnFailure: true, ...over });

export function startOrder({ client, taskQueue }: WorkflowTest, policy: Partial<OrderPolicy> = {}): Promise<OrderHandle> {
  return client.workflow.start<typeof orderFulfilment>('orderFulfilment', {
    taskQueue, workflowId: `order-${taskQueue}`, args: [{ shopOrderId: '5001', policy: testPolicy(policy) }],
  });
}

export const ship = (handle: WorkflowHandle) =>
  handle.executeUpdate(markShippedUpdate, { args: [{ trackingNumber: '1Z999', carrier: 'UPS' }] });

/** What a fulfilled order with the fakes' ERP order and invoice returns. */
export const FULFILLED = { status: 'fulfilled', orderNumber: 'SO-42', invoiceNumber: 'INV-42', processingMs: 5, backordered: false };

import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { TypedSearchAttributes, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Pool } from 'pg';
import type { Connection } from '../../connections/connection';
import { connectionLabel } from '../../connectors/registry';
import { BusinessKey, Flow, FlowState, SourceSystem } from '../../domain/search-attributes';
import { findBinding } from '../../erp/external-refs';
import { shopOrderKey } from '../../erp/sales-orders';
import type { ShopPort } from '../../ports/shop';
import type { CatchupPage, CatchupWindow } from '../../workflows/catchup/api';
import { ORDER_WORKFLOW, orderBusinessKey, orderWorkflowId, shopOrderChangedSignal, type OrderPolicy } from '../../workflows/order/api';
import { portOf } from '../shared/ports';
import { callVendor } from '../shared/vendor-errors';

/**
 * Hands orders no webhook announced to their order flow, exactly as the relay does for a webhook: the same
 * business-key workflow id, signal-with-start, ALLOW_DUPLICATE_FAILED_ONLY. A webhook arriving at the same time
 * meets the same flow, and a flow that already ended is never started again.
 */
export function createCatchupShopActivities(deps: {
  pool: Pool; client: Client; shops: ReadonlyMap<string, ShopPort>; connections: readonly Connection[]; taskQueue: string;
}) {
  return {
    /** One page of the orders changed in the window; each one without an ERP binding is handed over. */
    async handOverUnknownOrders(shop: string, window: CatchupWindow, cursor: string | null, orderPolicy: OrderPolicy): Promise<CatchupPage> {
      const connection = deps.connections.find((c) => c.id === shop);
      if (!connection) throw new Error(`no shop connection "${shop}"`);
      const port = portOf(deps.shops, shop, 'shop');
      const page = await callVendor(() => port.listOrdersUpdatedSince(window.since, cursor));
      const result: CatchupPage = { nextCursor: page.nextCursor, listed: page.orders.length, handedOver: [], known: 0, skipped: 0 };
      for (const order of page.orders) {
        // A cancelled order nobody announced has nothing to undo; a bound one is the ERP's already.
        if (order.cancelled) {
          result.skipped++;
          continue;
        }
        if (await findBinding(deps.pool, shopOrderKey(shop, order.id))) {
          result.known++;
          continue;
        }
        const businessKey = orderBusinessKey(shop, order.id);
        try {
          await deps.client.workflow.signalWithStart(ORDER_WORKFLOW, {
            workflowId: orderWorkflowId(shop, order.id), taskQueue: deps.taskQueue,
            args: [{ shop, shopOrderId: order.id, policy: orderPolicy }],
            // One order, one flow, ever: as the relay starts it.
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            typedSearchAttributes: new TypedSearchAttributes([
              { key: BusinessKey, value: businessKey }, { key: Flow, value: 'order' },
              { key: SourceSystem, value: shop }, { key: FlowState, value: 'running' },
            ]),
            staticSummary: `Order (${connectionLabel(connection)} ${order.id}) → ERP sales order, stock, payment, invoice (caught up)`,
            signal: shopOrderChangedSignal, signalArgs: [{ eventId: `catchup-${window.until}`, topic: 'catchup.order_unannounced' }],
          });
          result.handedOver.push(order.id);
        } catch (err) {
          // Its flow has ended (e.g. cancelled and undone, so unbound): it is not started again.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          result.known++;
        }
      }
      return result;
    },
  };
}

export type CatchupShopActivities = ReturnType<typeof createCatchupShopActivities>;

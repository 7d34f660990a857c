import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { TypedSearchAttributes, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Pool } from 'pg';
import type { Connection } from '../../connections/connection';
import { connectionLabel } from '../../connectors/registry';
import { catchupAction } from '../../domain/order-catchup';
import { BusinessKey, Flow, FlowState, SourceSystem } from '../../domain/search-attributes';
import { inboxKey, insertNewEvents, type InboxEntry } from '../../engine/inbox';
import { knownOrderVersions } from '../../engine/order-versions';
import type { ShopOrderSummary, ShopPort } from '../../ports/shop';
import { UNANNOUNCED_ORDER_TOPICS, type CatchupPage, type CatchupWindow } from '../../workflows/catchup/api';
import { ORDER_WORKFLOW, orderBusinessKey, orderWorkflowId, shopOrderChangedSignal, type OrderPolicy } from '../../workflows/order/api';
import { portOf } from '../shared/ports';
import { callVendor } from '../shared/vendor-errors';

/**
 * Hands order changes no webhook announced to the order flows, exactly as webhooks would reach them. An order the
 * ERP does not know goes to its flow as the relay starts it: the same business-key workflow id, signal-with-start,
 * ALLOW_DUPLICATE_FAILED_ONLY; a webhook arriving at the same time meets the same flow, and a flow that already ended
 * is never started again. A change of a known order that no webhook announced (its edit or cancellation webhook was
 * lost) is put in the inbox as an event of its own, one per order and version: the dispatcher then hands it over
 * like the shop's own update, in turn with the order's other events.
 */
export function createCatchupShopActivities(deps: {
  pool: Pool; client: Client; shops: ReadonlyMap<string, ShopPort>; connections: readonly Connection[]; taskQueue: string;
}) {
  return {
    /** One page of the orders changed in the window, each handed over as `catchupAction` decides. (Named before it also looked at known orders.) */
    async handOverUnknownOrders(shop: string, window: CatchupWindow, cursor: string | null, orderPolicy: OrderPolicy): Promise<CatchupPage> {
      const connection = deps.connections.find((c) => c.id === shop);
      if (!connection) throw new Error(`no shop connection "${shop}"`);
      const port = portOf(deps.shops, shop, 'shop');
      const page = await callVendor(() => port.listOrdersUpdatedSince(window.since, cursor));
      const result: CatchupPage = { nextCursor: page.nextCursor, listed: page.orders.length, handedOver: [], reannounced: [], known: 0, skipped: 0 };
      const { bound, brought } = await knownOrderVersions(deps.pool, shop, page.orders.map((o) => o.id));
      const unannounced: Array<{ orderId: string; entry: InboxEntry }> = [];
      for (const order of page.orders) {
        const action = catchupAction(order, bound.has(order.id), brought.get(order.id));
        if (action === 'skip-cancelled') result.skipped++;
        else if (action === 'announced') result.known++;
        else if (action === 'start-flow') {
          if (await startOrderFlow(deps, connection, order.id, window, orderPolicy)) result.handedOver.push(order.id);
          else result.known++;
        } else unannounced.push({ orderId: order.id, entry: unannouncedChange(shop, order, action === 'reannounce-cancellation') });
      }
      // One statement for the page; a version put in the inbox by an earlier run is not put there again.
      const stored = await insertNewEvents(deps.pool, unannounced.map((u) => u.entry));
      for (const { orderId, entry: { event } } of unannounced) {
        if (stored.has(inboxKey(event.provider, event.eventId))) result.reannounced.push(orderId);
        else result.known++;
      }
      return result;
    },
  };
}

/** Starts (or signals) the flow of an order the ERP does not know; false if its flow has ended (e.g. cancelled and undone). */
async function startOrderFlow(
  deps: { client: Client; taskQueue: string }, connection: Connection, shopOrderId: string, window: CatchupWindow, orderPolicy: OrderPolicy,
): Promise<boolean> {
  const shop = connection.id;
  try {
    await deps.client.workflow.signalWithStart(ORDER_WORKFLOW, {
      workflowId: orderWorkflowId(shop, shopOrderId), taskQueue: deps.taskQueue,
      args: [{ shop, shopOrderId, policy: orderPolicy }],
      // One order, one flow, ever: as the relay starts it.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: BusinessKey, value: orderBusinessKey(shop, shopOrderId) }, { key: Flow, value: 'order' },
        { key: SourceSystem, value: shop }, { key: FlowState, value: 'running' },
      ]),
      staticSummary: `Order (${connectionLabel(connection)} ${shopOrderId}) → ERP sales order, stock, payment, invoice (caught up)`,
      signal: shopOrderChangedSignal, signalArgs: [{ eventId: `catchup-${window.until}`, topic: 'catchup.order_unannounced' }],
    });
    return true;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return false;
  }
}

/**
 * The inbox event standing for a change no event brought to the order's flow: its id names the order and the
 * version, so a later run that lists the same version finds it stored; its version counts as announced from then
 * on. The "raw body" is the catch-up's own record of what it saw.
 */
function unannouncedChange(shop: string, order: ShopOrderSummary, cancelled: boolean): InboxEntry {
  const payload = { id: order.id, updatedAt: order.updatedAt, cancelled, note: 'listed by the order catch-up; no event brought this version to the flow' };
  const rawBody = Buffer.from(JSON.stringify(payload));
  return {
    event: {
      provider: shop, eventId: `catchup:${order.id}@${order.updatedAt}`,
      topic: cancelled ? UNANNOUNCED_ORDER_TOPICS.cancelled : UNANNOUNCED_ORDER_TOPICS.changed,
      businessKey: orderBusinessKey(shop, order.id), payload, version: order.updatedAt,
    },
    rawBody, headersJson: '{}',
  };
}

export type CatchupShopActivities = ReturnType<typeof createCatchupShopActivities>;

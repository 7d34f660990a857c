import { WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import type { LeadPolicy } from '../domain/lead';
import { isHandledTopic } from '../domain/webhooks/events';
import { BusinessKey, Flow, FlowState, SourceSystem } from '../domain/search-attributes';
import type { InboxRow } from '../erp/inbox';
import { contactChangedSignal, leadConversion } from '../workflows/lead-conversion';
import { editOrderUpdate, shopOrderCancelledSignal, shopOrderChangedSignal, type OrderPolicy } from '../workflows/order-api';
import { orderFulfilment } from '../workflows/order-fulfilment';

/**
 * Which workflow an inbox event goes to, and how. Workflow ids come from business keys, so every event about the
 * same contact or order reaches the same workflow and a redelivered webhook can never start a second one.
 */

export interface RouteContext {
  taskQueue: string;
  leadPolicy: LeadPolicy;
  orderPolicy: OrderPolicy;
}

interface Start {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  searchAttributes: SearchAttributePair[];
  summary: string;
  reusePolicy: WorkflowIdReusePolicy;
}

/** Signal the running flow, starting it first when there is none. */
export interface SignalPlan extends Start { kind: 'signal'; signal: string; signalArgs: unknown[] }
/**
 * Update-with-start: the running flow gets the update (its validator may refuse), else a new flow starts with it.
 * The update id comes from the inbox event, so a retried hand-over attaches to the first update instead of running
 * the edit again.
 */
export interface UpdatePlan extends Start { kind: 'update'; update: string; updateArgs: unknown[]; updateId: string }
export type DispatchPlan = SignalPlan | UpdatePlan;

const LEAD_TOPICS = new Set(['contact.creation', 'contact.propertyChange', 'contact.restore']);

export const leadWorkflowId = (contactId: string) => `lead-hubspot-${contactId}`;
export const orderWorkflowId = (shopOrderId: string) => `order-shopify-${shopOrderId}`;
/** One inbox event, one update id (Temporal deduplicates updates by id within a run). */
export const inboxUpdateId = (row: Pick<InboxRow, 'provider' | 'eventId'>) => `inbox-${row.provider}-${row.eventId}`;

const attributes = (businessKey: string, flow: string, source: string): SearchAttributePair[] => [
  { key: BusinessKey, value: businessKey },
  { key: Flow, value: flow },
  { key: SourceSystem, value: source },
  { key: FlowState, value: 'running' },
];

export function planDispatch(row: InboxRow, ctx: RouteContext): DispatchPlan | undefined {
  const id = row.businessKey.split(':')[2]!;
  const event = { eventId: row.eventId, topic: row.topic };
  if (row.provider === 'hubspot' && LEAD_TOPICS.has(row.topic)) {
    return {
      kind: 'signal',
      workflowType: leadConversion.name,
      workflowId: leadWorkflowId(id),
      taskQueue: ctx.taskQueue,
      args: [{ contactId: id, policy: ctx.leadPolicy }],
      signal: contactChangedSignal.name,
      signalArgs: [event],
      searchAttributes: attributes(row.businessKey, 'lead', 'hubspot'),
      summary: `Lead: HubSpot contact ${id} → ERP customer`,
      // A contact may qualify later: a finished conversion can run again (it is idempotent).
      reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    };
  }
  if (row.provider === 'shopify') {
    const name = (row.payload as { name?: unknown }).name;
    const start: Start = {
      workflowType: orderFulfilment.name,
      workflowId: orderWorkflowId(id),
      taskQueue: ctx.taskQueue,
      args: [{ shopOrderId: id, policy: ctx.orderPolicy }],
      searchAttributes: attributes(row.businessKey, 'order', 'shopify'),
      summary: `Order ${typeof name === 'string' ? `${name} ` : ''}(Shopify ${id}) → ERP sales order, stock, payment, invoice`,
      // One order, one flow, ever: a late redelivery after completion must not start it again.
      reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    };
    switch (row.topic) {
      case 'orders/create':
      case 'orders/paid':
        return { ...start, kind: 'signal', signal: shopOrderChangedSignal.name, signalArgs: [event] };
      case 'orders/cancelled':
        return { ...start, kind: 'signal', signal: shopOrderCancelledSignal.name, signalArgs: [event] };
      case 'orders/updated':
        return { ...start, kind: 'update', update: editOrderUpdate.name, updateArgs: [event], updateId: inboxUpdateId(row) };
    }
  }
  return undefined;
}

/** Rows no flow takes: `unrouted` for topics we subscribe to (a release may add their flow), else `ignored`. */
export interface Undeliverable { row: InboxRow; status: 'unrouted' | 'ignored'; reason: string }
export interface BatchPlan { work: Array<{ plan: DispatchPlan; rows: InboxRow[] }>; undeliverable: Undeliverable[] }

/**
 * Plans a claimed batch (rows oldest first). Consecutive signals of one kind to one flow (a contact's creation and
 * its property changes arrive together) make one hand-over: the flow re-reads the source anyway, so the latest
 * event stands for all. Updates are never merged.
 */
export function planBatch(rows: InboxRow[], ctx: RouteContext): BatchPlan {
  const batch: BatchPlan = { work: [], undeliverable: [] };
  for (const row of rows) {
    const plan = planDispatch(row, ctx);
    if (!plan) {
      const handled = isHandledTopic(row.provider, row.topic);
      batch.undeliverable.push({ row, status: handled ? 'unrouted' : 'ignored', reason: handled ? 'no flow handles this topic yet' : 'we do not subscribe to this topic' });
      continue;
    }
    const previous = batch.work[batch.work.length - 1];
    if (previous && previous.plan.workflowId === plan.workflowId && previous.plan.kind === 'signal' && plan.kind === 'signal' && previous.plan.signal === plan.signal) {
      previous.plan = plan;
      previous.rows.push(row);
    } else {
      batch.work.push({ plan, rows: [row] });
    }
  }
  return batch;
}

import { WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import type { Connection } from '../connections/connection';
import { connectionLabel, connectorOf } from '../connectors/registry';
import type { LeadPolicy } from '../domain/lead';
import { BusinessKey, Flow, FlowState, SourceSystem } from '../domain/search-attributes';
import type { InboxRow } from '../engine/inbox';
import type { EchoOf } from '../engine/write-echo';
import type { EventKind } from '../ports/webhooks';
import { UNANNOUNCED_ORDER_TOPICS } from '../workflows/catchup/api';
import { contactChangedSignal, LEAD_WORKFLOW, leadWorkflowId } from '../workflows/lead/api';
import {
  DEFAULT_PAYMENT_POLICY, PAYMENT_WORKFLOW, paymentBusinessKey, paymentEventSignal, paymentWorkflowId, type PaymentPolicy,
} from '../workflows/payment/api';
import { PAYOUT_WORKFLOW, payoutBusinessKey, payoutEventSignal, payoutWorkflowId } from '../workflows/payout/api';
import {
  editOrderUpdate, ORDER_WORKFLOW, orderWorkflowId, shopOrderCancelledSignal, shopOrderChangedSignal, type OrderPolicy,
} from '../workflows/order/api';

/**
 * Which workflow an inbox event goes to, and how. The event's connection says its role (shop, CRM, payments) and
 * its connector what the event means; workflow ids come from business keys, so every event about the same
 * contact or order reaches the same workflow and a redelivered webhook can never start a second one.
 */

export interface RouteContext {
  taskQueue: string;
  leadPolicy: LeadPolicy;
  orderPolicy: OrderPolicy;
  /** How payment flows wait for their order and when they end (default DEFAULT_PAYMENT_POLICY). */
  paymentPolicy?: PaymentPolicy;
  /** The connections this relay serves, by id (the inbox row's `provider`). */
  connections: ReadonlyMap<string, Connection>;
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
export interface UpdatePlan extends Start {
  kind: 'update'; update: string; updateArgs: unknown[]; updateId: string;
  /** A shop order update showing marks of our own writes: maybe only their announcement (engine/write-echo.ts). */
  echoOf?: EchoOf;
}
export type DispatchPlan = SignalPlan | UpdatePlan;

/** One inbox event, one update id (Temporal deduplicates updates by id within a run). */
export const inboxUpdateId = (row: Pick<InboxRow, 'provider' | 'eventId'>) => `inbox-${row.provider}-${row.eventId}`;

const attributes = (businessKey: string, flow: string, source: string): SearchAttributePair[] => [
  { key: BusinessKey, value: businessKey },
  { key: Flow, value: flow },
  { key: SourceSystem, value: source },
  { key: FlowState, value: 'running' },
];

/** The engine's own order events: changes the order catch-up found that no webhook announced. */
const UNANNOUNCED_KINDS: Readonly<Record<string, EventKind>> = {
  [UNANNOUNCED_ORDER_TOPICS.changed]: 'order-updated',
  [UNANNOUNCED_ORDER_TOPICS.cancelled]: 'order-cancelled',
};

/** What the event means to the engine, by its connection's connector (or the catch-up's); null for a topic no flow takes. */
export function kindOf(row: Pick<InboxRow, 'provider' | 'topic' | 'payload'>, ctx: Pick<RouteContext, 'connections'>): EventKind | null {
  const connection = ctx.connections.get(row.provider);
  if (!connection) return null;
  if (connection.role === 'shop' && Object.hasOwn(UNANNOUNCED_KINDS, row.topic)) return UNANNOUNCED_KINDS[row.topic]!;
  return connectorOf(connection.vendor).webhooks.kindOf(row.topic, row.payload);
}

export function planDispatch(row: InboxRow, ctx: RouteContext): DispatchPlan | undefined {
  const connection = ctx.connections.get(row.provider);
  const kind = kindOf(row, ctx);
  if (!connection || !kind) return undefined;
  const id = row.businessKey.split(':')[2]!;
  const event = { eventId: row.eventId, topic: row.topic };
  if (connection.role === 'crm' && kind === 'contact-changed') {
    return {
      kind: 'signal',
      workflowType: LEAD_WORKFLOW,
      workflowId: leadWorkflowId(connection.id, id),
      taskQueue: ctx.taskQueue,
      args: [{ crm: connection.id, contactId: id, policy: ctx.leadPolicy }],
      signal: contactChangedSignal.name,
      signalArgs: [event],
      searchAttributes: attributes(row.businessKey, 'lead', connection.id),
      summary: `Lead: ${connectionLabel(connection)} contact ${id} → ERP customer`,
      // A contact may qualify later: a finished conversion can run again (it is idempotent).
      reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    };
  }
  if (connection.role === 'payments' && (kind === 'payment-changed' || kind === 'refund-changed' || kind === 'dispute-changed')) {
    // Events about a charge, refund or dispute go to the flow of the payment they concern.
    const paymentId = connectorOf(connection.vendor).webhooks.subjectOf?.(row.topic, row.payload);
    if (!paymentId) return undefined;
    return {
      kind: 'signal',
      ...paymentFlowStart(connection, paymentId, ctx),
      signal: paymentEventSignal.name,
      signalArgs: [event],
    };
  }
  if (connection.role === 'payments' && kind === 'payout-changed') {
    // The event's object is the payout: one flow per payout records it and has it reconciled.
    return {
      kind: 'signal',
      workflowType: PAYOUT_WORKFLOW,
      workflowId: payoutWorkflowId(connection.id, id),
      taskQueue: ctx.taskQueue,
      args: [{ payments: connection.id, payoutId: id }],
      signal: payoutEventSignal.name,
      signalArgs: [event],
      searchAttributes: attributes(payoutBusinessKey(connection.id, id), 'payout', connection.id),
      summary: `Payout: ${connectionLabel(connection)} ${id} → ERP payout, reconciliation`,
      // A payout may fail days after it was paid: a finished flow starts again for it (it is idempotent).
      reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    };
  }
  if (connection.role === 'shop') {
    const name = (row.payload as { name?: unknown; number?: unknown }).name ?? (row.payload as { number?: unknown }).number;
    const start: Start = {
      workflowType: ORDER_WORKFLOW,
      workflowId: orderWorkflowId(connection.id, id),
      taskQueue: ctx.taskQueue,
      args: [{ shop: connection.id, shopOrderId: id, policy: ctx.orderPolicy }],
      searchAttributes: attributes(row.businessKey, 'order', connection.id),
      summary: `Order ${typeof name === 'string' || typeof name === 'number' ? `${name} ` : ''}(${connectionLabel(connection)} ${id}) → ERP sales order, stock, payment, invoice`,
      // One order, one flow, ever: a late redelivery after completion must not start it again.
      reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    };
    switch (kind) {
      case 'order-created':
      case 'order-paid':
        return { ...start, kind: 'signal', signal: shopOrderChangedSignal.name, signalArgs: [event] };
      case 'order-cancelled':
        return { ...start, kind: 'signal', signal: shopOrderCancelledSignal.name, signalArgs: [event] };
      case 'order-updated': {
        const marks = connectorOf(connection.vendor).webhooks.echoMarks?.(row.topic, row.payload) ?? [];
        const echoOf = marks.length > 0 ? { shop: connection.id, shopOrderId: id, marks } : undefined;
        return { ...start, kind: 'update', update: editOrderUpdate.name, updateArgs: [event], updateId: inboxUpdateId(row), ...(echoOf ? { echoOf } : {}) };
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** How a payment's flow starts: from a provider event here, or from a reconciliation that found the payment missing. */
export function paymentFlowStart(connection: Connection, paymentId: string, ctx: Pick<RouteContext, 'taskQueue' | 'paymentPolicy'>) {
  return {
    workflowType: PAYMENT_WORKFLOW,
    workflowId: paymentWorkflowId(connection.id, paymentId),
    taskQueue: ctx.taskQueue,
    args: [{ payments: connection.id, paymentId, policy: ctx.paymentPolicy ?? DEFAULT_PAYMENT_POLICY }],
    searchAttributes: attributes(paymentBusinessKey(connection.id, paymentId), 'payment', connection.id),
    summary: `Payment: ${connectionLabel(connection)} ${paymentId} → ERP settlement, order, refunds, disputes`,
    // A flow that ended idle starts again for a later event (a refund or dispute months on): it is idempotent.
    reusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  };
}

/** Rows no flow takes: `unrouted` for topics we subscribe to (a release may add their flow), else `ignored`. */
export interface Undeliverable { row: InboxRow; status: 'unrouted' | 'ignored'; reason: string }
export interface BatchPlan { work: Array<{ plan: DispatchPlan; rows: InboxRow[] }>; undeliverable: Undeliverable[] }

/**
 * Plans a claimed batch (rows oldest first). Signals of one kind to one flow with nothing else for that flow between
 * them (a contact's creation and its property changes; a payment's `charge.succeeded` and
 * `payment_intent.succeeded`, between which other flows' events may come) make one hand-over: the flow re-reads the
 * source anyway, so the latest event stands for all. Updates are never merged, and nothing moves past one.
 */
export function planBatch(rows: InboxRow[], ctx: RouteContext): BatchPlan {
  const batch: BatchPlan = { work: [], undeliverable: [] };
  const lastOf = new Map<string, { plan: DispatchPlan; rows: InboxRow[] }>();
  for (const row of rows) {
    const plan = planDispatch(row, ctx);
    if (!plan) {
      const handled = kindOf(row, ctx) !== null;
      batch.undeliverable.push({ row, status: handled ? 'unrouted' : 'ignored', reason: handled ? 'no flow handles this topic yet' : 'we do not subscribe to this topic' });
      continue;
    }
    const previous = lastOf.get(plan.workflowId);
    if (previous && previous.plan.kind === 'signal' && plan.kind === 'signal' && previous.plan.signal === plan.signal) {
      previous.plan = plan;
      previous.rows.push(row);
    } else {
      const work = { plan, rows: [row] };
      batch.work.push(work);
      lastOf.set(plan.workflowId, work);
    }
  }
  return batch;
}

import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { TypedSearchAttributes, WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import type { Pool } from 'pg';
import type { Connection } from '../../connections/connection';
import { connectionLabel } from '../../connectors/registry';
import type { LeadPolicy } from '../../domain/lead';
import { BusinessKey, Flow, FlowState, SourceSystem } from '../../domain/search-attributes';
import { healableDiscrepancies, markHealed, type HealableDiscrepancy } from '../../erp/audit/run';
import { inTransaction } from '../../db/transaction';
import { markDirty } from '../../erp/inventory/outbox';
import { rememberShopLevels } from '../../erp/inventory/shop-levels';
import { paymentFlowStart } from '../../relay/routes';
import { INVENTORY_CHANNEL } from '../../workers/inventory-sync';
import { contactChangedSignal, LEAD_WORKFLOW, leadBusinessKey, leadWorkflowId } from '../../workflows/lead/api';
import { ORDER_WORKFLOW, orderBusinessKey, orderWorkflowId, shopOrderChangedSignal, type OrderPolicy } from '../../workflows/order/api';
import { paymentEventSignal, type PaymentPolicy } from '../../workflows/payment/api';

/**
 * Heals what an audit run found and the engine may safely do by itself, always through the flow that owns the
 * record, under its business-key workflow id, as a webhook would have (signal-with-start: a running flow is only
 * woken, never doubled): a shop order missing in the ERP gets its order flow (which never starts again once it
 * ended, as the relay starts it); a provider payment missing in the ERP gets its payment flow (as the reconciliation
 * heals it); a contact whose binding or ERP number is off gets its lead flow again (idempotent: it binds the contact
 * and writes the number back); a shop quantity that differs is pushed again by the inventory sync.
 */

const attributes = (businessKey: string, flow: string, source: string): SearchAttributePair[] => [
  { key: BusinessKey, value: businessKey }, { key: Flow, value: flow }, { key: SourceSystem, value: source }, { key: FlowState, value: 'running' },
];

/** The record id in a business key `<connection>:<type>:<id>` (ids may hold colons). */
const recordIdOf = (subject: string) => subject.split(':').slice(2).join(':');

export interface AuditHealDeps {
  pool: Pool;
  client: Client;
  connections: readonly Connection[];
  taskQueue: string;
  paymentPolicy: PaymentPolicy;
}

export function createAuditHealActivities(deps: AuditHealDeps) {
  const connectionOf = (id: string) => {
    const connection = deps.connections.find((c) => c.id === id);
    if (!connection) throw new Error(`no connection "${id}" on this worker`);
    return connection;
  };
  const event = (runId: number, topic: string) => ({ eventId: `audit-${runId}`, topic });

  /** Starts or wakes the flow that heals one discrepancy; false when that cannot be done safely (its flow has ended for good). */
  async function healOne(d: HealableDiscrepancy, runId: number, policies: { leadPolicy: LeadPolicy; orderPolicy: OrderPolicy }): Promise<boolean> {
    const id = recordIdOf(d.subject);
    const connection = connectionOf(d.connection);
    switch (d.heal) {
      case 'start-order-flow':
        try {
          await deps.client.workflow.signalWithStart(ORDER_WORKFLOW, {
            workflowId: orderWorkflowId(connection.id, id), taskQueue: deps.taskQueue,
            args: [{ shop: connection.id, shopOrderId: id, policy: policies.orderPolicy }],
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            typedSearchAttributes: new TypedSearchAttributes(attributes(orderBusinessKey(connection.id, id), 'order', connection.id)),
            staticSummary: `Order (${connectionLabel(connection)} ${id}) → ERP sales order, stock, payment, invoice (found by the audit)`,
            signal: shopOrderChangedSignal, signalArgs: [event(runId, 'audit.order_missing_in_erp')],
          });
          return true;
        } catch (err) {
          // Its flow ended (e.g. undone): one order, one flow, ever. A person decides.
          if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
          throw err;
        }
      case 'start-payment-flow': {
        const start = paymentFlowStart(connection, id, deps);
        await deps.client.workflow.signalWithStart(start.workflowType, {
          workflowId: start.workflowId, taskQueue: start.taskQueue, args: start.args, workflowIdReusePolicy: start.reusePolicy,
          typedSearchAttributes: new TypedSearchAttributes(start.searchAttributes), staticSummary: start.summary,
          signal: paymentEventSignal, signalArgs: [event(runId, 'audit.payment_missing_in_erp')],
        });
        return true;
      }
      case 'restart-lead-flow':
        await deps.client.workflow.signalWithStart(LEAD_WORKFLOW, {
          workflowId: leadWorkflowId(connection.id, id), taskQueue: deps.taskQueue,
          args: [{ crm: connection.id, contactId: id, policy: policies.leadPolicy }],
          // As the relay: a finished conversion may run again, it is idempotent.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          typedSearchAttributes: new TypedSearchAttributes(attributes(leadBusinessKey(connection.id, id), 'lead', connection.id)),
          staticSummary: `Lead: ${connectionLabel(connection)} contact ${id} → ERP customer (found by the audit)`,
          signal: contactChangedSignal, signalArgs: [event(runId, 'audit.customer_differs')],
        });
        return true;
      case 'repush-stock': {
        // The sync pushes only what differs from what it believes the shop holds: it learns what the audit read
        // there (the shop's truth), and its compare-and-set push then sets the ERP's value over exactly that.
        const seen = d.vendor as { available: number; location: string | null } | null;
        if (!seen?.location) return false;
        await inTransaction(deps.pool, async (tx) => {
          await rememberShopLevels(tx, connection.id, seen.location!, [{ sku: id, quantity: seen.available }]);
          await markDirty(tx, connection.id, [id]);
        });
        return true;
      }
      default:
        return false;
    }
  }

  return {
    /** Heals the run's healable discrepancies not healed yet (a retry goes on where the last attempt stopped); returns how many it healed. */
    async healDiscrepancies(runId: number, policies: { leadPolicy: LeadPolicy; orderPolicy: OrderPolicy }): Promise<number> {
      let healed = 0;
      let stock = false;
      for (const d of await healableDiscrepancies(deps.pool, runId)) {
        if (!(await healOne(d, runId, policies))) continue;
        await markHealed(deps.pool, [d.id]);
        stock ||= d.heal === 'repush-stock';
        healed++;
      }
      // Wakes the inventory syncs at once instead of at their next poll.
      if (stock) await deps.pool.query('SELECT pg_notify($1, $2)', [INVENTORY_CHANNEL, '']);
      return healed;
    },
  };
}

export type AuditHealActivities = ReturnType<typeof createAuditHealActivities>;

import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Pool } from 'pg';
import type { Connection } from '../../connections/connection';
import { paymentsMissingInErp } from '../../erp/reconciliation-healing';
import type { PaymentsPort } from '../../ports/payments';
import { paymentFlowStart } from '../../relay/routes';
import { paymentEventSignal, type PaymentPolicy } from '../../workflows/payment/api';
import { portOf } from '../shared/ports';
import { callVendor } from '../shared/vendor-errors';

/**
 * Heals what a reconciliation run can heal safely: a payment the provider settled and the ERP never booked gets
 * its payment flow (signal-with-start, as its webhook would have done), which books it and finds its order.
 */
export function createReconciliationFlowActivities(deps: {
  pool: Pool; client: Client; payments: ReadonlyMap<string, PaymentsPort>; connections: readonly Connection[]; taskQueue: string; paymentPolicy: PaymentPolicy;
}) {
  return {
    /** Starts (or wakes) the payment flow of every payment missing in the ERP; returns how many. */
    async healMissingPayments(runId: number, payments: string): Promise<number> {
      const connection = deps.connections.find((c) => c.id === payments);
      if (!connection) throw new Error(`no payments connection "${payments}"`);
      const port = portOf(deps.payments, payments, 'payments');
      let healed = 0;
      for (const chargeId of await paymentsMissingInErp(deps.pool, runId)) {
        const paymentId = (await callVendor(() => port.getCharge(chargeId), { notFound: null }))?.paymentId;
        if (!paymentId) continue;
        const start = paymentFlowStart(connection, paymentId, deps);
        await deps.client.workflow.signalWithStart(start.workflowType, {
          workflowId: start.workflowId, taskQueue: start.taskQueue, args: start.args, workflowIdReusePolicy: start.reusePolicy,
          typedSearchAttributes: new TypedSearchAttributes(start.searchAttributes), staticSummary: start.summary,
          signal: paymentEventSignal, signalArgs: [{ eventId: `reconciliation-${runId}`, topic: 'reconciliation.missing_in_erp' }],
        });
        healed++;
      }
      return healed;
    },
  };
}

export type ReconciliationFlowActivities = ReturnType<typeof createReconciliationFlowActivities>;

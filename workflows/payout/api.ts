import { defineSignal } from '@temporalio/workflow';
import type { PaymentEvent } from '../payment/api';

/** The payout flow's messages, ids, business key and steps, defined once for the workflow, the relay and our tools. */

export const PAYOUT_WORKFLOW = 'payoutSettlement';

export const payoutWorkflowId = (payments: string, payoutId: string) => `payout-${payments}-${payoutId}`;
export const payoutBusinessKey = (payments: string, payoutId: string) => `${payments}:payout:${payoutId}`;

export const PAYOUT_STEPS = {
  readPayout: 'read-payout',
  recordPayout: 'record-payout',
  triggerReconciliation: 'trigger-reconciliation',
} as const;

export interface PayoutFlowInput {
  /** The payments connection (e.g. `stripe`). */
  payments: string;
  payoutId: string;
}

/**
 * `recorded`: the payout's last status is in the ERP; `reconciled` when a run had proved it by then, and
 * `reconciliationTriggered` how many runs this flow asked for.
 */
export type PayoutFlowResult =
  | { status: 'recorded'; payoutStatus: string; reconciled: boolean; reconciliationTriggered: number; events: number }
  | { status: 'not-found' }
  | { status: 'compensated'; reason: string; undone: string[] };

/** "Look at the payout again": the provider reported it paid, failed or reconciled. */
export const payoutEventSignal = defineSignal<[PaymentEvent]>('payoutEvent');

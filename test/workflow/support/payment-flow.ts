import type { WorkflowHandle } from '@temporalio/client';
import type { PaymentErpActivities } from '../../../activities/payment/erp';
import type { PaymentState } from '../../../activities/payment/provider';
import type { Dispute, Refund } from '../../../ports/payments';
import type { OrderMatch } from '../../../domain/payment-matching';
import type { PaymentOrder, PaymentPolicy } from '../../../workflows/payment/api';
import type { paymentSettlement } from '../../../workflows/payment/workflow';
import { FakeActivities, type Call } from './fake-activities';
import type { WorkflowTest } from './workflow-env';

/**
 * Starting and driving one payment flow in a test, over FakeActivities (its issue log and call recording) with the
 * payment flow's own activities added: a provider whose payment state the test edits, and an ERP that finds the
 * order the test names.
 */

export type PaymentHandle = WorkflowHandle<typeof paymentSettlement>;
export type PaymentActivityName = keyof PaymentErpActivities | 'readPaymentState' | 'recordIssue' | 'closeIssue';

export const ORDER: PaymentOrder = { salesOrderId: 42, orderNumber: 'SO-42', status: 'fulfilled', amountMinor: 2500, currency: 'USD', shop: null, shopOrderId: null };

export const refund = (id: string, amountMinor: number): Refund => ({ id, paymentId: 'pi_1', amountMinor, currency: 'USD', status: 'succeeded', origin: 'external' });
export const dispute = (status: Dispute['status']): Dispute =>
  ({ id: 'dp_1', paymentId: 'pi_1', amountMinor: 2500, feeMinor: 1500, currency: 'USD', status, reason: 'fraudulent', openedAt: '2026-01-01T00:00:00.000Z' });

/** A captured, settled payment of 2500 USD with no refund or dispute, unless the test adds them. */
export function paymentState(): PaymentState {
  return {
    payment: { id: 'pi_1', status: 'captured', amountMinor: 2500, capturableMinor: 0, receivedMinor: 2500, currency: 'USD', chargeId: 'ch_1', orderReference: null },
    charge: { id: 'ch_1', paymentId: 'pi_1', capturedMinor: 2500, refundedMinor: 0, currency: 'USD', feeMinor: 100, netMinor: 2400, balanceTransactionId: 'txn_1' },
    refunds: [],
    disputes: [],
  };
}

export class PaymentFakes {
  readonly fakes = new FakeActivities();
  /** What the provider reports now. */
  state = paymentState();
  /** What the ERP's order search finds now. */
  match: OrderMatch<PaymentOrder> = { kind: 'found', order: ORDER };

  constructor() {
    const ok = { ok: true };
    Object.assign(this.fakes.impl, {
      readPaymentState: () => structuredClone(this.state),
      recordSettlement: () => undefined,
      findPaymentOrder: () => structuredClone(this.match),
      applyPaymentToOrder: () => true,
      recordPaymentRefund: () => ok,
      recordPaymentDispute: () => ok,
      recordFailedPayment: () => undefined,
    });
  }

  callsOf(name: PaymentActivityName): Call[] {
    return this.fakes.callsOf(name as Parameters<FakeActivities['callsOf']>[0]);
  }

  called(name: PaymentActivityName, count = 1): Promise<Call[]> {
    return this.fakes.called(name as Parameters<FakeActivities['called']>[0], count);
  }

  get issues() {
    return this.fakes.world.issues;
  }
}

export const testPaymentPolicy = (over: Partial<PaymentPolicy> = {}): PaymentPolicy =>
  ({ orderWaitSeconds: 3600, orderPollSeconds: 60, idleSeconds: 86_400, matchWindowSeconds: 3600, ...over });

export function startPayment({ client, taskQueue }: WorkflowTest, policy: Partial<PaymentPolicy> = {}): Promise<PaymentHandle> {
  return client.workflow.start<typeof paymentSettlement>('paymentSettlement', {
    taskQueue, workflowId: `payment-${taskQueue}`, args: [{ payments: 'stripe', paymentId: 'pi_1', policy: testPaymentPolicy(policy) }],
  });
}

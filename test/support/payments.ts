import { randomUUID } from 'node:crypto';
import { progressQuery } from '../../workflows/shared/operator-api';
import { paymentWorkflowId } from '../../workflows/payment/api';
import { eventually, type Harness } from './harness';
import { stripeClient } from './orders';

/** What the payment-flow tests share: payments made at the provider, the flow's state, the ERP's bookings, a flow's signals. */

export const paymentFlowId = (paymentId: string) => paymentWorkflowId('stripe', paymentId);

/** A card payment captured at once, optionally naming the shop order (as a storefront's metadata does). */
export async function capturedPayment(h: Harness, amountMinor: number, currency: string, shopOrderId?: string): Promise<string> {
  const intent = await stripeClient(h).createPaymentIntent({
    amountMinor, currency, captureMethod: 'automatic', paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: randomUUID(),
    ...(shopOrderId ? { metadata: { shop_order_id: shopOrderId } } : {}),
  });
  return intent.id;
}

/** Waits until a payment flow reports `state`. */
export async function paymentFlowState(h: Harness, paymentId: string, state: string): Promise<void> {
  await eventually(`payment flow of ${paymentId} in state ${state}`, async () => {
    const progress = await h.client.workflow.getHandle(paymentFlowId(paymentId)).query(progressQuery).catch(() => undefined);
    return progress?.state === state ? true : undefined;
  });
}

export async function erpPayments(h: Harness, paymentId: string) {
  const { rows } = await h.pool.query(
    `SELECT status, sales_order_id, currency, amount_minor::int AS amount, fee_minor::int AS fee, net_minor::int AS net, provider_charge_id
       FROM erp.payment WHERE provider = 'stripe' AND provider_payment_id = $1`, [paymentId]);
  return rows;
}

/** The charge's fee as the provider booked it. */
export async function providerFee(h: Harness, paymentId: string): Promise<number> {
  const intent = await stripeClient(h).retrievePaymentIntent(paymentId);
  return (await stripeClient(h).retrieveCharge(intent.latestChargeId!)).feeMinor!;
}

/** Waits until the workflow has received signal `name` (it is in its history). */
export async function signalled(h: Harness, workflowId: string, name: string): Promise<void> {
  await eventually(`${workflowId} signalled ${name}`, async () => {
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    return history.events?.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name) ? true : undefined;
  });
}

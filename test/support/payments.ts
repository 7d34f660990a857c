import { randomUUID } from 'node:crypto';
import { progressQuery } from '../../workflows/shared/operator-api';
import { paymentWorkflowId } from '../../workflows/payment/api';
import { payoutWorkflowId, type PayoutFlowResult } from '../../workflows/payout/api';
import { eventually, type Harness } from './harness';
import { stripeClient } from './orders';
import { simPost } from './sim-control';

/** What the payment-flow tests share: payments and payouts made at the provider, the flows' states, the ERP's bookings, a flow's signals. */

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

/** The ERP refunds of a payment, with their credit notes. */
export async function erpRefunds(h: Harness, paymentId: string) {
  const { rows } = await h.pool.query(
    `SELECT r.provider_refund_id AS id, r.amount_minor::int AS amount, r.status, r.origin, count(cn.id)::int AS credit_notes,
            COALESCE(sum(cn.amount_minor) FILTER (WHERE cn.voided_at IS NULL), 0)::int AS credited
       FROM erp.refund r JOIN erp.payment p ON p.id = r.payment_id LEFT JOIN erp.credit_note cn ON cn.refund_id = r.id
      WHERE p.provider = 'stripe' AND p.provider_payment_id = $1 GROUP BY r.id ORDER BY r.id`, [paymentId]);
  return rows;
}

/** Waits until the relay has handed every Stripe event over (none pending): what the flows hear next, they have heard. */
export async function stripeEventsHandedOver(h: Harness): Promise<void> {
  await eventually('every Stripe event handed over', async () => {
    const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM integration.webhook_inbox WHERE provider = 'stripe' AND status = 'pending'`);
    return rows[0].n === 0 ? true : undefined;
  });
}

/** How often the payment flow ran `step` (its progress query). */
export async function stepRuns(h: Harness, paymentId: string, step: string): Promise<number> {
  const progress = await h.client.workflow.getHandle(paymentFlowId(paymentId)).query(progressQuery);
  return progress.stepsDone.filter((s) => s === step).length;
}

export const payoutFlowId = (payoutId: string) => payoutWorkflowId('stripe', payoutId);

/** The day's automatic payout of the whole balance in `currency`, run now (it is paid at once, then reconciled by Stripe). */
export const automaticPayout = (h: Harness, currency: string) => simPost(h.stripe.url, 'payouts', { currency }) as Promise<{ id: string; amount: number }>;

/** Waits until the ERP has the payout reconciled; returns it with its lines. */
export async function reconciledPayout(h: Harness, payoutId: string) {
  const payout = await eventually(`payout ${payoutId} reconciled in the ERP`, async () => {
    const { rows } = await h.pool.query(
      `SELECT id, amount_minor::int AS amount, status, reconciled_at FROM erp.payout WHERE provider = 'stripe' AND provider_payout_id = $1`, [payoutId]);
    return rows[0]?.reconciled_at ? rows[0] : undefined;
  });
  const lines = (await h.pool.query(
    `SELECT kind, payment_id, refund_id, dispute_id, amount_minor::int AS net, gross_minor::int AS gross, fee_minor::int AS fee
       FROM erp.payout_line WHERE payout_id = $1 ORDER BY kind, provider_balance_txn_id`, [payout.id])).rows;
  return { ...payout, lines };
}

/** The payout flow's result (it ends once it has no event left to handle). */
export const payoutFlowResult = (h: Harness, payoutId: string): Promise<PayoutFlowResult> =>
  eventually(`payout flow of ${payoutId}`, () => h.client.workflow.getHandle(payoutFlowId(payoutId)).result());

/**
 * Waits until every run the reconciliation schedule started has completed and none is going or buffered. (Each run
 * of these tests records a run row: with no settle time, a window always ends after the previous one.)
 */
export async function reconciliationQuiet(h: Harness): Promise<number> {
  const schedule = h.client.schedule.getHandle(`reconciliation-${h.taskQueue}`);
  return eventually('the reconciliation schedule quiet', async () => {
    const { info, raw } = await schedule.describe();
    const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM integration.reconciliation_run WHERE status = 'completed'`);
    const quiet = info.runningActions.length === 0 && Number(raw.info?.bufferSize ?? 0) === 0 && rows[0].n === info.numActionsTaken;
    return quiet ? rows[0].n as number : undefined;
  });
}

import type { Pool } from 'pg';
import { postInvoice, recordPayment } from '../../erp/billing';
import { recordDispute } from '../../erp/payments/disputes';
import { CurrencyMismatchError, RefundExceedsPaymentError, UnknownPaymentError } from '../../erp/payments/errors';
import { recordPaymentOutcome, recordPaymentSettlement } from '../../erp/payments/payments';
import { recordPayout } from '../../erp/payments/payouts';
import { recordRefund, type RefundRecord } from '../../erp/payments/refunds';
import { startDatabase } from '../support/database';

/** The ERP's payment records against real PostgreSQL: every provider id lands once, refunds never overdraw a payment. */

let db: Awaited<ReturnType<typeof startDatabase>>;
let pool: Pool;
beforeAll(async () => {
  db = await startDatabase();
  pool = db.pool;
});
afterAll(async () => db?.close());

let seq = 0;
/** A sales order of `totalMinor`, paid by one captured payment and invoiced, as the order flow leaves it. */
async function paidOrder(totalMinor: number, currency: string): Promise<{ paymentId: string; invoiceId: number }> {
  const n = ++seq;
  const customer = (await pool.query(`INSERT INTO erp.customer (display_name, email) VALUES ('Buyer', $1) RETURNING id`, [`buyer${n}@example.com`])).rows[0].id;
  const order = (await pool.query(
    `INSERT INTO erp.sales_order (customer_id, status, currency, subtotal_minor, total_minor) VALUES ($1, 'paid', $2, $3, $3) RETURNING id`,
    [customer, currency, totalMinor],
  )).rows[0].id;
  const paymentId = `pi_records_${n}`;
  await recordPayment(pool, { provider: 'stripe', providerPaymentId: paymentId, salesOrderId: order, status: 'captured', currency, amountMinor: totalMinor, feeMinor: 0 });
  const invoice = await postInvoice(pool, order);
  return { paymentId, invoiceId: invoice.invoiceId };
}

const refund = (paymentId: string, id: string, amountMinor: number, over: Partial<RefundRecord> = {}): RefundRecord => ({
  provider: 'stripe', providerRefundId: id, providerPaymentId: paymentId, amountMinor, currency: 'USD', status: 'succeeded',
  origin: 'engine', refundedAt: '2026-11-02T10:00:00.000Z', ...over,
});
const invoiceOf = async (id: number) =>
  (await pool.query('SELECT status, paid_minor::int AS paid, refunded_minor::int AS refunded FROM erp.invoice WHERE id = $1', [id])).rows[0];
const paymentRow = async (id: string) =>
  (await pool.query('SELECT id, status, amount_minor::int AS amount, fee_minor::int AS fee, net_minor::int AS net, provider_charge_id AS charge FROM erp.payment WHERE provider_payment_id = $1', [id])).rows[0];

test('a settlement completes the order\'s payment once: fee and net from the balance transaction, amount as booked', async () => {
  const { paymentId } = await paidOrder(10_000, 'USD');
  const settlement = { provider: 'stripe', providerPaymentId: paymentId, chargeId: 'ch_s1', balanceTransactionId: 'txn_s1', amountMinor: 10_000, feeMinor: 320, currency: 'USD', capturedAt: '2026-11-01T09:00:00.000Z' };
  const id = await recordPaymentSettlement(pool, settlement);
  expect(await recordPaymentSettlement(pool, settlement)).toBe(id);
  expect(await paymentRow(paymentId)).toMatchObject({ id, status: 'captured', amount: 10_000, fee: 320, net: 9_680, charge: 'ch_s1' });
  // A provider reporting another amount does not overwrite the ERP's booking: reconciliation reports it.
  await recordPaymentSettlement(pool, { ...settlement, amountMinor: 9_999 });
  expect(await paymentRow(paymentId)).toMatchObject({ amount: 10_000, net: 9_680 });
  // A zero-decimal payment unknown to any order is booked from the settlement alone.
  await recordPaymentSettlement(pool, { ...settlement, providerPaymentId: 'pi_yen', chargeId: 'ch_yen', balanceTransactionId: 'txn_yen', amountMinor: 1_000, feeMinor: 36, currency: 'JPY' });
  expect(await paymentRow('pi_yen')).toMatchObject({ amount: 1_000, fee: 36, net: 964 });
});

test('partial refunds add up exactly on the invoice; a refund larger than what remains is refused whole, even when two race', async () => {
  const { paymentId, invoiceId } = await paidOrder(10_000, 'USD');
  const first = await recordRefund(pool, refund(paymentId, 're_a', 3_000));
  expect(first).toMatchObject({ remainingMinor: 7_000, creditNoteId: expect.any(Number) });
  expect(await recordRefund(pool, refund(paymentId, 're_a', 3_000))).toEqual(first);
  expect(await invoiceOf(invoiceId)).toEqual({ status: 'partially_refunded', paid: 10_000, refunded: 3_000 });

  expect(await recordRefund(pool, refund(paymentId, 're_b', 6_999, { origin: 'external' }))).toMatchObject({ remainingMinor: 1 });
  const refused = await recordRefund(pool, refund(paymentId, 're_c', 2)).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(RefundExceedsPaymentError);
  expect(refused).toMatchObject({ providerRefundId: 're_c', amountMinor: 2, remainingMinor: 1, currency: 'USD' });
  expect((await pool.query(`SELECT count(*)::int AS n FROM erp.refund WHERE provider_refund_id = 're_c'`)).rows[0].n).toBe(0);

  // Two refunds of the last unit at once: the payment row is held, so exactly one lands.
  const race = await Promise.allSettled([recordRefund(pool, refund(paymentId, 're_d', 1)), recordRefund(pool, refund(paymentId, 're_e', 1))]);
  expect(race.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  expect((race.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(RefundExceedsPaymentError);
  expect(await invoiceOf(invoiceId)).toEqual({ status: 'refunded', paid: 10_000, refunded: 10_000 });
  expect(await paymentRow(paymentId)).toMatchObject({ status: 'refunded' });

  // The dashboard refund failed at the bank: its credit is voided and the money may be refunded again.
  expect(await recordRefund(pool, refund(paymentId, 're_b', 6_999, { origin: 'external', status: 'failed' }))).toMatchObject({ remainingMinor: 6_999 });
  expect(await invoiceOf(invoiceId)).toEqual({ status: 'partially_refunded', paid: 10_000, refunded: 3_001 });
  expect(await paymentRow(paymentId)).toMatchObject({ status: 'captured' });
  const notes = (await pool.query('SELECT count(*) FILTER (WHERE voided_at IS NULL)::int AS live, count(*)::int AS all FROM erp.credit_note WHERE invoice_id = $1', [invoiceId])).rows[0];
  expect(notes).toEqual({ live: 2, all: 3 });
});

test('refunds of an unknown payment or in another currency are refused with typed errors', async () => {
  const { paymentId } = await paidOrder(500, 'USD');
  await expect(recordRefund(pool, refund('pi_nowhere', 're_x', 1))).rejects.toBeInstanceOf(UnknownPaymentError);
  await expect(recordRefund(pool, refund(paymentId, 're_y', 1, { currency: 'EUR' }))).rejects.toBeInstanceOf(CurrencyMismatchError);
});

test('a dispute lands once in any order of its events, and never reopens', async () => {
  const { paymentId } = await paidOrder(8_000, 'USD');
  const dispute = { provider: 'stripe', providerDisputeId: 'dp_1', providerPaymentId: paymentId, amountMinor: 8_000, feeMinor: 1_500, currency: 'USD', openedAt: '2026-11-03T00:00:00.000Z' };
  // charge.dispute.closed delivered before charge.dispute.created.
  const id = await recordDispute(pool, { ...dispute, status: 'lost', closedAt: '2026-11-20T00:00:00.000Z' });
  expect(await recordDispute(pool, { ...dispute, status: 'open' })).toBe(id);
  const row = (await pool.query(`SELECT status, amount_minor::int AS amount, fee_minor::int AS fee, closed_at FROM erp.dispute WHERE id = $1`, [id])).rows[0];
  expect(row).toEqual({ status: 'lost', amount: 8_000, fee: 1_500, closed_at: new Date('2026-11-20T00:00:00.000Z') });
  await expect(recordDispute(pool, { ...dispute, providerDisputeId: 'dp_2', providerPaymentId: 'pi_none', status: 'open' })).rejects.toBeInstanceOf(UnknownPaymentError);
});

test('a failed payout stays failed whatever arrives later; its arrival date is the UTC date', async () => {
  const payout = { id: 'po_1', amountMinor: 9_680, currency: 'USD', status: 'paid' as const, arrivalAt: '2026-11-03T23:30:00.000Z', createdAt: '2026-11-01T00:00:00.000Z' };
  const id = await recordPayout(pool, 'stripe', payout);
  expect(await recordPayout(pool, 'stripe', { ...payout, status: 'failed', failureCode: 'account_closed' })).toBe(id);
  await recordPayout(pool, 'stripe', payout);
  const row = (await pool.query(`SELECT status, failure_code, to_char(arrival_date, 'YYYY-MM-DD') AS arrival FROM erp.payout WHERE id = $1`, [id])).rows[0];
  expect(row).toEqual({ status: 'failed', failure_code: 'account_closed', arrival: '2026-11-03' });
});

test('a failed payment is booked as failed; a late failure event never undoes a capture', async () => {
  await recordPaymentOutcome(pool, { provider: 'stripe', providerPaymentId: 'pi_declined', status: 'failed', amountMinor: 900, currency: 'USD' });
  expect(await paymentRow('pi_declined')).toMatchObject({ status: 'failed', amount: 900 });
  const { paymentId } = await paidOrder(1_200, 'USD');
  await recordPaymentOutcome(pool, { provider: 'stripe', providerPaymentId: paymentId, status: 'failed', amountMinor: 1_200, currency: 'USD' });
  expect(await paymentRow(paymentId)).toMatchObject({ status: 'captured' });
});

import type { Pool } from 'pg';
import { inTransaction } from '../../db/transaction';
import { PaymentBoundElsewhereError, postInvoice, recordPayment, voidInvoice } from '../../erp/billing';
import { upsertProductWithStock } from '../../erp/catalogue';
import { createSalesOrder, UnknownSkuError } from '../../erp/sales-orders';
import { reserveOrder } from '../../erp/stock';
import { useDatabase } from '../support/database';
import { shopOrder } from '../support/shop-order-fixture';

/** Creation, reservation, payment and invoicing of a sales order of several lines, against a real PostgreSQL. */

const db = useDatabase();
let pool: Pool;
let customerId: number;
const run = `${Date.now()}`;
const sku = (n: number) => `STOCK-${run}-${n}`;

beforeAll(async () => {
  pool = db.pool();
  await upsertProductWithStock(pool, { sku: sku(1), name: 'One', unitPriceMinor: 1000, currency: 'USD', onHand: 10 });
  await upsertProductWithStock(pool, { sku: sku(2), name: 'Two', unitPriceMinor: 250, currency: 'USD', onHand: 3 });
  customerId = (await pool.query(
    `INSERT INTO erp.customer (display_name, email) VALUES ('Stock Test', $1) RETURNING id`, [`stock-${run}@example.com`],
  )).rows[0].id as number;
});

const statusOf = async (salesOrderId: number) =>
  (await pool.query('SELECT status FROM erp.sales_order WHERE id = $1', [salesOrderId])).rows[0].status as string;
const stockOf = async (n: number) =>
  (await pool.query(`SELECT l.on_hand, l.reserved FROM erp.stock_level l JOIN erp.product p ON p.id = l.product_id WHERE p.sku = $1`, [sku(n)])).rows[0];

const THREE_LINES: Array<{ lineId: string; sku: string | null; title: string; quantity: number; unitPriceMinor: number }> = [
  { lineId: 'a', sku: sku(1), title: 'One', quantity: 2, unitPriceMinor: 1000 },
  { lineId: 'b', sku: sku(2), title: 'Two', quantity: 2, unitPriceMinor: 250 },
  { lineId: 'c', sku: sku(1), title: 'One again', quantity: 1, unitPriceMinor: 1000 },
];

/** An order of 2 + 1 of product 1 (two lines) and 2 of product 2 (by default): 3 lines, 2 products. */
async function salesOrder(id: string, lines: Array<{ lineId: string; sku: string | null; title: string; quantity: number; unitPriceMinor: number }> = THREE_LINES) {
  const totalMinor = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
  const order = shopOrder({ id, gid: `gid://shopify/Order/${id}`, totalMinor, subtotalMinor: totalMinor, lines });
  return inTransaction(pool, (tx) => createSalesOrder(tx, order, customerId, `order-shopify-${id}`));
}

const ordersCreatedBy = async (createdBy: string) =>
  (await pool.query('SELECT count(*)::int AS n FROM erp.sales_order WHERE created_by = $1', [createdBy])).rows[0].n as number;

test('an order naming unknown SKUs is refused with all of them, and leaves no sales order behind', async () => {
  const id = `${run}-unknown`;
  const lines = [...THREE_LINES, { lineId: 'd', sku: `NO-SUCH-${run}`, title: 'Ghost', quantity: 1, unitPriceMinor: 5 }, { lineId: 'e', sku: null, title: 'Gift wrap', quantity: 1, unitPriceMinor: 0 }];
  const refused = salesOrder(id, lines);
  await expect(refused).rejects.toBeInstanceOf(UnknownSkuError);
  await expect(refused).rejects.toMatchObject({ skus: [`NO-SUCH-${run}`, '(no SKU on line "Gift wrap")'] });
  expect(await ordersCreatedBy(`order-shopify-${id}`)).toBe(0);
  // Once the catalogue has both, the same order goes in whole.
  await upsertProductWithStock(pool, { sku: `NO-SUCH-${run}`, name: 'Ghost', unitPriceMinor: 5, currency: 'USD', onHand: 0 });
  const known = await salesOrder(id, lines.slice(0, 4));
  expect((await pool.query('SELECT count(*)::int AS n FROM erp.sales_order_line WHERE sales_order_id = $1', [known.salesOrderId])).rows[0].n).toBe(4);
  expect(await salesOrder(id, lines.slice(0, 4))).toEqual({ ...known, created: false });
  expect(await ordersCreatedBy(`order-shopify-${id}`)).toBe(1);
});

test('reserves every product of every line at once and marks the order reserved; a repeat reserves nothing more', async () => {
  const ref = await salesOrder(`${run}-1`);
  expect(ref).toMatchObject({ created: true, status: 'draft', orderNumber: expect.stringMatching(/^SO-\d+$/) });
  const lines = (await pool.query('SELECT line_no, quantity, line_total_minor FROM erp.sales_order_line WHERE sales_order_id = $1 ORDER BY line_no', [ref.salesOrderId])).rows;
  expect(lines).toEqual([{ line_no: 1, quantity: 2, line_total_minor: 2000 }, { line_no: 2, quantity: 2, line_total_minor: 500 }, { line_no: 3, quantity: 1, line_total_minor: 1000 }]);

  expect(await inTransaction(pool, (tx) => reserveOrder(tx, ref.salesOrderId))).toEqual({ ok: true, reserved: 3 });
  expect(await stockOf(1)).toEqual({ on_hand: 10, reserved: 3 });
  expect(await stockOf(2)).toEqual({ on_hand: 3, reserved: 2 });
  expect(await statusOf(ref.salesOrderId)).toBe('reserved');
  expect(await inTransaction(pool, (tx) => reserveOrder(tx, ref.salesOrderId))).toEqual({ ok: true, reserved: 3 });
  expect(await stockOf(1)).toEqual({ on_hand: 10, reserved: 3 });
});

test('reserves none when one product falls short, names it and marks the order backordered', async () => {
  const ref = await salesOrder(`${run}-2`);
  // Product 2 has 1 left (3 on hand, 2 reserved by the first order); this order wants 2.
  expect(await inTransaction(pool, (tx) => reserveOrder(tx, ref.salesOrderId))).toEqual({
    ok: false, shortfalls: [{ sku: sku(2), requested: 2, available: 1 }],
  });
  expect(await statusOf(ref.salesOrderId)).toBe('backordered');
  expect(await stockOf(1)).toEqual({ on_hand: 10, reserved: 3 });
  await expect(inTransaction(pool, (tx) => reserveOrder(tx, ref.salesOrderId, 'NOWHERE'))).rejects.toThrow('unknown stock location NOWHERE');
});

test('posts the invoice, settles it with the captured payment, links the payment to it and marks the order invoiced', async () => {
  const ref = await salesOrder(`${run}-3`);
  await pool.query(
    `INSERT INTO erp.payment (provider, provider_payment_id, sales_order_id, status, currency, amount_minor) VALUES ('stripe', $1, $2, 'captured', 'USD', 3500)`,
    [`pi_${run}_3`, ref.salesOrderId],
  );
  const invoice = await postInvoice(pool, ref.salesOrderId);
  expect(invoice).toMatchObject({ status: 'paid' });
  expect(await statusOf(ref.salesOrderId)).toBe('invoiced');
  const payment = (await pool.query('SELECT invoice_id FROM erp.payment WHERE provider_payment_id = $1', [`pi_${run}_3`])).rows[0];
  expect(payment.invoice_id).toBe(invoice.invoiceId);
  expect(await postInvoice(pool, ref.salesOrderId)).toEqual(invoice);
});

const invoiceOf = async (salesOrderId: number) =>
  (await pool.query('SELECT status, paid_minor FROM erp.invoice WHERE sales_order_id = $1', [salesOrderId])).rows[0];

test('an invoice posted before the money is settled again when posted again; a void one stays void', async () => {
  const ref = await salesOrder(`${run}-4`);
  const posted = await postInvoice(pool, ref.salesOrderId);
  expect(posted).toMatchObject({ status: 'posted' });
  expect(await invoiceOf(ref.salesOrderId)).toEqual({ status: 'posted', paid_minor: 0 });
  await recordPayment(pool, { provider: 'stripe', providerPaymentId: `pi_${run}_4`, salesOrderId: ref.salesOrderId, status: 'captured', currency: 'USD', amountMinor: 3500, feeMinor: 0 });
  expect(await postInvoice(pool, ref.salesOrderId)).toEqual({ ...posted, status: 'paid' });
  expect(await invoiceOf(ref.salesOrderId)).toEqual({ status: 'paid', paid_minor: 3500 });
  expect((await pool.query('SELECT invoice_id FROM erp.payment WHERE provider_payment_id = $1', [`pi_${run}_4`])).rows[0].invoice_id).toBe(posted.invoiceId);
  await voidInvoice(pool, ref.salesOrderId);
  expect(await postInvoice(pool, ref.salesOrderId)).toEqual({ ...posted, status: 'void' });
  await expect(postInvoice(pool, 2 ** 40)).rejects.toThrow(`sales order ${2 ** 40} does not exist: no invoice to post`);
});

test('a payment booked with its order marks the order paid; one booked for another order is refused and marks nothing', async () => {
  const first = await salesOrder(`${run}-5`);
  const second = await salesOrder(`${run}-6`);
  const booking = { provider: 'stripe', providerPaymentId: `pi_${run}_5`, status: 'captured' as const, currency: 'USD', amountMinor: 3500, feeMinor: 0 };
  const id = await recordPayment(pool, { ...booking, salesOrderId: first.salesOrderId }, 'paid');
  expect(await statusOf(first.salesOrderId)).toBe('paid');
  expect(await recordPayment(pool, { ...booking, salesOrderId: first.salesOrderId }, 'paid')).toBe(id);
  await expect(recordPayment(pool, { ...booking, salesOrderId: second.salesOrderId }, 'paid')).rejects.toBeInstanceOf(PaymentBoundElsewhereError);
  expect(await statusOf(second.salesOrderId)).toBe('draft');
});

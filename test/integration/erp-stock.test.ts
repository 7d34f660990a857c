import type { Pool } from 'pg';
import { inTransaction } from '../../db/transaction';
import { postInvoice } from '../../erp/billing';
import { upsertProductWithStock } from '../../erp/catalogue';
import { createSalesOrder } from '../../erp/sales-orders';
import { reserveOrder } from '../../erp/stock';
import { useDatabase } from '../support/database';
import { shopOrder } from '../support/shop-order-fixture';

/** Reservation and invoicing of a sales order of several lines, against a real PostgreSQL. */

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

/** An order of 2 + 1 of product 1 (two lines) and 2 of product 2: 3 lines, 2 products. */
async function salesOrder(id: string) {
  const order = shopOrder({
    id, gid: `gid://shopify/Order/${id}`, totalMinor: 3500, subtotalMinor: 3500,
    lines: [
      { lineId: 'a', sku: sku(1), title: 'One', quantity: 2, unitPriceMinor: 1000 },
      { lineId: 'b', sku: sku(2), title: 'Two', quantity: 2, unitPriceMinor: 250 },
      { lineId: 'c', sku: sku(1), title: 'One again', quantity: 1, unitPriceMinor: 1000 },
    ],
  });
  return inTransaction(pool, (tx) => createSalesOrder(tx, order, customerId, `order-shopify-${id}`));
}

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
  const invoice = await inTransaction(pool, (tx) => postInvoice(tx, ref.salesOrderId));
  expect(invoice).toMatchObject({ status: 'paid' });
  expect(await statusOf(ref.salesOrderId)).toBe('invoiced');
  const payment = (await pool.query('SELECT invoice_id FROM erp.payment WHERE provider_payment_id = $1', [`pi_${run}_3`])).rows[0];
  expect(payment.invoice_id).toBe(invoice.invoiceId);
  expect(await inTransaction(pool, (tx) => postInvoice(tx, ref.salesOrderId))).toEqual(invoice);
});

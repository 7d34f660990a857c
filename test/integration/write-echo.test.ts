import type { Pool } from 'pg';
import { expectWriteEcho, pruneWriteEchoes, takeWriteEcho } from '../../engine/write-echo';
import { useDatabase } from '../support/database';

/** The announcements of our own writes to shop orders, against a real PostgreSQL: each is taken once, by one update. */

const db = useDatabase();
let pool: Pool;
const run = `${Date.now()}`;
const shop = 'shopify';

beforeAll(() => {
  pool = db.pool();
});

/** A pending inbox row: an update of `order`. */
async function updateRow(order: string, n: number): Promise<number> {
  const { rows } = await pool.query(
    `INSERT INTO integration.webhook_inbox (provider, event_id, topic, business_key, payload, raw_body, headers)
     VALUES ('shopify', $1, 'orders/updated', $2, '{}', '\\x', '{}') RETURNING id`,
    [`echo-${run}-${order}-${n}`, `shopify:order:${order}`]);
  return Number(rows[0].id);
}

const rowOf = async (id: number) =>
  (await pool.query('SELECT status, workflow_id, outcome FROM integration.webhook_inbox WHERE id = $1', [id])).rows[0];

test('the first update showing the mark stands for our write; the next one is handed over', async () => {
  const order = `${run}1`;
  const echo = { shop, shopOrderId: order, marks: ['erp:SO-1'] };
  await expectWriteEcho(pool, shop, order, 'erp:SO-1');
  const [first, second] = [await updateRow(order, 1), await updateRow(order, 2)];

  expect(await takeWriteEcho(pool, echo, first, `order-shopify-${order}`)).toBe('erp:SO-1');
  expect(await rowOf(first)).toEqual({
    status: 'dispatched', workflow_id: `order-shopify-${order}`, outcome: 'echo of our own write (erp:SO-1): not handed over',
  });
  expect(await takeWriteEcho(pool, echo, second, `order-shopify-${order}`)).toBeNull();
  expect(await rowOf(second)).toMatchObject({ status: 'pending', outcome: null });
  // The same row asking again (its relay stopped before it knew) gets the same answer.
  expect(await takeWriteEcho(pool, echo, first, `order-shopify-${order}`)).toBe('erp:SO-1');
});

test('a retried write expects nothing more, even once its announcement was taken', async () => {
  const order = `${run}2`;
  await expectWriteEcho(pool, shop, order, 'erp:SO-2');
  await expectWriteEcho(pool, shop, order, 'erp:SO-2');
  const echo = { shop, shopOrderId: order, marks: ['erp:SO-2'] };
  expect(await takeWriteEcho(pool, echo, await updateRow(order, 1), 'wf')).toBe('erp:SO-2');
  await expectWriteEcho(pool, shop, order, 'erp:SO-2');
  expect(await takeWriteEcho(pool, echo, await updateRow(order, 2), 'wf')).toBeNull();
});

test('an update without the mark, of another order, or long after the write is handed over', async () => {
  const order = `${run}3`;
  await expectWriteEcho(pool, shop, order, 'erp:SO-3');
  expect(await takeWriteEcho(pool, { shop, shopOrderId: order, marks: ['erp:SO-OTHER'] }, await updateRow(order, 1), 'wf')).toBeNull();
  expect(await takeWriteEcho(pool, { shop, shopOrderId: `${run}4`, marks: ['erp:SO-3'] }, await updateRow(`${run}4`, 1), 'wf')).toBeNull();
  expect(await takeWriteEcho(pool, { shop: 'woocommerce', shopOrderId: order, marks: ['erp:SO-3'] }, await updateRow(order, 2), 'wf')).toBeNull();

  await pool.query(`UPDATE integration.shop_write_echo SET expected_at = now() - interval '11 minutes' WHERE shop_order_id = $1`, [order]);
  const late = await updateRow(order, 3);
  expect(await takeWriteEcho(pool, { shop, shopOrderId: order, marks: ['erp:SO-3'] }, late, 'wf')).toBeNull();
  expect(await rowOf(late)).toMatchObject({ status: 'pending' });
});

test('an update is not taken while an earlier event of its order still waits (another relay may be handing it over)', async () => {
  const order = `${run}6`;
  await expectWriteEcho(pool, shop, order, 'erp:SO-6');
  const echo = { shop, shopOrderId: order, marks: ['erp:SO-6'] };
  const [earlier, later] = [await updateRow(order, 1), await updateRow(order, 2)];
  expect(await takeWriteEcho(pool, echo, later, 'wf')).toBeNull();
  expect(await takeWriteEcho(pool, echo, earlier, 'wf')).toBe('erp:SO-6');
});

test('expectations are pruned with the inbox retention', async () => {
  const order = `${run}5`;
  await expectWriteEcho(pool, shop, order, 'erp:SO-5');
  await pool.query(`UPDATE integration.shop_write_echo SET expected_at = now() - interval '31 days' WHERE shop_order_id = $1`, [order]);
  expect(await pruneWriteEchoes(pool, 30)).toBeGreaterThanOrEqual(1);
  expect((await pool.query('SELECT 1 FROM integration.shop_write_echo WHERE shop_order_id = $1', [order])).rowCount).toBe(0);
});

import { inTransaction } from '../../db/transaction';
import { bind, findBinding } from '../../erp/external-refs';
import { useDatabase } from '../support/database';

/** The binder against a real PostgreSQL: one binding per external id, whoever binds first, however they overlap. */

const db = useDatabase();

let uniq = 0;
const key = () => ({ system: 'shopify', entityType: 'order', externalId: `ext-${Date.now()}-${++uniq}` });

test('binds a new key and returns the binding it made', async () => {
  const k = key();
  const made = await bind(db.pool(), k, 'sales_order', 41, 'order-shopify-1', 'run-1');
  expect(made).toMatchObject({ ...k, erpTable: 'sales_order', erpId: 41, createdBy: 'order-shopify-1', createdByRun: 'run-1' });
  expect(await findBinding(db.pool(), k)).toEqual(made);
});

test('a second bind of the same key keeps the first binding and returns it', async () => {
  const k = key();
  const first = await bind(db.pool(), k, 'sales_order', 41, 'order-shopify-1');
  const second = await bind(db.pool(), k, 'sales_order', 42, 'order-shopify-2');
  expect(second).toEqual(first);
  expect(second.erpId).toBe(41);
});

test('a bind that waited for another transaction binding the same key returns that binding once it commits', async () => {
  const k = key();
  const client = await db.pool().connect();
  try {
    // The first binder's transaction holds its new row uncommitted.
    await client.query('BEGIN');
    const first = await bind(client, k, 'customer', 7, 'lead-hubspot-1');
    // The second waits on the unique key; its statement's snapshot predates the first's commit.
    const second = inTransaction(db.pool(), (tx) => bind(tx, k, 'customer', 8, 'lead-hubspot-2'));
    const lockWaiters = async () =>
      (await db.pool().query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%erp.external_ref%'`)).rows[0].n as number;
    const deadline = Date.now() + 10_000;
    let blocked = await lockWaiters();
    while (blocked === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      blocked = await lockWaiters();
    }
    expect(blocked).toBe(1);
    await client.query('COMMIT');
    expect(await second).toEqual(first);
    expect((await second).erpId).toBe(7);
  } finally {
    client.release();
  }
});

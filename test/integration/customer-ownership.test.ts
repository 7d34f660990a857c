import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { createLeadErpActivities } from '../../activities/lead/erp';
import { createOrderErpActivities } from '../../activities/order/erp';
import type { LeadCandidate } from '../../domain/lead';
import { upsertProductWithStock } from '../../erp/catalogue';
import { startDatabase } from '../support/database';
import { shopAddress, shopCustomer, shopOrder } from '../support/shop-order-fixture';

/**
 * Who may undo a customer and its binding, at the activity boundary against a real PostgreSQL: activities run in
 * a mock activity context that names the workflow run calling them, as a worker would.
 */

let db: Awaited<ReturnType<typeof startDatabase>>;
let pool: Pool;
beforeAll(async () => {
  db = await startDatabase();
  pool = db.pool;
  await upsertProductWithStock(pool, { sku: 'SKU-1', name: 'Product 1', unitPriceMinor: 2500, currency: 'USD', onHand: 10 });
});
afterAll(async () => db?.close());

/** Runs activities as the given run of a workflow would. */
const asRun = (workflowId: string, runId: string) => {
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId, runId } });
  return <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => env.run(fn, ...args);
};

let uniq = 0;
const unique = () => `${Date.now()}${++uniq}`;

async function customerRow(email: string) {
  return (await pool.query('SELECT id, display_name, first_name, last_name FROM erp.customer WHERE email = $1', [email])).rows[0];
}
async function bindingOf(system: string, entityType: string, externalId: string) {
  return (await pool.query('SELECT erp_id FROM erp.external_ref WHERE system = $1 AND entity_type = $2 AND external_id = $3', [system, entityType, externalId])).rows[0];
}
/** The invariant: no binding of a customer points to a customer that does not exist. */
async function danglingCustomerBindings(): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM erp.external_ref r WHERE r.erp_table = 'customer' AND NOT EXISTS (SELECT 1 FROM erp.customer c WHERE c.id = r.erp_id)`,
  );
  return rows[0].n;
}

describe('lead bindings', () => {
  // The lead activities need the pool they were made with.
  const leadActivities = () => createLeadErpActivities({ pool });
  const candidate = (contactId: string, email: string): LeadCandidate => ({
    contactId, email, phoneE164: null, firstName: 'Rita', lastName: 'Runs', displayName: 'Rita Runs', company: null, nameKey: 'rita runs', companyKey: null,
  });

  test('only the run that created the customer and binding undoes them, and undoing twice is harmless', async () => {
    const acts = leadActivities();
    const contactId = unique();
    const email = `rita.${contactId}@example.com`;
    const first = asRun(`lead-hubspot-${contactId}`, 'run-1');
    const later = asRun(`lead-hubspot-${contactId}`, 'run-2');

    expect(await first(acts.bindCustomer, candidate(contactId, email), { kind: 'new' })).toMatchObject({ created: true });
    // A later run of the same workflow id finds the binding, and its compensation leaves the earlier run's work alone.
    expect(await later(acts.bindCustomer, candidate(contactId, email), { kind: 'new' })).toMatchObject({ created: false });
    expect(await later(acts.unbindCustomer, contactId)).toBe('not-ours');
    expect(await customerRow(email)).toBeDefined();
    expect(await bindingOf('hubspot', 'contact', contactId)).toBeDefined();

    expect(await first(acts.unbindCustomer, contactId)).toBe('removed');
    expect(await first(acts.unbindCustomer, contactId)).toBe('not-ours');
    expect(await customerRow(email)).toBeUndefined();
    expect(await bindingOf('hubspot', 'contact', contactId)).toBeUndefined();
  });

  test('a run that linked an existing customer removes only its binding', async () => {
    const acts = leadActivities();
    const contactId = unique();
    const email = `known.${contactId}@example.com`;
    const existing = await pool.query(`INSERT INTO erp.customer (display_name, email) VALUES ('Known', $1) RETURNING customer_number`, [email]);
    const run = asRun(`lead-hubspot-${contactId}`, 'run-1');
    await run(acts.bindCustomer, candidate(contactId, email), { kind: 'existing', customerNumber: existing.rows[0].customer_number });
    expect(await run(acts.unbindCustomer, contactId)).toBe('unbound');
    expect(await customerRow(email)).toBeDefined();
    expect(await bindingOf('hubspot', 'contact', contactId)).toBeUndefined();
  });
});

describe('order customers', () => {
  const orders = () => createOrderErpActivities({ pool, defaultPhoneCountry: 'US' });
  const order = (over: Parameters<typeof shopOrder>[0] = {}) => {
    const id = unique();
    return shopOrder({ id, gid: `gid://shopify/Order/${id}`, name: `#${id}`, email: `buyer.${id}@example.com`, ...over });
  };
  const withShopCustomer = (o: ReturnType<typeof shopOrder>) => ({ ...o, customer: shopCustomer({ id: `c${o.id}`, email: o.email, firstName: 'Gus' }) });

  test('a compensated order keeps its new customer together with the shop binding (its cancelled ERP order refers to it)', async () => {
    const acts = orders();
    const o = withShopCustomer(order());
    const run = asRun(`order-shopify-${o.id}`, 'run-1');
    const customer = await run(acts.ensureOrderCustomer, o);
    expect(customer.created).toBe(true);
    await run(acts.createSalesOrder, o, customer.customerId);

    // Compensation in reverse order: the ERP order is cancelled (and kept), then the customer step is undone.
    await run(acts.cancelSalesOrder, o.id);
    expect(await run(acts.removeOrderCustomer, o)).toBe('kept');
    expect(await run(acts.removeOrderCustomer, o)).toBe('kept');
    expect(await customerRow(o.email!)).toMatchObject({ id: customer.customerId });
    expect(await bindingOf('shopify', 'customer', `c${o.id}`)).toEqual({ erp_id: customer.customerId });
    const status = await pool.query('SELECT status FROM erp.sales_order WHERE customer_id = $1', [customer.customerId]);
    expect(status.rows).toEqual([{ status: 'cancelled' }]);
    expect(await danglingCustomerBindings()).toBe(0);
  });

  test('an order undone before its ERP order exists removes the customer and the shop binding together, once', async () => {
    const acts = orders();
    const o = withShopCustomer(order());
    const run = asRun(`order-shopify-${o.id}`, 'run-1');
    await run(acts.ensureOrderCustomer, o);
    expect(await run(acts.removeOrderCustomer, o)).toBe('removed');
    expect(await run(acts.removeOrderCustomer, o)).toBe('not-ours');
    expect(await customerRow(o.email!)).toBeUndefined();
    expect(await bindingOf('shopify', 'customer', `c${o.id}`)).toBeUndefined();
    expect(await danglingCustomerBindings()).toBe(0);
  });

  test('another run of the same order flow cannot undo the customer an earlier run created', async () => {
    const acts = orders();
    const o = withShopCustomer(order());
    await asRun(`order-shopify-${o.id}`, 'run-1')(acts.ensureOrderCustomer, o);
    const later = asRun(`order-shopify-${o.id}`, 'run-2');
    expect(await later(acts.ensureOrderCustomer, o)).toMatchObject({ created: false });
    expect(await later(acts.removeOrderCustomer, o)).toBe('not-ours');
    expect(await customerRow(o.email!)).toBeDefined();
    expect(await bindingOf('shopify', 'customer', `c${o.id}`)).toBeDefined();
  });

  test("a guest's customer (no shop customer, no binding) is undone by its own run only", async () => {
    const acts = orders();
    const o = order({ shippingAddress: shopAddress('Gail Guest') });
    const run = asRun(`order-shopify-${o.id}`, 'run-1');
    expect(await run(acts.ensureOrderCustomer, o)).toMatchObject({ created: true });
    expect(await asRun(`order-shopify-${o.id}`, 'run-2')(acts.removeOrderCustomer, o)).toBe('not-ours');
    expect(await customerRow(o.email!)).toMatchObject({ display_name: 'Gail Guest' });
    expect(await run(acts.removeOrderCustomer, o)).toBe('removed');
    expect(await customerRow(o.email!)).toBeUndefined();
  });

  test('a buyer matched to an existing customer loses only the binding this run made', async () => {
    const acts = orders();
    const o = withShopCustomer(order());
    await pool.query(`INSERT INTO erp.customer (display_name, email) VALUES ('Gus Known', $1)`, [o.email]);
    const run = asRun(`order-shopify-${o.id}`, 'run-1');
    expect(await run(acts.ensureOrderCustomer, o)).toMatchObject({ created: false });
    expect(await run(acts.removeOrderCustomer, o)).toBe('unbound');
    expect(await customerRow(o.email!)).toMatchObject({ display_name: 'Gus Known' });
    expect(await bindingOf('shopify', 'customer', `c${o.id}`)).toBeUndefined();
  });

  test('a shop binding left pointing to a removed customer (older data) is replaced, not followed', async () => {
    const acts = orders();
    const o = withShopCustomer(order());
    await pool.query(`INSERT INTO erp.external_ref (system, entity_type, external_id, erp_table, erp_id, created_by) VALUES ('shopify', 'customer', $1, 'customer', -1, 'old')`, [`c${o.id}`]);
    const customer = await asRun(`order-shopify-${o.id}`, 'run-1')(acts.ensureOrderCustomer, o);
    expect(customer.created).toBe(true);
    expect(await bindingOf('shopify', 'customer', `c${o.id}`)).toEqual({ erp_id: customer.customerId });
  });

  test('orders without a customer name are processed: address name, else the email local part', async () => {
    const acts = orders();
    const pos = order({ customer: null, shippingAddress: null });
    const run = asRun(`order-shopify-${pos.id}`, 'run-1');
    const customer = await run(acts.ensureOrderCustomer, pos);
    expect(customer.created).toBe(true);
    expect(await customerRow(pos.email!)).toMatchObject({ id: customer.customerId, display_name: `buyer.${pos.id}`, first_name: null, last_name: null });

    const guest = withShopCustomer(order({ shippingAddress: shopAddress('Ann Address') }));
    const named = { ...guest, customer: { ...guest.customer!, firstName: null } };
    await asRun(`order-shopify-${guest.id}`, 'run-1')(acts.ensureOrderCustomer, named);
    expect(await customerRow(guest.email!)).toMatchObject({ display_name: 'Ann Address', first_name: 'Ann', last_name: 'Address' });
  });
});

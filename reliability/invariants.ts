import type { Pool } from 'pg';
import { CATALOGUE, vendorClients, type Placed } from './load';
import type { ReliabilityStack } from './stack';
import { CATCHUP_TOPICS } from '../workflows/catchup/api';
import { replayWorkflowHistories } from '../client/history-replay';

/**
 * What must hold in every system once the engine has converged after a scenario, read from the ERP (SQL), the
 * engine's inbox and the simulators (their APIs and delivery logs). Every number is counted, never assumed:
 * a violation names what it found.
 */

export interface Convergence {
  converged: boolean;
  /** What is still missing, for the log and the report. */
  waitingFor: string[];
}

export interface InvariantReport {
  webhooksEmitted: number;
  webhooksAccepted: number;
  /** Inbox events of the order catch-up: changes of known orders that no webhook brought to their flow. */
  catchupEvents: number;
  /** Webhook ids a simulator emitted that never reached the inbox. */
  lost: number;
  /** Effects made twice: customers, sales orders, captures, refunds. */
  duplicatedEffects: number;
  violations: string[];
}

const one = async <T>(pool: Pool, sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows[0] as T;

/** Stock in ERP (sellable) and in each shop simulator, per SKU of the load's catalogue. */
export async function stockViews(stack: ReliabilityStack): Promise<Array<{ sku: string; erp: number; shopify?: number; woocommerce?: number; onHandMinusReserved: number }>> {
  const { rows } = await stack.pool.query(
    `SELECT sku, sum(sellable)::int AS sellable, sum(on_hand - reserved)::int AS free FROM erp.sellable_stock WHERE sku = ANY($1) GROUP BY sku ORDER BY sku`,
    [CATALOGUE.map((p) => p.sku)],
  );
  const shopifyInv = await (await fetch(`${stack.shopify.url}/__sim/inventory`)).json() as { primaryLocationId: string; levels: Array<{ sku: string | null; locationId: string; available: number }> };
  const woo = await (await fetch(`${stack.woocommerce.url}/__sim/products`)).json() as { products: Array<{ sku: string; stock_quantity: number | null }> };
  return rows.map((r) => ({
    sku: r.sku as string, erp: r.sellable as number, onHandMinusReserved: r.free as number,
    shopify: shopifyInv.levels.find((l) => l.sku === r.sku && l.locationId === shopifyInv.primaryLocationId)?.available,
    woocommerce: woo.products.find((p) => p.sku === r.sku)?.stock_quantity ?? undefined,
  }));
}

/** Whether everything the load made has had its effect, and nothing waits in the inbox. */
export async function convergence(stack: ReliabilityStack, placed: Placed): Promise<Convergence> {
  const waitingFor: string[] = [];
  const pool = stack.pool;
  const inbox = await one<{ pending: number; failed: number }>(pool,
    `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM integration.webhook_inbox`);
  if (inbox.pending > 0) waitingFor.push(`${inbox.pending} inbox rows pending`);
  const leads = await one<{ n: number }>(pool,
    `SELECT count(DISTINCT external_id)::int AS n FROM erp.external_ref WHERE system = 'hubspot' AND erp_table = 'customer' AND external_id = ANY($1)`,
    [placed.leads.map((l) => l.contactId)]);
  if (leads.n < placed.leads.length) waitingFor.push(`${placed.leads.length - leads.n} leads without an ERP customer`);
  const orders = await boundOrders(pool, placed);
  if (orders.booked < placed.orders.length) waitingFor.push(`${placed.orders.length - orders.booked} orders without their captured ERP payment`);
  if (orders.elsewhere.length > 0) waitingFor.push(`payments booked to another order: ${orders.elsewhere.join(', ')}`);
  const refunds = await one<{ n: number }>(pool, `SELECT count(*)::int AS n FROM erp.refund WHERE provider = 'stripe' AND status = 'succeeded' AND provider_refund_id = ANY($1)`,
    [placed.refunds.map((r) => r.refundId)]);
  if (refunds.n < placed.refunds.length) waitingFor.push(`${placed.refunds.length - refunds.n} refunds not booked`);
  const stock = await stockViews(stack);
  const apart = stock.filter((s) => s.shopify !== s.erp || s.woocommerce !== s.erp);
  if (apart.length > 0) waitingFor.push(`stock apart for ${apart.map((s) => `${s.sku} (ERP ${s.erp}, Shopify ${s.shopify}, Woo ${s.woocommerce})`).join(', ')}`);
  const ledger = await webhookLedger(stack);
  const undelivered = ledger.emitted.size - ledger.acknowledged.size;
  if (undelivered > 0) waitingFor.push(`${undelivered} webhooks not yet acknowledged by the relay`);
  return { converged: waitingFor.length === 0, waitingFor };
}

/** Orders whose own payment is captured in the ERP and booked to their own live sales order (not to another one). */
async function boundOrders(pool: Pool, placed: Placed): Promise<{ booked: number; elsewhere: string[] }> {
  const { rows } = await pool.query(
    `SELECT p.provider_payment_id AS payment, r.system || ':' || r.external_id AS booked_to
       FROM erp.payment p JOIN erp.sales_order o ON o.id = p.sales_order_id
       LEFT JOIN erp.external_ref r ON r.erp_table = 'sales_order' AND r.entity_type = 'order' AND r.erp_id = o.id
      WHERE p.provider = 'stripe' AND p.status = 'captured' AND p.provider_payment_id = ANY($1) AND o.status <> 'cancelled'`,
    [placed.orders.map((o) => o.paymentIntentId)],
  );
  const bookedTo = new Map(rows.map((r) => [r.payment as string, r.booked_to as string | null]));
  let booked = 0;
  const elsewhere: string[] = [];
  for (const order of placed.orders) {
    const to = bookedTo.get(order.paymentIntentId);
    if (to === `${order.shop}:${order.orderId}`) booked++;
    else if (to !== undefined) elsewhere.push(`${order.paymentIntentId} of ${order.shop} order ${order.orderId} booked to ${to ?? 'an unbound sales order'}`);
  }
  return { booked, elsewhere };
}

type Delivery = { ids: string[]; ok: boolean };

/** Every webhook id each simulator emitted, and those the relay acknowledged, by connection. */
async function webhookLedger(stack: ReliabilityStack): Promise<{ emitted: Map<string, string>; acknowledged: Set<string> }> {
  const emitted = new Map<string, string>();
  const acknowledged = new Set<string>();
  for (const [connection, url] of [['hubspot', stack.hubspot.url], ['shopify', stack.shopify.url], ['woocommerce', stack.woocommerce.url], ['stripe', stack.stripe.url]] as const) {
    const { deliveries } = await (await fetch(`${url}/__sim/deliveries`)).json() as { deliveries: Delivery[] };
    for (const d of deliveries) {
      for (const id of d.ids) {
        emitted.set(`${connection}:${id}`, connection);
        if (d.ok) acknowledged.add(`${connection}:${id}`);
      }
    }
  }
  return { emitted, acknowledged };
}

/** Webhook ids emitted so far, inbox rows so far and the catch-up's events: a scenario on a shared stack reports what came after them. */
export async function webhookTotals(stack: ReliabilityStack): Promise<{ emitted: number; accepted: number; catchupEvents: number }> {
  const { emitted } = await webhookLedger(stack);
  const { rows } = await stack.pool.query(
    `SELECT count(*) FILTER (WHERE NOT topic = ANY($1))::int AS accepted, count(*) FILTER (WHERE topic = ANY($1))::int AS caught_up
       FROM integration.webhook_inbox`, [CATCHUP_TOPICS]);
  return { emitted: emitted.size, accepted: rows[0].accepted as number, catchupEvents: rows[0].caught_up as number };
}

/**
 * Inbox rows not handed over: failed ones at once; pending ones only if still pending after HANDOVER_GRACE_MS. The
 * engine keeps working after convergence (a shop's webhook for the flow's own tag, say), and a row it received a
 * moment ago is on its way, not stuck.
 */
const HANDOVER_GRACE_MS = 30_000;
async function stuckInboxRows(pool: Pool): Promise<string[]> {
  const deadline = Date.now() + HANDOVER_GRACE_MS;
  for (;;) {
    const { rows } = await pool.query(
      `SELECT id, provider, topic, status, failures, last_error FROM integration.webhook_inbox WHERE status IN ('pending', 'failed') ORDER BY id`);
    if (rows.every((r) => r.status === 'failed') || Date.now() >= deadline) {
      return rows.map((r) => `#${r.id} ${r.provider} ${r.topic} ${r.status} after ${r.failures} failures${r.last_error ? ` (${String(r.last_error).slice(0, 120)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The invariants, after convergence (or after the wait for it gave up: then they say what is wrong). */
export async function checkInvariants(stack: ReliabilityStack, placed: Placed, minFreeStock: number): Promise<InvariantReport> {
  const pool = stack.pool;
  const violations: string[] = [];
  let duplicated = 0;

  // Webhooks: everything emitted reached the inbox; each accepted event was handed over (none left pending or failed).
  const { emitted } = await webhookLedger(stack);
  const { rows: allRows } = await pool.query(`SELECT provider || ':' || event_id AS key, status, topic FROM integration.webhook_inbox`);
  const inboxRows = allRows.filter((r) => !CATCHUP_TOPICS.includes(r.topic as string));
  const caughtUp = { n: allRows.length - inboxRows.length };
  const inInbox = new Set(inboxRows.map((r) => r.key as string));
  const lostIds = [...emitted.keys()].filter((k) => !inInbox.has(k));
  if (lostIds.length > 0) violations.push(`${lostIds.length} webhooks never reached the inbox: ${lostIds.slice(0, 5).join(', ')}`);
  const stuck = await stuckInboxRows(pool);
  if (stuck.length > 0) violations.push(`${stuck.length} inbox rows pending or failed: ${stuck.slice(0, 5).join('; ')}`);

  // Customers: one live ERP customer per lead email and per contact binding.
  const customers = await one<{ extra: number }>(pool,
    `SELECT COALESCE(sum(n - 1), 0)::int AS extra FROM (SELECT count(*) AS n FROM erp.customer WHERE merged_into_id IS NULL AND email = ANY($1) GROUP BY email) c`,
    [placed.leads.map((l) => l.email)]);
  if (customers.extra > 0) violations.push(`${customers.extra} duplicate ERP customers for lead emails`);
  duplicated += customers.extra;
  const leadsBound = await one<{ n: number }>(pool,
    `SELECT count(DISTINCT external_id)::int AS n FROM erp.external_ref WHERE system = 'hubspot' AND erp_table = 'customer' AND external_id = ANY($1)`, [placed.leads.map((l) => l.contactId)]);
  if (leadsBound.n !== placed.leads.length) violations.push(`${placed.leads.length - leadsBound.n} leads have no ERP customer`);

  // Sales orders: exactly one live ERP order per shop order, and no live order without its shop order.
  const orders = await one<{ live: number; bound: number; orphans: number }>(pool,
    `SELECT (SELECT count(*) FROM erp.sales_order WHERE status <> 'cancelled')::int AS live,
            (SELECT count(DISTINCT (r.system, r.external_id)) FROM erp.external_ref r JOIN erp.sales_order o ON o.id = r.erp_id
              WHERE r.erp_table = 'sales_order' AND r.entity_type = 'order' AND o.status <> 'cancelled')::int AS bound,
            (SELECT count(*) FROM erp.sales_order o WHERE o.status <> 'cancelled' AND NOT EXISTS
               (SELECT 1 FROM erp.external_ref r WHERE r.erp_table = 'sales_order' AND r.erp_id = o.id))::int AS orphans`);
  const extraOrders = orders.live - orders.bound;
  if (extraOrders > 0) violations.push(`${extraOrders} duplicate live ERP sales orders (${orders.orphans} without a shop order)`);
  duplicated += Math.max(0, extraOrders);
  const ours = await one<{ n: number }>(pool,
    `SELECT count(DISTINCT (r.system, r.external_id))::int AS n FROM erp.external_ref r JOIN erp.sales_order o ON o.id = r.erp_id
      WHERE r.erp_table = 'sales_order' AND r.entity_type = 'order' AND o.status <> 'cancelled' AND (r.system || ':' || r.external_id) = ANY($1)`,
    [placed.orders.map((o) => `${o.shop}:${o.orderId}`)]);
  if (ours.n !== placed.orders.length) violations.push(`${ours.n} of the ${placed.orders.length} shop orders placed have a live ERP order`);

  // Each order's payment booked to that order, not to another one of the same amount.
  const payments = await boundOrders(pool, placed);
  if (payments.elsewhere.length > 0) violations.push(`${payments.elsewhere.length} payments booked to the wrong order: ${payments.elsewhere.slice(0, 3).join('; ')}`);
  if (payments.booked !== placed.orders.length) violations.push(`${payments.booked} of ${placed.orders.length} orders have their payment captured and booked to them`);

  // Captures and refunds: the provider's money and the ERP's agree to the minor unit, once each.
  const stripe = vendorClients(stack).stripe;
  let providerCaptured = 0;
  let providerRefunded = 0;
  let providerRefunds = 0;
  for (const order of placed.orders) {
    const intent = await stripe.retrievePaymentIntent(order.paymentIntentId);
    if (intent.amountReceivedMinor > intent.amountMinor) {
      violations.push(`${order.paymentIntentId} captured ${intent.amountReceivedMinor} of ${intent.amountMinor}`);
      duplicated++;
    }
    providerCaptured += intent.amountReceivedMinor;
    const refunds = await stripe.listRefunds(order.paymentIntentId);
    providerRefunds += refunds.filter((r) => r.status === 'succeeded').length;
    providerRefunded += refunds.filter((r) => r.status === 'succeeded').reduce((s, r) => s + r.amountMinor, 0);
  }
  const ids = placed.orders.map((o) => o.paymentIntentId);
  const erp = await one<{ captured: number; refunded: number; refunds: number; payments: number }>(pool,
    `SELECT COALESCE(sum(p.amount_minor) FILTER (WHERE p.status = 'captured'), 0)::bigint::float8 AS captured, count(*)::int AS payments,
            (SELECT COALESCE(sum(r.amount_minor), 0)::float8 FROM erp.refund r JOIN erp.payment q ON q.id = r.payment_id WHERE q.provider_payment_id = ANY($1) AND r.status = 'succeeded') AS refunded,
            (SELECT count(*)::int FROM erp.refund r JOIN erp.payment q ON q.id = r.payment_id WHERE q.provider_payment_id = ANY($1) AND r.status = 'succeeded') AS refunds
       FROM erp.payment p WHERE p.provider = 'stripe' AND p.provider_payment_id = ANY($1)`, [ids]);
  if (erp.captured !== providerCaptured) violations.push(`captured: ERP ${erp.captured}, provider ${providerCaptured}`);
  if (erp.refunded !== providerRefunded) violations.push(`refunded: ERP ${erp.refunded}, provider ${providerRefunded}`);
  if (erp.refunds > providerRefunds) duplicated += erp.refunds - providerRefunds;
  if (erp.refunds !== providerRefunds) violations.push(`refunds: ERP ${erp.refunds}, provider ${providerRefunds}`);
  const placedRefunds = placed.refunds.reduce((s, r) => s + r.amountMinor, 0);
  if (providerRefunded !== placedRefunds) violations.push(`the provider refunded ${providerRefunded}, the load asked for ${placedRefunds}`);

  // Stock: never oversold while the scenario ran, and equal in the ERP and both shops now.
  if (minFreeStock < 0) violations.push(`stock went negative (on hand - reserved = ${minFreeStock})`);
  for (const s of await stockViews(stack)) {
    if (s.onHandMinusReserved < 0) violations.push(`${s.sku}: on hand - reserved = ${s.onHandMinusReserved}`);
    if (s.shopify !== s.erp || s.woocommerce !== s.erp) violations.push(`${s.sku}: ERP sellable ${s.erp}, Shopify ${s.shopify}, WooCommerce ${s.woocommerce}`);
  }
  return { webhooksEmitted: emitted.size, webhooksAccepted: inboxRows.length, catchupEvents: caughtUp.n, lost: lostIds.length, duplicatedEffects: duplicated, violations };
}

/**
 * Every workflow history of the stack's task queue replays on the worker's bundle: after kills, restarts and
 * outages, a flow whose history does not replay would stop the next time a worker replays it.
 */
export async function historiesReplay(stack: ReliabilityStack): Promise<{ replayed: number; violations: string[] }> {
  const { replayed, failures } = await replayWorkflowHistories(stack.client, `TaskQueue = '${stack.taskQueue}'`, { codePath: stack.workflowBundlePath });
  return { replayed, violations: failures.map((f) => `history of ${f.run} does not replay: ${f.error.slice(0, 300)}`) };
}

/** The lowest on hand − reserved of the load's SKUs right now (sampled through a scenario: stock never negative). */
export async function minFreeStockNow(pool: Pool): Promise<number | undefined> {
  const { rows } = await pool.query(`SELECT min(on_hand - reserved)::int AS m FROM erp.sellable_stock WHERE sku = ANY($1)`, [CATALOGUE.map((p) => p.sku)]);
  return rows[0]?.m ?? undefined;
}

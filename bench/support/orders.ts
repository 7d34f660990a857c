import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ShopifyClient } from '../../connectors/shopify/client';
import { checkout } from '../../connectors/shopify/simulator/checkout';
import { StripePayments } from '../../connectors/stripe/client';
import { orderBusinessKey, orderWorkflowId } from '../../workflows/order/api';
import { progressQuery } from '../../workflows/shared/operator-api';
import type { BenchStack } from './stack';
import { paced, runStats, until, type RunStats } from './load';

/** Orders as a storefront places them (Stripe payment captured, then the Shopify order), and what the engine made of them. */

export interface PlacedOrders {
  shopOrderIds: string[];
  /** When the first checkout began (epoch ms). */
  startMs: number;
  failures: number;
}

/** Lets the engine's own Shopify calls through: the benchmark measures the engine, not Shopify's query-cost budget. */
export async function liftShopifyThrottle(stack: BenchStack): Promise<void> {
  const res = await fetch(`${stack.shopifyUrl}/__sim/throttle`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ maximumAvailable: 1_000_000, restoreRate: 1_000_000, currentlyAvailable: 1_000_000 }),
  });
  if (!res.ok) throw new Error(`Shopify simulator refused the throttle setting: ${res.status} ${await res.text()}`);
}

let nextOrder = 0;

export async function placeOrders(stack: BenchStack, count: number, rate: number, maxInFlight = 32): Promise<PlacedOrders> {
  const shop = new ShopifyClient({ baseUrl: stack.shopifyUrl, accessToken: stack.shopifyToken, apiVersion: '2026-10' });
  const payments = new StripePayments({ baseUrl: stack.stripeUrl, apiKey: stack.stripeKey });
  const shopOrderIds: string[] = [];
  const startMs = Date.now();
  const { failures, lastError } = await paced(count, rate, maxInFlight, async (i) => {
    const sku = stack.skus[i % stack.skus.length]!;
    // Every order of the run has its own total, as real baskets do: the payment flow may match a payment by amount.
    const { order } = await checkout(shop, payments, {
      lines: [{ sku, quantity: 1, unitPriceMinor: 2500 }], payment: 'captured', shippingMinor: 100 + nextOrder++,
      email: `buyer-${randomUUID().slice(0, 12)}@example.com`, firstName: 'Bench', lastName: `Buyer ${i}`,
    });
    shopOrderIds.push(order.id);
  });
  if (failures > 0) process.stdout.write(`  ${failures} checkouts failed; last: ${String(lastError)}\n`);
  return { shopOrderIds, startMs, failures };
}

/** Waits until every placed order has its processing time recorded (ERP confirmed, after invoiced), then measures. */
export async function awaitConfirmed(stack: BenchStack, placed: PlacedOrders, timeoutMs: number): Promise<RunStats> {
  const keys = placed.shopOrderIds.map((id) => orderBusinessKey('shopify', id));
  const confirmed = async () => Number((await stack.pool.query(
    `SELECT count(*) AS n FROM integration.flow_metric WHERE flow = 'order' AND metric = 'order_processing_ms' AND business_key = ANY($1)`, [keys],
  )).rows[0].n);
  let lastReport = Date.now();
  const all = await until(async () => {
    const n = await confirmed();
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      process.stdout.write(`  … ${n}/${keys.length} confirmed\n`);
    }
    return n >= keys.length;
  }, timeoutMs, 500);
  if (!all) await explainMissing(stack, placed.shopOrderIds);
  const { rows } = await stack.pool.query(
    `SELECT value_ms, (extract(epoch FROM recorded_at) * 1000)::float8 AS at_ms FROM integration.flow_metric
      WHERE flow = 'order' AND metric = 'order_processing_ms' AND business_key = ANY($1)`, [keys],
  );
  return runStats(keys.length + placed.failures, placed.startMs, rows.map((r) => Number(r.at_ms)), rows.map((r) => Number(r.value_ms)));
}

export interface ActivityCount { activities: number; localActivities: number; names: string[] }

/** The activity type a local activity's marker names (core records LocalActivityMarkerData as JSON in `data`). */
function localActivityType(details: Record<string, { payloads?: Array<{ data?: Uint8Array | null }> | null }> | null | undefined): string {
  const data = details?.data?.payloads?.[0]?.data;
  if (!data) return 'local activity';
  const marker = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string };
  return marker.activity_type ?? 'local activity';
}

/**
 * The activities an order flow's history runs up to and including the ERP confirmation (the "invoiced" point):
 * scheduled activities, and local ones (markers), the latter named with "(local)".
 */
export async function activitiesUntilConfirmed(client: Client, shopOrderId: string): Promise<ActivityCount> {
  const history = await client.workflow.getHandle(orderWorkflowId('shopify', shopOrderId)).fetchHistory();
  const names: string[] = [];
  let localActivities = 0;
  let confirmed = false;
  for (const event of history.events ?? []) {
    const marker = event.markerRecordedEventAttributes;
    let name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (marker?.markerName === 'core_local_activity') {
      localActivities++;
      name = localActivityType(marker.details as Parameters<typeof localActivityType>[0]);
      names.push(`${name} (local)`);
    } else if (name) {
      names.push(name);
    }
    if (name === 'confirmOrder') {
      confirmed = true;
      break;
    }
  }
  if (!confirmed) throw new Error(`order ${shopOrderId}: no confirmOrder activity in its history`);
  return { activities: names.length - localActivities, localActivities, names };
}

/** Says where a few orders that never reached confirmation stand (their flow's own progress query). */
async function explainMissing(stack: BenchStack, shopOrderIds: string[]): Promise<void> {
  const { rows } = await stack.pool.query(
    `SELECT business_key FROM integration.flow_metric WHERE flow = 'order' AND metric = 'order_processing_ms' AND business_key = ANY($1)`,
    [shopOrderIds.map((id) => orderBusinessKey('shopify', id))],
  );
  const done = new Set(rows.map((r) => r.business_key as string));
  const missing = shopOrderIds.filter((id) => !done.has(orderBusinessKey('shopify', id)));
  process.stdout.write(`  ${missing.length} orders not confirmed in time, for example:\n`);
  for (const id of missing.slice(0, 3)) {
    const handle = stack.client.workflow.getHandle(orderWorkflowId('shopify', id));
    const progress = await handle.query(progressQuery).catch((err: unknown) => `no answer: ${String(err)}`);
    process.stdout.write(`    ${orderWorkflowId('shopify', id)}: ${JSON.stringify(progress)}\n`);
  }
}

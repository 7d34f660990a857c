import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../../config/paths';
import { ShopifyClient } from '../../connectors/shopify/client';
import { StripePayments } from '../../connectors/stripe/client';
import { WoocommerceClient } from '../../connectors/woocommerce/client';
import type { ShopOrder } from '../../domain/order';
import { checkout, type CheckoutSpec } from '../../connectors/shopify/simulator/checkout';
import { woocommerceCheckout } from '../../connectors/woocommerce/simulator/checkout';
import { DEMO_CATALOGUE } from '../../stack/catalogue';
import type { StackInfo } from '../../stack/stack-info';
import { freePort } from '../../stack/free-port';

/**
 * `SHOP=woocommerce npm start` and `SHOPS=shopify,woocommerce npm start` for real: stack/start.ts as its own
 * process (from TypeScript, and so are its services) with embedded PostgreSQL, a Temporal dev server, the worker,
 * the relay and the simulators of the vendors in use. Orders placed in the shop simulators must reach the one ERP
 * as sales orders bound to their connection, and Ctrl-C must stop everything in order.
 */

const scratch = mkdtempSync(join(tmpdir(), 'stack-woo-'));
// As root, PostgreSQL runs as the "postgres" user: it must be able to enter the scratch folder.
chmodSync(scratch, 0o755);
const running: ChildProcess[] = [];

afterAll(async () => {
  for (const child of running.filter((c) => c.exitCode === null)) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

interface RunningStack { info: StackInfo; ports: Record<string, string>; stop(): Promise<{ code: number | null; lastLines: string[] }> }

/** Starts the stack on free ports and a scratch data folder, and waits until it has written stack.json. */
async function startStack(name: string, shops: { SHOP: string } | { SHOPS: string }): Promise<RunningStack> {
  const settings = ['EMBEDDED_PG_PORT', 'TEMPORAL_DEV_PORT', 'TEMPORAL_UI_PORT', 'RELAY_PORT', 'DASHBOARD_PORT', 'HUBSPOT_SIM_PORT', 'SHOPIFY_SIM_PORT', 'STRIPE_SIM_PORT', 'WOOCOMMERCE_SIM_PORT'];
  const ports = Object.fromEntries(await Promise.all(settings.map(async (s) => [s, String(await freePort())] as const)));
  const dataDir = join(scratch, name);
  const env: NodeJS.ProcessEnv = { ...process.env, ...ports, ...shops, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  for (const unset of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'RUN_SIMULATORS', 'SEED_CATALOGUE', 'SHOP', 'SHOPS'].filter((k) => !(k in shops))) delete env[unset];
  const child = spawn(process.execPath, ['-r', './test/support/ts-register.js', 'stack/start.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const file = join(dataDir, 'stack.json');
  const info = await eventually('stack.json', async () => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as StackInfo : undefined), 150_000, () => {
    if (child.exitCode !== null) throw new Error(`the stack exited with ${child.exitCode}:\n${output.slice(-6000)}`);
  });
  return {
    info,
    ports,
    async stop() {
      child.kill('SIGINT');
      const code = await exited;
      return { code, lastLines: output.split('\n').filter((line) => line.startsWith('[stack]')).slice(-2) };
    },
  };
}

/** Polls until `probe` gives a value; `check` may fail early (e.g. when the stack has died). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, check: () => void = () => undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    check();
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A storefront's checkout through the simulator of the given shop vendor, paid through the Stripe simulator. */
function placeOrder(info: StackInfo, vendor: 'shopify' | 'woocommerce', spec: CheckoutSpec): Promise<{ order: ShopOrder }> {
  const payments = new StripePayments({ baseUrl: info.simulators.stripe!.url, apiKey: info.simulators.stripe!.apiKey });
  if (vendor === 'shopify') {
    const sim = info.simulators.shopify!;
    return checkout(new ShopifyClient({ baseUrl: sim.url, accessToken: sim.accessToken, apiVersion: sim.apiVersion }), payments, spec);
  }
  const sim = info.simulators.woocommerce!;
  return woocommerceCheckout(sim, new WoocommerceClient({ baseUrl: sim.url, consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret }), payments, spec);
}

/** The ERP sales order bound to a shop connection's order, once the flow has made it. */
async function erpOrderOf(info: StackInfo, connection: string, shopOrderId: string): Promise<Record<string, unknown>> {
  const db = new Client({ connectionString: info.databaseUrl });
  await db.connect();
  try {
    return await eventually(`the ERP sales order of ${connection} order ${shopOrderId}`, async () => {
      const { rows } = await db.query(
        `SELECT r.created_by, so.total_minor FROM erp.external_ref r JOIN erp.sales_order so ON so.id = r.erp_id
          WHERE r.system = $1 AND r.entity_type = 'order' AND r.external_id = $2`, [connection, shopOrderId]);
      return rows[0] as Record<string, unknown> | undefined;
    }, 60_000);
  } finally {
    await db.end();
  }
}

const getJson = async <T>(url: string) => (await fetch(url).then((r) => r.json())) as T;
const [product] = DEMO_CATALOGUE as [typeof DEMO_CATALOGUE[number]];
const spec: CheckoutSpec = { lines: [{ sku: product.sku, quantity: 2, unitPriceMinor: product.unitPriceMinor }], payment: 'captured', shippingMinor: 499 };
const expectedErpOrder = (connection: string, orderId: string) => ({ created_by: `order-${connection}-${orderId}`, total_minor: String(2 * product.unitPriceMinor + 499) });

describe('SHOP=woocommerce npm start (stack/start.ts as a real process)', () => {
  let stack: RunningStack;

  it('starts the WooCommerce simulator instead of Shopify\'s, seeds it, and lists it and the connections in stack.json', async () => {
    stack = await startStack('woo', { SHOP: 'woocommerce' });
    const { info, ports } = stack;
    expect(info.connections).toEqual([
      { id: 'woocommerce', role: 'shop', vendor: 'woocommerce' },
      { id: 'stripe', role: 'payments', vendor: 'stripe' },
      { id: 'hubspot', role: 'crm', vendor: 'hubspot' },
    ]);
    expect({ woo: info.simulators.woocommerce?.url, shopify: info.simulators.shopify, webhook: info.relay.webhooks.woocommerce }).toEqual({
      woo: `http://127.0.0.1:${ports.WOOCOMMERCE_SIM_PORT}`, shopify: null, webhook: `http://127.0.0.1:${ports.RELAY_PORT}/webhooks/woocommerce`,
    });
    expect(await fetch(`${info.relay.url}/health`).then((r) => r.status)).toBe(200);
    // The monitoring dashboard runs beside them, listed in stack.json, and reads the stack's database.
    expect(info.dashboard).toEqual({ url: `http://127.0.0.1:${ports.DASHBOARD_PORT}`, token: null });
    expect(await fetch(`${info.dashboard.url}/api/kpis`).then((r) => r.status)).toBe(200);
    await expect(fetch(`http://127.0.0.1:${ports.SHOPIFY_SIM_PORT}/__sim/health`)).rejects.toThrow(); // nothing listens there
    const seeded = await getJson<{ products: Array<{ sku: string; stock_quantity: number }> }>(`${info.simulators.woocommerce!.url}/__sim/products`);
    expect(seeded.products.map((p) => [p.sku, p.stock_quantity])).toEqual(DEMO_CATALOGUE.map((p) => [p.sku, p.onHand]));
  }, 180_000);

  it('carries an order placed in the WooCommerce simulator into the ERP, bound to connection woocommerce', async () => {
    const { order } = await placeOrder(stack.info, 'woocommerce', spec);
    expect(await erpOrderOf(stack.info, 'woocommerce', order.id)).toEqual(expectedErpOrder('woocommerce', order.id));
  }, 90_000);

  it('stops every piece in order on Ctrl-C and exits 0', async () => {
    expect(await stack.stop()).toEqual({ code: 0, lastLines: ['[stack]      stopping…', '[stack]      stopped'] });
  }, 60_000);
});

describe('SHOPS=shopify,woocommerce npm start: two shops feeding one ERP', () => {
  it('runs and seeds both shop simulators, and both shops\' orders reach the ERP bound to their connection', async () => {
    const stack = await startStack('both', { SHOPS: 'shopify,woocommerce' });
    const { info } = stack;
    expect(info.connections.filter((c) => c.role === 'shop').map((c) => c.id)).toEqual(['shopify', 'woocommerce']);
    const shopify = await getJson<{ variants: number }>(`${info.simulators.shopify!.url}/__sim/health`);
    const woo = await getJson<{ products: Array<{ sku: string }> }>(`${info.simulators.woocommerce!.url}/__sim/products`);
    expect({ shopifyVariants: shopify.variants, wooSkus: woo.products.map((p) => p.sku) })
      .toEqual({ shopifyVariants: DEMO_CATALOGUE.length, wooSkus: DEMO_CATALOGUE.map((p) => p.sku) });

    for (const vendor of ['shopify', 'woocommerce'] as const) {
      const { order } = await placeOrder(info, vendor, spec);
      expect(await erpOrderOf(info, vendor, order.id)).toEqual(expectedErpOrder(vendor, order.id));
    }
    expect(await stack.stop()).toEqual({ code: 0, lastLines: ['[stack]      stopping…', '[stack]      stopped'] });
  }, 240_000);
});

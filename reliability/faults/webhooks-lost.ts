import { ORDER_UPDATE } from '../../connectors/shopify/queries';
import { toGid } from '../../connectors/shopify/mapper';
import { knownOrderVersions } from '../../engine/order-versions';
import { persistently, vendorClients, type Placed, type PlacedOrder } from '../load';
import { count, sleep, type Scenario, type ScenarioContext } from '../scenario';

/**
 * Webhooks the shops never deliver: both shops send none while the first half of the load runs (creations,
 * payments, the announcements of our own writes), and none again while, after the load, the buyers change the
 * shipping address of every other order. No redelivery comes; only the scheduled order catch-up (every 30 s here)
 * can find what happened. Every order must still reach the ERP once, and every edit with it.
 */

type Sent = { webhooks: Array<{ webhookId?: string; deliveryId?: string }> };
type Delivery = { ids: string[] };

export function webhooksLostScenario(): Scenario {
  let on = false;
  /** The address line each edited order has in its shop now, by `<shop>:<order id>`. */
  const edited = new Map<string, string>();
  const shopUrls = (ctx: ScenarioContext) => [ctx.stack.shopify.url, ctx.stack.woocommerce.url];

  async function pointShops(ctx: ScenarioContext, target: 'nowhere' | 'relay'): Promise<void> {
    for (const [url, connection] of [[ctx.stack.shopify.url, 'shopify'], [ctx.stack.woocommerce.url, 'woocommerce']] as const) {
      const targetUrl = target === 'relay' ? `${ctx.stack.relayUrl}/webhooks/${connection}` : null;
      const res = await fetch(`${url}/__sim/webhooks/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ targetUrl }) });
      if (!res.ok) throw new Error(`pointing ${connection}'s webhooks ${target}: HTTP ${res.status}`);
    }
  }

  /** Webhooks a shop emitted that it never tried to deliver (no target while they were made). */
  async function neverDelivered(ctx: ScenarioContext): Promise<number> {
    let lost = 0;
    for (const url of shopUrls(ctx)) {
      const sent = (await (await fetch(`${url}/__sim/webhooks`)).json()) as Sent;
      const tried = new Set(((await (await fetch(`${url}/__sim/deliveries`)).json()) as { deliveries: Delivery[] }).deliveries.flatMap((d) => d.ids));
      lost += sent.webhooks.map((w) => w.webhookId ?? w.deliveryId).filter((id) => id !== undefined && !tried.has(id)).length;
    }
    return lost;
  }

  /**
   * Waits until each order's flow has confirmed it in the ERP (our write of the ERP number done) and the second of
   * the latest version its flow was brought has passed: shops give versions to the second, and an edit in that same
   * second whose webhook is lost is the gap the catch-up cannot see (domain/order-catchup.ts). The scenario tests
   * what it can see.
   */
  async function settledForEdits(ctx: ScenarioContext, orders: PlacedOrder[]): Promise<void> {
    const deadline = Date.now() + (ctx.scale === 'full' ? 300_000 : 120_000);
    for (;;) {
      const ready = await readyForEdits(ctx, orders);
      if (ready === orders.length) return;
      if (Date.now() > deadline) {
        ctx.log(`editing anyway: ${orders.length - ready} of ${orders.length} orders not yet confirmed in the ERP`);
        return;
      }
      await sleep(500);
    }
  }

  /** How many of the orders are confirmed in the ERP with the second of their latest brought version past. */
  async function readyForEdits(ctx: ScenarioContext, orders: PlacedOrder[]): Promise<number> {
    const { rows } = await ctx.stack.pool.query<{ key: string }>(
      `SELECT r.system || ':' || r.external_id AS key FROM erp.external_ref r JOIN erp.sales_order o ON o.id = r.erp_id
        WHERE r.erp_table = 'sales_order' AND r.entity_type = 'order' AND o.confirmed_at IS NOT NULL
          AND r.system || ':' || r.external_id = ANY($1)`,
      [orders.map((o) => `${o.shop}:${o.orderId}`)],
    );
    const confirmed = new Set(rows.map((r) => r.key));
    let ready = 0;
    for (const shop of ['shopify', 'woocommerce'] as const) {
      const ids = orders.filter((o) => o.shop === shop && confirmed.has(`${shop}:${o.orderId}`)).map((o) => o.orderId);
      const { brought } = await knownOrderVersions(ctx.stack.pool, shop, ids);
      ready += ids.filter((id) => (brought.get(id)?.getTime() ?? -Infinity) < Date.now() - 1000).length;
    }
    return ready;
  }

  async function changeAddress(ctx: ScenarioContext, order: PlacedOrder, address1: string): Promise<void> {
    const address = { firstName: 'Moved', lastName: 'Buyer', address1, city: 'Springfield', zip: '12345', countryCode: 'US' };
    if (order.shop === 'shopify') {
      await vendorClients(ctx.stack).shopify.request(ORDER_UPDATE, { input: { id: toGid(order.orderId, 'Order'), shippingAddress: address } });
      return;
    }
    // A WooCommerce order edited by the shop's staff in WordPress.
    const shipping = { first_name: address.firstName, last_name: address.lastName, address_1: address1, city: address.city, postcode: address.zip, country: address.countryCode };
    const res = await fetch(`${ctx.stack.woocommerce.url}/__sim/orders/${order.orderId}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ shipping }),
    });
    if (!res.ok) throw new Error(`editing WooCommerce order ${order.orderId}: HTTP ${res.status}`);
  }

  return {
    name: 'webhooks-lost',
    title: 'webhooks lost: the shops send none for the first half of the load, nor for address edits after it',
    async before(ctx) {
      await pointShops(ctx, 'nowhere');
      ctx.log('shop webhooks off');
    },
    async during(ctx, done) {
      if (on || done < 0.5) return;
      on = true;
      await pointShops(ctx, 'relay');
      ctx.log(`shop webhooks on (${Math.round(done * 100)} % of the load placed)`);
    },
    async after(ctx, placed: Placed) {
      if (!on) await pointShops(ctx, 'relay');
      await pointShops(ctx, 'nowhere');
      const toEdit = placed.orders.filter((_, i) => i % 2 === 0);
      await settledForEdits(ctx, toEdit);
      const errors: string[] = [];
      for (const [i, order] of toEdit.entries()) {
        const address1 = `${i + 1} Lost Webhook Lane`;
        // The shop's API throttles a burst of edits as it throttles the storefront: the buyer tries again.
        await persistently(`address edit of ${order.shop} order ${order.orderId}`, () => changeAddress(ctx, order, address1), errors);
        if (errors.length > 0) throw new Error(errors.join('; '));
        edited.set(`${order.shop}:${order.orderId}`, address1);
      }
      await pointShops(ctx, 'relay');
      count(ctx, 'address edits with no webhook', toEdit.length);
      count(ctx, 'shop webhooks never delivered', await neverDelivered(ctx));
    },
    async unsettled(ctx) {
      if (edited.size === 0) return [];
      const { rows } = await ctx.stack.pool.query<{ key: string; address1: string | null }>(
        `SELECT r.system || ':' || r.external_id AS key, o.shipping_address->>'address1' AS address1
           FROM erp.external_ref r JOIN erp.sales_order o ON o.id = r.erp_id
          WHERE r.erp_table = 'sales_order' AND r.entity_type = 'order' AND r.system || ':' || r.external_id = ANY($1)`,
        [[...edited.keys()]],
      );
      const inErp = new Map(rows.map((r) => [r.key, r.address1]));
      const behind = [...edited].filter(([key, address1]) => inErp.get(key) !== address1).map(([key]) => key);
      return behind.length > 0 ? [`${behind.length} of ${edited.size} address edits not in the ERP (${behind.slice(0, 3).join(', ')})`] : [];
    },
  };
}

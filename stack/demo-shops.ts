import type { Connection } from '../connections/connection';
import { ShopifyClient } from '../connectors/shopify/client';
import type { StripePayments } from '../connectors/stripe/client';
import { WoocommerceClient } from '../connectors/woocommerce/client';
import type { ShopOrder } from '../domain/order';
import { checkout, type CheckoutSpec } from '../connectors/shopify/simulator/checkout';
import { woocommerceCheckout } from '../connectors/woocommerce/simulator/checkout';
import type { StackInfo } from './stack-info';

/**
 * The demo's storefronts: one per shop connection in stack.json, each placing orders through its vendor's simulator
 * as a real checkout would (paid through Stripe), and letting the customer cancel them there.
 */
export interface DemoShop {
  connection: Connection;
  checkout(spec: CheckoutSpec): Promise<ShopOrder>;
  cancelByCustomer(orderId: string): Promise<void>;
}

type Storefront = Omit<DemoShop, 'connection'>;
type Simulators = StackInfo['simulators'];

const STOREFRONTS: Record<string, (sims: Simulators, payments: StripePayments) => Storefront | null> = {
  shopify: ({ shopify: sim }, payments) => {
    if (!sim) return null;
    const shop = new ShopifyClient({ baseUrl: sim.url, accessToken: sim.accessToken, apiVersion: sim.apiVersion });
    return {
      checkout: async (spec) => (await checkout(shop, payments, spec)).order,
      cancelByCustomer: async (orderId) => {
        await shop.cancelOrder(orderId, { reason: 'CUSTOMER', refund: false, restock: true });
      },
    };
  },
  woocommerce: ({ woocommerce: sim }, payments) => {
    if (!sim) return null;
    const shop = new WoocommerceClient({ baseUrl: sim.url, consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret });
    return {
      checkout: async (spec) => (await woocommerceCheckout(sim, shop, payments, spec)).order,
      // The buyer cancelling in the store: the control route has the same effects as WordPress's own screens.
      cancelByCustomer: async (orderId) => {
        const res = await fetch(`${sim.url}/__sim/orders/${orderId}`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'cancelled' }),
        });
        if (!res.ok) throw new Error(`WooCommerce simulator refused the cancellation: ${res.status} ${await res.text()}`);
      },
    };
  },
};

/** A storefront for every shop connection of the stack; fails naming a shop whose simulator is not running. */
export function demoShops(info: StackInfo, payments: StripePayments): DemoShop[] {
  return info.connections.filter((c) => c.role === 'shop').map((connection) => {
    const storefront = STOREFRONTS[connection.vendor]?.(info.simulators, payments);
    if (!storefront) throw new Error(`the demo needs the ${connection.vendor} simulator for shop ${connection.id} (RUN_SIMULATORS=true)`);
    return { connection, ...storefront };
  });
}

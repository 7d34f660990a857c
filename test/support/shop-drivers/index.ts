import type { Harness } from '../harness';
import type { ShopDriver, ShopName } from './driver';
import { ShopifyDriver } from './shopify';
import { WoocommerceDriver } from './woocommerce';

export type { PlacedOrder, ShippingAddress, ShopDriver, ShopName } from './driver';
export { ShopifyDriver, WoocommerceDriver };

export const SHOPS: readonly ShopName[] = ['shopify', 'woocommerce'];

export function shopDriver(h: Harness, shop: ShopName): ShopDriver {
  return shop === 'shopify' ? new ShopifyDriver(h) : new WoocommerceDriver(h);
}

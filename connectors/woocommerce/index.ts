import type { ShopConnector } from '../registry';
import { required } from '../settings';
import { WoocommerceShop } from './shop-port';
import { woocommerceWebhooks } from './webhooks';

/** WooCommerce serves the shop role: REST API v3 with a consumer key, order webhooks signed with their secret. */
export const woocommerceConnector: ShopConnector = {
  vendor: 'woocommerce',
  name: 'WooCommerce',
  role: 'shop',
  webhooks: woocommerceWebhooks,
  createShop: ({ woocommerce }) => new WoocommerceShop({
    baseUrl: required(woocommerce?.baseUrl, 'WOOCOMMERCE_BASE_URL', 'WooCommerce'),
    consumerKey: required(woocommerce?.consumerKey, 'WOOCOMMERCE_CONSUMER_KEY', 'WooCommerce'),
    consumerSecret: required(woocommerce?.consumerSecret, 'WOOCOMMERCE_CONSUMER_SECRET', 'WooCommerce'),
  }),
};

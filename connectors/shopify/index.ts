import type { ShopConnector } from '../registry';
import { required } from '../settings';
import { ShopifyShop } from './shop-port';
import { shopifyWebhooks } from './webhooks';

/** Shopify serves the shop role: Admin GraphQL through the official client, HMAC-signed order webhooks. */
export const shopifyConnector: ShopConnector = {
  vendor: 'shopify',
  name: 'Shopify',
  role: 'shop',
  webhooks: shopifyWebhooks,
  createShop: ({ shopify }) => new ShopifyShop({
    baseUrl: required(shopify?.baseUrl, 'SHOPIFY_BASE_URL', 'Shopify'),
    accessToken: required(shopify?.accessToken, 'SHOPIFY_ACCESS_TOKEN', 'Shopify'),
    apiVersion: shopify!.apiVersion,
  }),
};

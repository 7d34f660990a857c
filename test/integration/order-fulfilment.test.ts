import { orderFulfilmentCases } from './suites/order-fulfilment';

/** Against the Shopify simulator; order-fulfilment-woocommerce.test.ts runs the same cases against WooCommerce in parallel. */
describe.each(['shopify'] as const)('%s', orderFulfilmentCases);

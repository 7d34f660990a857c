import { orderHardeningCases } from './suites/order-hardening';

/** Against the Shopify simulator; order-hardening-woocommerce.test.ts runs the same cases against WooCommerce in parallel. */
describe.each(['shopify'] as const)('%s', orderHardeningCases);

import { orderHardeningCases } from './suites/order-hardening';

/** Against the WooCommerce simulator: the cases of order-hardening.test.ts, in a file of its own so jest runs it in parallel. */
describe.each(['woocommerce'] as const)('%s', orderHardeningCases);

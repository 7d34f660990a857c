import { orderFulfilmentCases } from './suites/order-fulfilment';

/** Against the WooCommerce simulator: the cases of order-fulfilment.test.ts, in a file of its own so jest runs it in parallel. */
describe.each(['woocommerce'] as const)('%s', orderFulfilmentCases);

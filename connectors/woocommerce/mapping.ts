import type { EntityMapping } from '../mapping-table';
import { toShopOrder } from './mapper';

const paris = { first_name: 'Ada', last_name: 'Lovelace', company: '', address_1: '1 Rue X', address_2: '', city: 'Paris', state: '', postcode: '75001', country: 'FR' };
const SALES_ORDER = 'erp/sales-orders.ts';

/** A WooCommerce order (REST v3 `GET /wp-json/wc/v3/orders/<id>`) onto the engine's ShopOrder. */
export const WOOCOMMERCE_ORDER_MAPPING: EntityMapping = {
  vendor: 'woocommerce',
  entity: 'Order (REST v3 `GET /orders/<id>`)',
  engineType: 'ShopOrder',
  mapper: '`connectors/woocommerce/mapper.ts` `toShopOrder`',
  map: toShopOrder,
  sample: {
    id: 4750, parent_id: 0, number: '4750', status: 'on-hold', currency: 'EUR',
    date_created: '2026-03-01T10:30:00', date_created_gmt: '2026-03-01T09:30:00', date_modified: '2026-03-01T10:45:00', date_modified_gmt: '2026-03-01T09:45:00',
    date_paid_gmt: null, discount_total: '5.00', shipping_total: '4.90', total_tax: '10.99', total: '70.86', customer_id: 42,
    billing: { ...paris, email: 'ada@example.com', phone: '+33 1 23 45 67 89' }, shipping: { ...paris, phone: '' },
    payment_method: 'stripe', payment_method_title: 'Credit Card (Stripe)', transaction_id: 'ch_3QxCharge',
    meta_data: [{ id: 1, key: '_stripe_intent_id', value: 'pi_3QxIntent' }, { id: 2, key: '_stripe_charge_captured', value: 'no' }],
    line_items: [{ id: 7, name: 'Mug', product_id: 11, variation_id: 0, quantity: 3, subtotal: '59.97', total: '54.97', sku: 'MUG-1', price: 19.99 }],
    fee_lines: [],
  },
  fields: [
    { vendor: 'id', engine: 'id', rule: 'the number as a string; the id in workflow ids and business keys', example: { value: 777, engine: '777' } },
    { vendor: 'id', engine: 'gid', rule: '`woocommerce:order:<id>`', example: { value: 777, engine: 'woocommerce:order:777' } },
    { vendor: 'number', engine: 'name', rule: '`#<number>`: the number people quote (search attribute `ShopOrderNumber` without `#`)', erp: { column: 'erp.sales_order.source_reference', file: SALES_ORDER }, example: { value: '1042', engine: '#1042' } },
    { vendor: 'date_created_gmt', engine: 'createdAt', rule: 'UTC without offset, read as UTC, ISO 8601', erp: { column: 'erp.sales_order.source_created_at', file: SALES_ORDER }, example: { value: '2026-03-02T08:00:00', engine: '2026-03-02T08:00:00.000Z' } },
    { vendor: 'date_modified_gmt', engine: 'version', rule: 'UTC without offset, read as UTC, ISO 8601: which version of the order this read is (also read from the answer to our ERP-number write)', erp: { column: 'erp.sales_order.source_version', file: SALES_ORDER }, example: { value: '2026-03-02T08:15:00', engine: '2026-03-02T08:15:00.000Z' } },
    { vendor: 'status, date_modified_gmt', engine: 'cancelledAt', rule: 'for status `cancelled` or `trash` the last modification (Woo keeps no cancellation date), else `null`', example: { path: 'status', value: 'cancelled', engine: '2026-03-01T09:45:00.000Z' } },
    { vendor: 'billing.email', engine: 'email', rule: 'blank → `null`', example: { value: '', engine: null } },
    { vendor: 'currency', engine: 'currency', rule: 'as is; every amount is read in it', erp: { column: 'erp.sales_order.currency', file: SALES_ORDER } },
    { vendor: 'line_items[].subtotal', engine: 'subtotalMinor', rule: 'Σ of the lines\' `subtotal` (before discounts): the ERP\'s convention total = subtotal + tax + shipping − discount', erp: { column: 'erp.sales_order.subtotal_minor', file: SALES_ORDER }, example: { value: '89.97', engine: 8997 } },
    { vendor: 'total_tax', engine: 'taxMinor', rule: 'decimal string → integer minor units, exact or refused', erp: { column: 'erp.sales_order.tax_minor', file: SALES_ORDER }, example: { value: '2.50', engine: 250 } },
    { vendor: 'shipping_total', engine: 'shippingMinor', rule: 'minor units', erp: { column: 'erp.sales_order.shipping_minor', file: SALES_ORDER }, example: { value: '0.99', engine: 99 } },
    { vendor: 'discount_total', engine: 'discountMinor', rule: 'minor units', erp: { column: 'erp.sales_order.discount_minor', file: SALES_ORDER }, example: { value: '1.00', engine: 100 } },
    { vendor: 'total', engine: 'totalMinor', rule: 'minor units; the amount the payment must capture', erp: { column: 'erp.sales_order.total_minor', file: SALES_ORDER }, example: { value: '71.86', engine: 7186 } },
    { vendor: 'status', engine: 'financialStatus', rule: '`pending` → `PENDING`; `on-hold` → `AUTHORIZED` with an authorised Stripe payment, else `PENDING`; `processing`, `completed` → `PAID`; `refunded` → `REFUNDED`; `failed` → `FAILED`; `cancelled`, `trash` → `VOIDED`; others → `UNKNOWN` (informational)', example: { value: 'processing', engine: 'PAID' } },
    { vendor: 'customer_id', engine: 'customer.id', rule: '`0` (guest checkout) → `null`', example: { value: 0, engine: null } },
    { vendor: 'billing.email', engine: 'customer.email', rule: 'blank → `null`; the buyer\'s email (search attribute `CustomerEmail`, customer matching)', example: { value: 'grace@example.com', engine: 'grace@example.com' } },
    { vendor: 'billing.first_name', engine: 'customer.firstName', rule: 'blank → `null`', example: { value: 'Grace', engine: 'Grace' } },
    { vendor: 'shipping', engine: 'shippingAddress', rule: '`first_name last_name` → `name`, `address_1` → `address1`, `postcode` → `zip`, `state` → `province`, `country` → `countryCode`; phone falls back to the billing phone; no street, city or country → `null`', erp: { column: 'erp.sales_order.shipping_address', file: SALES_ORDER } },
    { vendor: 'shipping.postcode', engine: 'shippingAddress.zip', rule: 'blank → `null`', example: { value: '10115', engine: '10115' } },
    { vendor: 'line_items[].id', engine: 'lines[].lineId', rule: 'as a string', example: { value: 70, engine: '70' } },
    { vendor: 'line_items[].sku', engine: 'lines[].sku', rule: 'blank → `null`; finds the ERP product by SKU', erp: { column: 'erp.sales_order_line.product_id', file: SALES_ORDER }, example: { value: 'MUG-2', engine: 'MUG-2' } },
    { vendor: 'line_items[].subtotal ÷ quantity', engine: 'lines[].unitPriceMinor', rule: 'the line\'s subtotal in minor units divided by its quantity; a subtotal that does not split evenly is refused', erp: { column: 'erp.sales_order_line.unit_price_minor', file: SALES_ORDER }, example: { path: 'line_items.0.subtotal', value: '60.00', engine: 2000 } },
    { vendor: 'meta_data `_stripe_intent_id`', engine: 'payment.paymentId', rule: 'the Stripe gateway\'s PaymentIntent (payment method `stripe`); none → `payment: null`', erp: { column: 'erp.payment.provider_payment_id', file: 'erp/billing.ts' }, example: { path: 'meta_data.0.value', value: 'pi_42', engine: 'pi_42' } },
    { vendor: 'meta_data `erp_tags`', engine: 'tags', rule: 'the ERP numbers written back, as `erp:<number>` tags', example: { path: 'meta_data.1', value: { id: 2, key: 'erp_tags', value: 'erp:SO-1' }, engine: ['erp:SO-1'] } },
  ],
};

export const MAPPINGS: readonly EntityMapping[] = [WOOCOMMERCE_ORDER_MAPPING];

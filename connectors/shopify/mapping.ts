import type { EntityMapping } from '../mapping-table';
import { toShopOrder } from './mapper';

const bag = (amount: string, currencyCode = 'EUR') => ({ shopMoney: { amount, currencyCode } });
const SALES_ORDER = 'erp/sales-orders.ts';

/** A Shopify order (Admin GraphQL, fragment OrderFields) onto the engine's ShopOrder. */
export const SHOPIFY_ORDER_MAPPING: EntityMapping = {
  vendor: 'shopify',
  entity: 'Order (Admin GraphQL `GetOrder`)',
  engineType: 'ShopOrder',
  mapper: '`connectors/shopify/mapper.ts` `toShopOrder`',
  map: toShopOrder,
  sample: {
    id: 'gid://shopify/Order/5523456789012', legacyResourceId: '5523456789012', name: '#1001', createdAt: '2026-03-01T09:30:00Z',
    updatedAt: '2026-03-01T09:45:00Z', cancelledAt: null, cancelReason: null, email: 'ada@example.com', displayFinancialStatus: 'AUTHORIZED', displayFulfillmentStatus: 'UNFULFILLED',
    currencyCode: 'EUR', tags: ['web'], note: null, subtotalPriceSet: bag('54.97'), totalTaxSet: bag('10.99'), totalShippingPriceSet: bag('4.90'),
    totalDiscountsSet: bag('5.00'), totalPriceSet: bag('70.86'),
    customer: { id: 'gid://shopify/Customer/42', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', phone: null },
    shippingAddress: { name: 'Ada Lovelace', address1: '1 Rue X', address2: '', city: 'Paris', zip: '75001', province: null, countryCodeV2: 'FR', phone: null },
    lineItems: {
      nodes: [{ id: 'gid://shopify/LineItem/7', sku: 'MUG-1', title: 'Mug', quantity: 3, originalUnitPriceSet: bag('19.99'), variant: { id: 'gid://shopify/ProductVariant/3', sku: 'MUG-1' } }],
      pageInfo: { hasNextPage: false, endCursor: null },
    },
    transactions: [{ id: 'gid://shopify/OrderTransaction/9', kind: 'AUTHORIZATION', status: 'SUCCESS', gateway: 'stripe', authorizationCode: 'pi_1', amountSet: bag('70.86') }],
    fulfillmentOrders: { nodes: [{ id: 'gid://shopify/FulfillmentOrder/8', status: 'OPEN' }] },
    fulfillments: [],
  },
  fields: [
    { vendor: 'legacyResourceId', engine: 'id', rule: 'numeric string; the id in workflow ids and business keys', example: { value: '777', engine: '777' } },
    { vendor: 'id', engine: 'gid', rule: '`gid://shopify/Order/<id>` as is', example: { value: 'gid://shopify/Order/777', engine: 'gid://shopify/Order/777' } },
    { vendor: 'name', engine: 'name', rule: 'as is, e.g. `#1042`: the number people quote (search attribute `ShopOrderNumber` without `#`)', erp: { column: 'erp.sales_order.source_reference', file: SALES_ORDER }, example: { value: '#1042', engine: '#1042' } },
    { vendor: 'createdAt', engine: 'createdAt', rule: 're-serialised as ISO 8601 UTC', erp: { column: 'erp.sales_order.source_created_at', file: SALES_ORDER }, example: { value: '2026-03-01T10:30:00+01:00', engine: '2026-03-01T09:30:00.000Z' } },
    { vendor: 'updatedAt', engine: 'version', rule: 're-serialised as ISO 8601 UTC: which version of the order this read is (the order catch-up compares it with the versions the flow was brought; also read from the answer to our ERP-number write)', erp: { column: 'erp.sales_order.source_version', file: SALES_ORDER }, example: { value: '2026-03-01T10:45:00+01:00', engine: '2026-03-01T09:45:00.000Z' } },
    { vendor: 'cancelledAt', engine: 'cancelledAt', rule: 'ISO 8601 UTC or `null`', example: { value: '2026-03-02T08:00:00Z', engine: '2026-03-02T08:00:00.000Z' } },
    { vendor: 'email', engine: 'email', rule: 'blank → `null`', example: { value: '  ', engine: null } },
    { vendor: 'currencyCode', engine: 'currency', rule: 'the order currency; every MoneyBag must be in it (`shopMoney.currencyCode`), else a mapping error', erp: { column: 'erp.sales_order.currency', file: SALES_ORDER } },
    { vendor: 'lineItems.nodes[].quantity × originalUnitPriceSet', engine: 'subtotalMinor', rule: 'Σ quantity × unit price, before discounts (the ERP\'s convention: total = subtotal + tax + shipping − discount); Shopify\'s `subtotalPriceSet` is after discounts and not used', erp: { column: 'erp.sales_order.subtotal_minor', file: SALES_ORDER }, example: { path: 'lineItems.nodes.0.quantity', value: 2, engine: 3998 } },
    { vendor: 'totalTaxSet.shopMoney.amount', engine: 'taxMinor', rule: 'decimal string → integer minor units (`toMinorUnits`, exact or refused); `null` → 0', erp: { column: 'erp.sales_order.tax_minor', file: SALES_ORDER }, example: { value: '2.50', engine: 250 } },
    { vendor: 'totalShippingPriceSet.shopMoney.amount', engine: 'shippingMinor', rule: '`toMinorUnits`', erp: { column: 'erp.sales_order.shipping_minor', file: SALES_ORDER }, example: { value: '0.99', engine: 99 } },
    { vendor: 'totalDiscountsSet.shopMoney.amount', engine: 'discountMinor', rule: '`toMinorUnits`; `null` → 0', erp: { column: 'erp.sales_order.discount_minor', file: SALES_ORDER }, example: { value: '1.00', engine: 100 } },
    { vendor: 'totalPriceSet.shopMoney.amount', engine: 'totalMinor', rule: '`toMinorUnits`; the amount the payment must capture', erp: { column: 'erp.sales_order.total_minor', file: SALES_ORDER }, example: { value: '71.86', engine: 7186 } },
    { vendor: 'displayFinancialStatus', engine: 'financialStatus', rule: '`null` → `UNKNOWN`; informational only', example: { value: 'PAID', engine: 'PAID' } },
    { vendor: 'customer.id', engine: 'customer.id', rule: 'legacy id of the Customer gid; no customer (guest checkout) → `customer: null`', example: { value: 'gid://shopify/Customer/9', engine: '9' } },
    { vendor: 'customer.email', engine: 'customer.email', rule: 'blank → `null`; the buyer\'s email (search attribute `CustomerEmail`, customer matching)', example: { value: 'grace@example.com', engine: 'grace@example.com' } },
    { vendor: 'customer.firstName', engine: 'customer.firstName', rule: 'blank → `null`', example: { value: '', engine: null } },
    { vendor: 'customer.lastName', engine: 'customer.lastName', rule: 'blank → `null`', example: { value: 'Hopper', engine: 'Hopper' } },
    { vendor: 'shippingAddress', engine: 'shippingAddress', rule: 'same names, `countryCodeV2` → `countryCode`, blank → `null`', erp: { column: 'erp.sales_order.shipping_address', file: SALES_ORDER } },
    { vendor: 'shippingAddress.countryCodeV2', engine: 'shippingAddress.countryCode', rule: 'as is', example: { value: 'DE', engine: 'DE' } },
    { vendor: 'lineItems.nodes[].id', engine: 'lines[].lineId', rule: 'legacy id of the LineItem gid', example: { value: 'gid://shopify/LineItem/70', engine: '70' } },
    { vendor: 'lineItems.nodes[].sku', engine: 'lines[].sku', rule: 'the line\'s SKU, else its variant\'s; blank → `null`; finds the ERP product by SKU', erp: { column: 'erp.sales_order_line.product_id', file: SALES_ORDER }, example: { value: 'MUG-2', engine: 'MUG-2' } },
    { vendor: 'lineItems.nodes[].quantity', engine: 'lines[].quantity', rule: 'as is (positive)', erp: { column: 'erp.sales_order_line.quantity', file: SALES_ORDER }, example: { value: 5, engine: 5 } },
    { vendor: 'lineItems.nodes[].originalUnitPriceSet.shopMoney.amount', engine: 'lines[].unitPriceMinor', rule: '`toMinorUnits`, before discounts', erp: { column: 'erp.sales_order_line.unit_price_minor', file: SALES_ORDER }, example: { value: '20.00', engine: 2000 } },
    { vendor: 'transactions[].authorizationCode', engine: 'payment.paymentId', rule: 'of the last transaction with kind `AUTHORIZATION` or `SALE`, status `SUCCESS`, gateway `stripe` and a code starting `pi_`; none → `payment: null`', erp: { column: 'erp.payment.provider_payment_id', file: 'erp/billing.ts' }, example: { value: 'pi_42', engine: 'pi_42' } },
    { vendor: 'transactions[].kind', engine: 'payment.kind', rule: '`AUTHORIZATION` → `authorised`, `SALE` → `captured`', example: { value: 'SALE', engine: 'captured' } },
    { vendor: 'tags', engine: 'tags', rule: 'as is; the ERP number is written back as the tag `erp:<number>`', example: { value: ['vip'], engine: ['vip'] } },
  ],
};

export const MAPPINGS: readonly EntityMapping[] = [SHOPIFY_ORDER_MAPPING];

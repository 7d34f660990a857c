import { throttleWaitMs } from '../../connectors/shopify/cost-pacer';
import { legacyId, ShopifyMappingError, stripePayment, toGid, toShopOrder, shopifyOrderSchema } from '../../connectors/shopify/mapper';

const bag = (amount: string, currencyCode = 'EUR') => ({ shopMoney: { amount, currencyCode } });

type Tx = { id: string; kind: string; status: string; gateway: string | null; authorizationCode: string | null; amountSet: ReturnType<typeof bag> };
const tx = (over: Partial<Tx> = {}): Tx => ({
  id: 'gid://shopify/OrderTransaction/9', kind: 'AUTHORIZATION', status: 'SUCCESS', gateway: 'stripe', authorizationCode: 'pi_1', amountSet: bag('70.86'), ...over,
});

/** A GraphQL order as the connector's OrderFields fragment returns it. */
const raw = (over: Record<string, unknown> = {}) => ({
  id: 'gid://shopify/Order/5523456789012',
  legacyResourceId: '5523456789012',
  name: '#1001',
  createdAt: '2026-03-01T09:30:00Z',
  cancelledAt: null,
  cancelReason: null,
  email: 'ada@example.com',
  displayFinancialStatus: 'AUTHORIZED',
  displayFulfillmentStatus: 'UNFULFILLED',
  currencyCode: 'EUR',
  tags: ['web'],
  note: null,
  subtotalPriceSet: bag('54.97'),
  totalTaxSet: bag('10.99'),
  totalShippingPriceSet: bag('4.90'),
  totalDiscountsSet: bag('5.00'),
  totalPriceSet: bag('70.86'),
  customer: { id: 'gid://shopify/Customer/42', email: 'ada@example.com', firstName: 'Ada', lastName: '', phone: null },
  shippingAddress: { name: 'Ada Lovelace', address1: '1 Rue X', address2: '', city: 'Paris', zip: '75001', province: null, countryCodeV2: 'FR', phone: '+33 1 23 45 67 89' },
  lineItems: {
    nodes: [
      { id: 'gid://shopify/LineItem/7', sku: 'MUG-1', title: 'Mug', quantity: 3, originalUnitPriceSet: bag('19.99'), variant: { id: 'gid://shopify/ProductVariant/3', sku: 'MUG-1' } },
    ],
    pageInfo: { hasNextPage: false, endCursor: null },
  },
  transactions: [tx()],
  fulfillmentOrders: { nodes: [{ id: 'gid://shopify/FulfillmentOrder/8', status: 'OPEN' }] },
  fulfillments: [],
  ...over,
});

function mappingError(input: unknown): ShopifyMappingError {
  try {
    toShopOrder(input);
  } catch (err) {
    if (err instanceof ShopifyMappingError) return err;
    throw err;
  }
  throw new Error('expected a mapping error');
}

describe('Shopify order mapper', () => {
  it('maps an order to a ShopOrder with exact minor units', () => {
    expect(toShopOrder(raw())).toEqual({
      id: '5523456789012', gid: 'gid://shopify/Order/5523456789012', name: '#1001', createdAt: '2026-03-01T09:30:00.000Z', cancelledAt: null,
      email: 'ada@example.com', currency: 'EUR',
      subtotalMinor: 5997, taxMinor: 1099, shippingMinor: 490, discountMinor: 500, totalMinor: 7086,
      financialStatus: 'AUTHORIZED',
      customer: { id: '42', email: 'ada@example.com', firstName: 'Ada', lastName: null, phone: null },
      shippingAddress: { name: 'Ada Lovelace', address1: '1 Rue X', address2: null, city: 'Paris', zip: '75001', province: null, countryCode: 'FR', phone: '+33 1 23 45 67 89' },
      lines: [{ lineId: '7', sku: 'MUG-1', title: 'Mug', quantity: 3, unitPriceMinor: 1999 }],
      payment: { gateway: 'stripe', paymentId: 'pi_1', kind: 'authorised', amountMinor: 7086 },
      tags: ['web'],
    });
  });

  it('uses the variant SKU when the line has none, and null when neither has one', () => {
    const lines = (sku: string | null, variant: { id: string; sku: string | null } | null) => raw({
      lineItems: { nodes: [{ id: 'gid://shopify/LineItem/7', sku, title: 'Mug', quantity: 1, originalUnitPriceSet: bag('1.00'), variant }] },
    });
    expect(toShopOrder(lines('', { id: 'gid://shopify/ProductVariant/3', sku: 'V-1' })).lines[0]!.sku).toBe('V-1');
    expect(toShopOrder(lines(null, null)).lines[0]!.sku).toBeNull();
  });

  it('maps currencies with 0 and 3 decimals exactly', () => {
    const jpy = (a: string) => bag(a, 'JPY');
    const order = toShopOrder(raw({
      currencyCode: 'JPY', subtotalPriceSet: jpy('3000'), totalTaxSet: jpy('300'), totalShippingPriceSet: jpy('0'), totalDiscountsSet: jpy('0'), totalPriceSet: jpy('3300'),
      lineItems: { nodes: [{ id: 'gid://shopify/LineItem/7', sku: 'TEA', title: 'Tea', quantity: 2, originalUnitPriceSet: jpy('1500.0'), variant: null }] },
      transactions: [],
    }));
    expect(order).toMatchObject({ currency: 'JPY', subtotalMinor: 3000, taxMinor: 300, totalMinor: 3300, lines: [{ unitPriceMinor: 1500 }], payment: null });
    const kwd = toShopOrder(raw({
      currencyCode: 'KWD', subtotalPriceSet: null, totalTaxSet: null, totalShippingPriceSet: bag('0.500', 'KWD'), totalDiscountsSet: null, totalPriceSet: bag('12.845', 'KWD'),
      lineItems: { nodes: [{ id: 'gid://shopify/LineItem/7', sku: 'X', title: 'X', quantity: 1, originalUnitPriceSet: bag('12.345', 'KWD'), variant: null }] },
      transactions: [],
    }));
    expect(kwd).toMatchObject({ subtotalMinor: 12_345, shippingMinor: 500, taxMinor: 0, discountMinor: 0, totalMinor: 12_845 });
  });

  describe('Stripe payment reference', () => {
    const pick = (transactions: Tx[]) => stripePayment(shopifyOrderSchema.parse(raw({ transactions })));

    it('takes a successful Stripe authorisation or sale whose code is a PaymentIntent', () => {
      expect(pick([tx({ kind: 'SALE', authorizationCode: 'pi_sale' })])).toEqual({ gateway: 'stripe', paymentId: 'pi_sale', kind: 'captured', amountMinor: 7086 });
      expect(pick([tx({ gateway: 'Stripe' })])?.paymentId).toBe('pi_1');
    });

    it.each([
      ['another gateway', tx({ gateway: 'shopify_payments' })],
      ['a failed authorisation', tx({ status: 'FAILURE' })],
      ['a pending sale', tx({ kind: 'SALE', status: 'PENDING' })],
      ['a capture', tx({ kind: 'CAPTURE' })],
      ['a refund', tx({ kind: 'REFUND' })],
      ['a charge id instead of a PaymentIntent', tx({ authorizationCode: 'ch_1' })],
      ['no authorization code', tx({ authorizationCode: null })],
    ])('ignores %s', (_label, transaction) => {
      expect(pick([transaction])).toBeNull();
    });

    it('prefers the latest matching transaction', () => {
      expect(pick([tx({ authorizationCode: 'pi_old' }), tx({ kind: 'CAPTURE', authorizationCode: 'pi_old' }), tx({ authorizationCode: 'pi_new' })])?.paymentId).toBe('pi_new');
    });
  });

  it.each([
    ['a missing total', raw({ totalPriceSet: undefined }), 'totalPriceSet'],
    ['a non-numeric legacy id', raw({ legacyResourceId: 'abc' }), 'legacyResourceId'],
    ['an unparseable createdAt', raw({ createdAt: 'yesterday' }), 'createdAt'],
    ['a fractional quantity', raw({ lineItems: { nodes: [{ ...raw().lineItems.nodes[0]!, quantity: 1.5 }] } }), 'lineItems.nodes.0.quantity'],
    ['a price with more decimals than the currency has', raw({ totalTaxSet: bag('10.999') }), 'totalTaxSet.shopMoney.amount'],
    ['an amount in another currency', raw({ totalShippingPriceSet: bag('4.90', 'USD') }), 'totalShippingPriceSet.shopMoney.currencyCode'],
    ['an unreadable amount', raw({ totalPriceSet: bag('12,30') }), 'totalPriceSet.shopMoney.amount'],
    ['a negative total', raw({ totalPriceSet: bag('-1.00') }), 'totalMinor'],
    ['an order without lines', raw({ lineItems: { nodes: [] } }), 'lines'],
    ['a lower-case currency', raw({ currencyCode: 'eur' }), 'currencyCode'],
  ])('rejects %s and names the field', (_label, input, field) => {
    const err = mappingError(input);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
  });
});

describe('Shopify global ids', () => {
  it('converts between numeric ids and gids of the right type only', () => {
    expect(toGid('123', 'Order')).toBe('gid://shopify/Order/123');
    expect(toGid('gid://shopify/Order/123', 'Order')).toBe('gid://shopify/Order/123');
    expect(() => toGid('gid://shopify/Customer/123', 'Order')).toThrow('not a Shopify Order id');
    expect(() => toGid('12a', 'Order')).toThrow();
    expect(legacyId('gid://shopify/LineItem/77', 'LineItem')).toBe('77');
  });
});

describe('THROTTLED wait', () => {
  it('is the missing points divided by the restore rate', () => {
    expect(throttleWaitMs({ requestedQueryCost: 232, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 132, restoreRate: 50 } })).toBe(2000);
    expect(throttleWaitMs({ requestedQueryCost: 12, throttleStatus: { maximumAvailable: 100, currentlyAvailable: 11.5, restoreRate: 20 } })).toBe(50);
    // Never zero, and a sane default when Shopify sends no cost extension.
    expect(throttleWaitMs({ requestedQueryCost: 10, throttleStatus: { maximumAvailable: 100, currentlyAvailable: 50, restoreRate: 10 } })).toBe(100);
    expect(throttleWaitMs(undefined)).toBe(1000);
  });
});

import type { ShopOrder } from '../../domain/order';

/** Shop orders as the connectors hand them over, for tests that need one without a shop. */

export const shopAddress = (name: string | null): ShopOrder['shippingAddress'] => ({
  name, address1: '1 Main St', address2: null, city: 'Springfield', zip: '12345', province: null, countryCode: 'US', phone: null,
});

export const shopCustomer = (over: Partial<NonNullable<ShopOrder['customer']>> = {}): ShopOrder['customer'] => ({
  id: '901', email: 'jane.doe+shop@example.com', firstName: null, lastName: null, phone: null, ...over,
});

/** An email-only guest order of one line (SKU-1), unless overridden. */
export const shopOrder = (over: Partial<ShopOrder> = {}): ShopOrder => ({
  id: '5001', gid: 'gid://shopify/Order/5001', name: '#1001', createdAt: '2026-01-01T00:00:00Z', cancelledAt: null,
  email: 'Jane.Doe+shop@Example.com', currency: 'USD', subtotalMinor: 2500, taxMinor: 0, shippingMinor: 0, discountMinor: 0, totalMinor: 2500,
  financialStatus: 'PAID', customer: null, shippingAddress: null, lines: [{ lineId: 'l1', sku: 'SKU-1', title: 'T', quantity: 1, unitPriceMinor: 2500 }],
  payment: null, tags: [], ...over,
});

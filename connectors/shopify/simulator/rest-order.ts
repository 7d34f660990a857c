import { toDecimalString } from '../../../domain/money';
import { displayFulfillmentStatus, gid, totals, type SimOrder } from './state';

/**
 * An order in Shopify's REST shape, which is what webhooks carry even for GraphQL apps: numeric ids, lower-case
 * statuses, decimal strings and tags as one comma-separated string.
 */

/** REST timestamps carry the shop's offset; the simulated shop lives in UTC. */
const restTime = (iso: string | null) => (iso === null ? null : iso.replace(/(\.\d+)?Z$/, '+00:00'));

export function restOrder(o: SimOrder): Record<string, unknown> {
  const t = totals(o);
  const c = o.currency;
  const amount = (minor: number) => toDecimalString(minor, c);
  const set = (minor: number) => ({ shop_money: { amount: amount(minor), currency_code: c }, presentment_money: { amount: amount(minor), currency_code: c } });
  const fulfillment = displayFulfillmentStatus(o);
  const a = o.shippingAddress;
  return {
    id: o.id,
    admin_graphql_api_id: gid('Order', o.id),
    name: o.name,
    order_number: o.number,
    number: o.number - 1000,
    email: o.email,
    contact_email: o.email,
    phone: o.phone,
    created_at: restTime(o.createdAt),
    updated_at: restTime(o.updatedAt),
    processed_at: restTime(o.processedAt),
    cancelled_at: restTime(o.cancelledAt),
    cancel_reason: o.cancelReason?.toLowerCase() ?? null,
    closed_at: restTime(o.closedAt),
    currency: c,
    presentment_currency: c,
    financial_status: o.financialStatus.toLowerCase(),
    fulfillment_status: fulfillment === 'FULFILLED' ? 'fulfilled' : fulfillment === 'PARTIALLY_FULFILLED' ? 'partial' : null,
    confirmed: true,
    test: o.test,
    payment_gateway_names: [...new Set(o.transactions.map((tx) => tx.gateway))],
    total_line_items_price: amount(t.lineItemsMinor),
    subtotal_price: amount(t.subtotalMinor),
    total_tax: amount(t.taxMinor),
    total_discounts: amount(t.discountsMinor),
    total_price: amount(t.totalMinor),
    total_outstanding: amount(t.outstandingMinor),
    subtotal_price_set: set(t.subtotalMinor),
    total_tax_set: set(t.taxMinor),
    total_discounts_set: set(t.discountsMinor),
    total_price_set: set(t.totalMinor),
    total_shipping_price_set: set(t.shippingMinor),
    tags: o.tags.join(', '),
    note: o.note,
    customer: o.customer && {
      id: o.customer.id, admin_graphql_api_id: gid('Customer', o.customer.id), email: o.customer.email,
      first_name: o.customer.firstName, last_name: o.customer.lastName, phone: o.customer.phone,
    },
    shipping_address: a && {
      name: [a.firstName, a.lastName].filter(Boolean).join(' ') || null, first_name: a.firstName, last_name: a.lastName,
      address1: a.address1, address2: a.address2, city: a.city, zip: a.zip, province: a.province, province_code: a.provinceCode,
      country_code: a.countryCode, phone: a.phone, company: a.company,
    },
    line_items: o.lineItems.map((l) => ({
      id: l.id, admin_graphql_api_id: gid('LineItem', l.id), variant_id: l.variantId, sku: l.sku, title: l.title, name: l.title,
      quantity: l.quantity, price: amount(l.unitPriceMinor), price_set: set(l.unitPriceMinor),
      fulfillable_quantity: o.cancelledAt || fulfillment === 'FULFILLED' ? 0 : l.quantity,
      fulfillment_status: fulfillment === 'FULFILLED' ? 'fulfilled' : null,
    })),
    shipping_lines: o.shippingLines.map((s) => ({ id: s.id, title: s.title, code: s.code, price: amount(s.priceMinor), price_set: set(s.priceMinor) })),
    tax_lines: o.taxLines.map((tl) => ({ title: tl.title, rate: Number(tl.rate), price: amount(tl.priceMinor), price_set: set(tl.priceMinor) })),
    discount_codes: o.discountCodes.map((d) => ({ code: d.code, type: d.type, amount: amount(d.amountMinor) })),
    fulfillments: o.fulfillments.map((f) => ({
      id: f.id, admin_graphql_api_id: gid('Fulfillment', f.id), order_id: o.id, status: 'success', created_at: restTime(f.createdAt),
      tracking_company: f.trackingCompany, tracking_number: f.trackingNumber, tracking_numbers: f.trackingNumber ? [f.trackingNumber] : [],
      tracking_url: f.trackingUrl,
    })),
    refunds: [],
  };
}

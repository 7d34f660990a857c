import { toDecimalString } from '../../../domain/money';
import { toWooGmt } from '../mapper';
import type { BatchResult, SimNote, SimOrder, SimProduct } from './state';

/**
 * The simulator's state as WooCommerce's REST API v3 shows it: numeric ids, money as decimal strings, dates as
 * site-local and `_gmt` pairs (the simulated site runs on UTC, so both are equal).
 */

const money = (minor: number, currency: string) => toDecimalString(minor, currency);
const date = (d: Date | null) => (d ? toWooGmt(d) : null);

export function orderView(o: SimOrder): Record<string, unknown> {
  const m = (minor: number) => money(minor, o.currency);
  const subtotal = o.lines.reduce((sum, l) => sum + l.unitMinor * l.quantity, 0);
  return {
    id: o.id, parent_id: 0, status: o.status, currency: o.currency, version: '9.4.0', prices_include_tax: false,
    date_created: date(o.createdAt), date_created_gmt: date(o.createdAt),
    date_modified: date(o.modifiedAt), date_modified_gmt: date(o.modifiedAt),
    discount_total: m(o.discountMinor), discount_tax: m(0), shipping_total: m(o.shippingMinor), shipping_tax: m(0),
    cart_tax: m(o.taxMinor), total: m(subtotal - o.discountMinor + o.shippingMinor + o.taxMinor), total_tax: m(o.taxMinor),
    customer_id: o.customerId, order_key: o.orderKey, billing: { ...o.billing }, shipping: { ...o.shipping },
    payment_method: o.paymentMethod, payment_method_title: o.paymentMethodTitle, transaction_id: o.transactionId,
    customer_ip_address: '', customer_user_agent: '', created_via: 'checkout', customer_note: o.customerNote,
    date_completed: date(o.completedAt), date_completed_gmt: date(o.completedAt), date_paid: date(o.paidAt), date_paid_gmt: date(o.paidAt),
    cart_hash: '', number: String(o.id), meta_data: o.meta.map((e) => ({ ...e })),
    line_items: o.lines.map((l) => ({
      id: l.id, name: l.name, product_id: l.productId, variation_id: l.variationId, quantity: l.quantity, tax_class: '',
      subtotal: m(l.unitMinor * l.quantity), subtotal_tax: m(0), total: m(l.totalMinor), total_tax: m(0), taxes: [], meta_data: [],
      // Woo really sends the unit price as a JSON number; our mapper never reads it.
      sku: l.sku, price: Number(m(l.unitMinor)),
    })),
    tax_lines: [],
    shipping_lines: o.shippingMinor === 0 ? [] : [
      { id: o.id * 10 + 1, method_title: 'Flat rate', method_id: 'flat_rate', total: m(o.shippingMinor), total_tax: m(0), taxes: [] },
    ],
    fee_lines: [], coupon_lines: [], refunds: [],
    _links: { self: [{ href: `/wp-json/wc/v3/orders/${o.id}` }], collection: [{ href: '/wp-json/wc/v3/orders' }] },
  };
}

export function productView(p: SimProduct, currency: string, variationIds: number[] = []): Record<string, unknown> {
  const price = money(p.priceMinor, currency);
  const inStock = !p.manageStock || (p.stockQuantity ?? 0) > 0;
  return {
    id: p.id, name: p.name, slug: p.name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), type: p.type, status: 'publish', parent_id: p.parentId,
    sku: p.sku, price, regular_price: price, sale_price: '', manage_stock: p.manageStock, stock_quantity: p.stockQuantity,
    stock_status: inStock ? 'instock' : 'outofstock', date_modified: date(p.modifiedAt), date_modified_gmt: date(p.modifiedAt),
    variations: variationIds,
  };
}

export function noteView(n: SimNote): Record<string, unknown> {
  return {
    id: n.id, author: 'WooCommerce', date_created: date(n.createdAt), date_created_gmt: date(n.createdAt),
    note: n.note, customer_note: n.customerNote,
  };
}

export function batchItemView(result: BatchResult, currency: string): Record<string, unknown> {
  return 'product' in result ? productView(result.product, currency) : { id: result.id, error: result.error.body() };
}

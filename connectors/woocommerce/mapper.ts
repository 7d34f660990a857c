import { toMinorUnits } from '../../domain/money';
import { shopOrderSchema, type ShopOrder, type ShopPayment } from '../../domain/order';
import { MappingError, parseWith } from '../parse';
import {
  ERP_TAGS_META, metaValue, STRIPE_CAPTURED_META, STRIPE_INTENT_META, wooOrderSchema, type WooOrder,
} from './schema';

/** A WooCommerce order, validated, and its mapping to our shop-neutral ShopOrder. Pure. */

export const VENDOR = 'WooCommerce';

const fail = (field: string, detail: string) => new MappingError(VENDOR, field, detail);

/** Exact minor units of a decimal string in the order's currency, never through floats; the error names the field. */
export function wooMinor(amount: string, currency: string, field: string): number {
  let minor: number;
  try {
    minor = toMinorUnits(amount, currency);
  } catch (err) {
    throw fail(field, (err as Error).message);
  }
  if (minor < 0) throw fail(field, `amount "${amount}" must not be negative`);
  return minor;
}

/** "2026-03-01T09:30:00" (UTC, no offset, as in `*_gmt`) -> "2026-03-01T09:30:00.000Z". */
export function fromWooGmt(date: string): string {
  return new Date(`${date}Z`).toISOString();
}

/** "2026-03-01T09:30:00.123Z" -> "2026-03-01T09:30:00": the shape of Woo's `*_gmt` fields. */
export function toWooGmt(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/**
 * The Stripe PaymentIntent behind an order paid with the WooCommerce Stripe gateway. The gateway keeps the intent
 * in `_stripe_intent_id`, the charge in `transaction_id` and, once it charged, whether it captured in
 * `_stripe_charge_captured`. Without that flag a charge on an unpaid order is an authorisation (Woo shows it on
 * hold), on a paid one a sale. No charge yet (the buyer has not finished paying) means no payment.
 */
export function stripePayment(order: WooOrder, totalMinor: number): ShopPayment | null {
  const intent = metaValue(order.meta_data, STRIPE_INTENT_META);
  if (order.payment_method !== 'stripe' || !intent?.startsWith('pi_')) return null;
  const captured = metaValue(order.meta_data, STRIPE_CAPTURED_META);
  const kind = captured === 'yes' ? 'captured'
    : captured === 'no' ? 'authorised'
      : order.transaction_id.trim() === '' ? null
        : order.date_paid_gmt ? 'captured' : 'authorised';
  return kind && { gateway: 'stripe', paymentId: intent, kind, amountMinor: totalMinor };
}

/** Woo statuses in the Shopify-like terms ShopOrder uses; a cancelled or trashed order counts as cancelled. */
export function statusView(status: string, payment: ShopPayment | null): { financialStatus: string; cancelled: boolean } {
  switch (status) {
    case 'pending': return { financialStatus: 'PENDING', cancelled: false };
    case 'on-hold': return { financialStatus: payment?.kind === 'authorised' ? 'AUTHORIZED' : 'PENDING', cancelled: false };
    case 'processing':
    case 'completed': return { financialStatus: 'PAID', cancelled: false };
    case 'refunded': return { financialStatus: 'REFUNDED', cancelled: false };
    // The buyer may still pay a failed order again.
    case 'failed': return { financialStatus: 'FAILED', cancelled: false };
    case 'cancelled':
    case 'trash': return { financialStatus: 'VOIDED', cancelled: true };
    // Plugins add statuses of their own (e.g. "shipped"); they say nothing we can rely on about money.
    default: return { financialStatus: 'UNKNOWN', cancelled: false };
  }
}

export function erpTags(order: Pick<WooOrder, 'meta_data'>): string[] {
  return (metaValue(order.meta_data, ERP_TAGS_META) ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
}

const blankToNull = (value: string | null | undefined) => (value === undefined || value === null || value.trim() === '' ? null : value);

function fullName(first: string | null | undefined, last: string | null | undefined): string | null {
  return blankToNull([first, last].map((p) => p?.trim() ?? '').filter(Boolean).join(' '));
}

function mapLines(o: WooOrder) {
  return o.line_items.map((l, i) => {
    const subtotal = wooMinor(l.subtotal, o.currency, `line_items.${i}.subtotal`);
    // ShopOrder carries a unit price; a subtotal that does not split evenly (tax-inclusive rounding) cannot be one.
    if (subtotal % l.quantity !== 0) {
      throw fail(`line_items.${i}.subtotal`, `${l.subtotal} ${o.currency} is not ${l.quantity} equal unit prices`);
    }
    return { lineId: String(l.id), sku: blankToNull(l.sku), title: l.name, quantity: l.quantity, unitPriceMinor: subtotal / l.quantity };
  });
}

function mapAddress(o: WooOrder): ShopOrder['shippingAddress'] {
  const s = o.shipping;
  if (!blankToNull(s.address_1) && !blankToNull(s.city) && !blankToNull(s.country)) return null;
  return {
    name: fullName(s.first_name, s.last_name), address1: blankToNull(s.address_1), address2: blankToNull(s.address_2),
    city: blankToNull(s.city), zip: blankToNull(s.postcode), province: blankToNull(s.state), countryCode: blankToNull(s.country),
    phone: blankToNull(s.phone) ?? blankToNull(o.billing.phone),
  };
}

function mapCustomer(o: WooOrder): ShopOrder['customer'] {
  const b = o.billing;
  const customer = {
    // 0 is a guest checkout: the buyer is known only by the billing details.
    id: o.customer_id > 0 ? String(o.customer_id) : null,
    email: blankToNull(b.email), firstName: blankToNull(b.first_name), lastName: blankToNull(b.last_name), phone: blankToNull(b.phone),
  };
  return Object.values(customer).every((v) => v === null) ? null : customer;
}

/**
 * Maps a Woo order to a ShopOrder. `subtotalMinor` is the lines' gross before discounts (Woo's line `subtotal`),
 * the ERP's convention: total = subtotal + tax + shipping − discount. Fees have no place in that sum, so an
 * order with a non-zero fee is refused rather than booked with a total that does not add up.
 */
export function toShopOrder(raw: unknown): ShopOrder {
  const o = parseWith(VENDOR, wooOrderSchema, raw);
  const currency = o.currency;
  o.fee_lines.forEach((fee, i) => {
    if (wooMinor(fee.total, currency, `fee_lines.${i}.total`) !== 0) throw fail(`fee_lines.${i}.total`, `fee "${fee.name}" is not supported`);
  });
  const lines = mapLines(o);
  const totalMinor = wooMinor(o.total, currency, 'total');
  const payment = stripePayment(o, totalMinor);
  const status = statusView(o.status, payment);
  const mapped = {
    id: String(o.id),
    gid: `woocommerce:order:${o.id}`,
    name: `#${o.number}`,
    createdAt: fromWooGmt(o.date_created_gmt),
    version: fromWooGmt(o.date_modified_gmt),
    // Woo keeps no cancellation date; the last change is when the order was cancelled or trashed.
    cancelledAt: status.cancelled ? fromWooGmt(o.date_modified_gmt) : null,
    email: blankToNull(o.billing.email),
    currency,
    subtotalMinor: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0),
    taxMinor: wooMinor(o.total_tax, currency, 'total_tax'),
    shippingMinor: wooMinor(o.shipping_total, currency, 'shipping_total'),
    discountMinor: wooMinor(o.discount_total, currency, 'discount_total'),
    totalMinor,
    financialStatus: status.financialStatus,
    customer: mapCustomer(o),
    shippingAddress: mapAddress(o),
    lines,
    payment,
    tags: erpTags(o),
  };
  // Our own invariants (at least one line, whole amounts), named in ShopOrder's terms.
  return parseWith(VENDOR, shopOrderSchema, mapped);
}

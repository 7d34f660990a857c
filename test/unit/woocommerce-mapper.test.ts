import { erpTags, fromWooGmt, statusView, stripePayment, toShopOrder, toWooGmt } from '../../connectors/woocommerce/mapper';
import { MappingError } from '../../connectors/parse';
import { wooOrderSchema } from '../../connectors/woocommerce/schema';
import { totalsProblem } from '../../domain/order-customer';

const paris = { first_name: 'Ada', last_name: 'Lovelace', company: '', address_1: '1 Rue X', address_2: '', city: 'Paris', state: '', postcode: '75001', country: 'FR' };

/** A Woo order as `GET /wp-json/wc/v3/orders/<id>` returns it: 3 × 19.99 − 5.00 + 4.90 shipping + 10.99 tax = 70.86. */
const raw = (over: Record<string, unknown> = {}) => ({
  id: 4750, parent_id: 0, number: '4750', status: 'on-hold', currency: 'EUR',
  date_created: '2026-03-01T10:30:00', date_created_gmt: '2026-03-01T09:30:00',
  date_modified: '2026-03-01T10:45:00', date_modified_gmt: '2026-03-01T09:45:00', date_paid_gmt: null,
  discount_total: '5.00', shipping_total: '4.90', total_tax: '10.99', total: '70.86',
  customer_id: 42,
  billing: { ...paris, email: 'ada@example.com', phone: '+33 1 23 45 67 89' },
  shipping: { ...paris, phone: '' },
  payment_method: 'stripe', payment_method_title: 'Credit Card (Stripe)', transaction_id: 'ch_3QxCharge',
  meta_data: [{ id: 1, key: '_stripe_intent_id', value: 'pi_3QxIntent' }, { id: 2, key: 'erp_tags', value: 'erp:SO-1001, erp:SO-1002' }],
  line_items: [{ id: 7, name: 'Mug', product_id: 11, variation_id: 0, quantity: 3, subtotal: '59.97', total: '54.97', sku: 'MUG-1', price: 19.99 }],
  fee_lines: [],
  ...over,
});

function mappingError(input: unknown): MappingError {
  try {
    toShopOrder(input);
  } catch (err) {
    if (err instanceof MappingError) return err;
    throw err;
  }
  throw new Error('expected a mapping error');
}

const withMeta = (...meta: Array<[string, unknown]>) => meta.map(([key, value], i) => ({ id: i + 1, key, value }));

describe('WooCommerce order mapper', () => {
  it('maps an order to a ShopOrder with exact minor units, UTC instants and the Stripe authorisation', () => {
    const order = toShopOrder(raw());
    expect(order).toEqual({
      id: '4750', gid: 'woocommerce:order:4750', name: '#4750', createdAt: '2026-03-01T09:30:00.000Z', version: '2026-03-01T09:45:00.000Z', cancelledAt: null,
      email: 'ada@example.com', currency: 'EUR',
      subtotalMinor: 5997, taxMinor: 1099, shippingMinor: 490, discountMinor: 500, totalMinor: 7086,
      financialStatus: 'AUTHORIZED',
      customer: { id: '42', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', phone: '+33 1 23 45 67 89' },
      shippingAddress: {
        name: 'Ada Lovelace', address1: '1 Rue X', address2: null, city: 'Paris', zip: '75001', province: null, countryCode: 'FR', phone: '+33 1 23 45 67 89',
      },
      lines: [{ lineId: '7', sku: 'MUG-1', title: 'Mug', quantity: 3, unitPriceMinor: 1999 }],
      payment: { gateway: 'stripe', paymentId: 'pi_3QxIntent', kind: 'authorised', amountMinor: 7086 },
      tags: ['erp:SO-1001', 'erp:SO-1002'],
    });
    expect(totalsProblem(order)).toBeNull();
  });

  it.each([
    ['JPY', '1500', 1500],
    ['JPY', '1500.00', 1500],
    ['KWD', '12.345', 12345],
    ['KWD', '0.005', 5],
    ['USD', '12.3', 1230],
    ['USD', '0.10', 10],
    ['USD', '90071992547409.91', 9007199254740991],
  ])('reads %s "%s" as %i minor units, exactly', (currency, amount, minor) => {
    const order = toShopOrder(raw({
      currency, discount_total: '0', shipping_total: '0', total_tax: '0', total: amount, payment_method: 'cod', meta_data: [],
      line_items: [{ id: 7, name: 'Tea', product_id: 11, variation_id: 0, quantity: 1, subtotal: amount, total: amount, sku: 'TEA' }],
    }));
    expect(order.totalMinor).toBe(minor);
    expect(order.lines[0]!.unitPriceMinor).toBe(minor);
  });

  it.each([
    ['total', '70.861', 'more decimals than EUR allows'],
    ['total', '1e3', 'invalid amount'],
    ['total', '70,86', 'invalid amount'],
    ['total', '', 'invalid amount'],
    ['total', '.5', 'invalid amount'],
    ['total', '90071992547409.93', 'too large'],
    ['shipping_total', '-4.90', 'must not be negative'],
    ['total_tax', 'NaN', 'invalid amount'],
  ])('refuses %s "%s", naming the field', (field, amount, detail) => {
    const err = mappingError(raw({ [field]: amount }));
    expect(err.field).toBe(field);
    expect(err.message).toContain(detail);
    expect(err.message).toContain('WooCommerce');
  });

  it('refuses more decimals than the currency has, in a zero- and a three-decimal currency', () => {
    expect(mappingError(raw({ currency: 'JPY', total: '7086.5' })).message).toContain('JPY allows (0)');
    expect(mappingError(raw({ currency: 'KWD', total: '70.8601' })).message).toContain('KWD allows (3)');
  });

  it('refuses a line amount that is wrong or does not split into equal unit prices, naming the line', () => {
    const line = (over: Record<string, unknown>) => raw({ line_items: [{ ...raw().line_items[0], ...over }] });
    expect(mappingError(line({ subtotal: '19.999' })).field).toBe('line_items.0.subtotal');
    const uneven = mappingError(line({ subtotal: '10.00', quantity: 3 }));
    expect(uneven.field).toBe('line_items.0.subtotal');
    expect(uneven.message).toContain('not 3 equal unit prices');
  });

  it('refuses amounts sent as JSON numbers (floats) and malformed dates, naming the field', () => {
    expect(mappingError(raw({ total: 70.86 })).field).toBe('total');
    expect(mappingError(raw({ date_created_gmt: '2026-03-01 09:30:00' })).field).toBe('date_created_gmt');
    expect(mappingError(raw({ currency: 'eur' })).field).toBe('currency');
    expect(mappingError(raw({ line_items: [] })).field).toBe('lines');
  });

  it('refuses an order with a fee, whose total the ERP could not reproduce; a zero fee is fine', () => {
    const err = mappingError(raw({ fee_lines: [{ id: 3, name: 'Gift wrap', total: '2.00' }] }));
    expect(err.field).toBe('fee_lines.0.total');
    expect(() => toShopOrder(raw({ fee_lines: [{ id: 3, name: 'Nothing', total: '0.00' }] }))).not.toThrow();
  });

  it.each([
    ['pending', 'PENDING', false],
    ['on-hold', 'AUTHORIZED', false],
    ['processing', 'PAID', false],
    ['completed', 'PAID', false],
    ['refunded', 'REFUNDED', false],
    ['failed', 'FAILED', false],
    ['cancelled', 'VOIDED', true],
    ['trash', 'VOIDED', true],
    ['shipped', 'UNKNOWN', false],
  ])('maps status %s to %s (cancelled: %s)', (status, financialStatus, cancelled) => {
    const order = toShopOrder(raw({ status }));
    expect(order.financialStatus).toBe(financialStatus);
    // Woo keeps no cancellation date: the last change stands for it.
    expect(order.cancelledAt).toBe(cancelled ? '2026-03-01T09:45:00.000Z' : null);
  });

  it('shows an on-hold order without a Stripe authorisation as pending', () => {
    expect(statusView('on-hold', null).financialStatus).toBe('PENDING');
  });

  describe('the WooCommerce Stripe gateway', () => {
    const parsed = (over: Record<string, unknown>) => wooOrderSchema.parse(raw(over));

    it('reads a captured charge as captured and an authorised one as authorised, by the gateway flag first', () => {
      expect(stripePayment(parsed({ meta_data: withMeta(['_stripe_intent_id', 'pi_1'], ['_stripe_charge_captured', 'yes']) }), 100))
        .toEqual({ gateway: 'stripe', paymentId: 'pi_1', kind: 'captured', amountMinor: 100 });
      const authorised = withMeta(['_stripe_intent_id', 'pi_1'], ['_stripe_charge_captured', 'no']);
      expect(stripePayment(parsed({ status: 'processing', meta_data: authorised }), 100)?.kind).toBe('authorised');
    });

    it('without the flag: a charge on a paid order is captured, on an unpaid one authorised', () => {
      const intentOnly = withMeta(['_stripe_intent_id', 'pi_1']);
      expect(stripePayment(parsed({ status: 'processing', date_paid_gmt: '2026-03-01T09:31:00', meta_data: intentOnly }), 1)?.kind).toBe('captured');
      expect(stripePayment(parsed({ status: 'on-hold', meta_data: intentOnly }), 1)?.kind).toBe('authorised');
      expect(stripePayment(parsed({ status: 'cancelled', meta_data: intentOnly }), 1)?.kind).toBe('authorised');
    });

    it('sees no payment before the buyer paid, with another gateway, or without a PaymentIntent', () => {
      expect(stripePayment(parsed({ status: 'pending', transaction_id: '', meta_data: withMeta(['_stripe_intent_id', 'pi_1']) }), 1)).toBeNull();
      expect(stripePayment(parsed({ payment_method: 'paypal' }), 1)).toBeNull();
      expect(stripePayment(parsed({ meta_data: withMeta(['_stripe_intent_id', 'seti_1']) }), 1)).toBeNull();
      expect(stripePayment(parsed({ meta_data: withMeta(['_stripe_intent_id', 42]) }), 1)).toBeNull();
      expect(stripePayment(parsed({ meta_data: [] }), 1)).toBeNull();
    });

    it('maps a paid Stripe order to PAID with the order total captured', () => {
      const order = toShopOrder(raw({ status: 'processing', date_paid_gmt: '2026-03-01T09:31:00' }));
      expect(order).toMatchObject({ financialStatus: 'PAID', payment: { kind: 'captured', paymentId: 'pi_3QxIntent', amountMinor: 7086 } });
    });
  });

  it('maps a guest checkout by its billing details, and an order with nothing to ship without an address', () => {
    const order = toShopOrder(raw({ customer_id: 0, shipping: { first_name: '', last_name: '', address_1: '', city: '', country: '' } }));
    expect(order.customer).toEqual({ id: null, email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', phone: '+33 1 23 45 67 89' });
    expect(order.shippingAddress).toBeNull();
    const anonymous = toShopOrder(raw({ customer_id: 0, billing: { first_name: '', last_name: '', email: '', phone: '' } }));
    expect(anonymous.customer).toBeNull();
    expect(anonymous.email).toBeNull();
  });

  it('reads the ERP references from order meta, and converts Woo GMT dates both ways', () => {
    expect(erpTags({ meta_data: [] })).toEqual([]);
    expect(erpTags({ meta_data: withMeta(['erp_tags', ' erp:SO-1 ,,erp:SO-2 ']) })).toEqual(['erp:SO-1', 'erp:SO-2']);
    expect(fromWooGmt('2026-12-31T23:59:59')).toBe('2026-12-31T23:59:59.000Z');
    expect(toWooGmt(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12-31T23:59:59');
  });
});

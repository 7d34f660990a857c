import {
  accuracyOf, audit, compareCustomer, compareOrder, comparePayment, compareStock, emptyTallies, overall, type Verdict,
} from '../../domain/audit';

/** The audit's verdicts: what agrees, what differs (with which healing), what is out of scope; and the KPI. */

const kinds = (v: Verdict) => (v.compared ? v.discrepancies.map((d) => [d.kind, d.heal]) : 'not compared');

describe('compareCustomer', () => {
  const contact = (erpCustomerNumber: string | null, qualified = true) => ({ erpCustomerNumber, qualified, updatedAt: '2026-11-30T08:00:00.000Z' });
  const pair = (c: ReturnType<typeof contact> | null, erp: string | null) => ({ crm: 'hubspot', contactId: '42', contact: c, erp: erp ? { customerNumber: erp } : null });

  test.each([
    ['bound, same number', pair(contact('C-1001'), 'C-1001'), []],
    ['bound, number removed in the CRM', pair(contact(null), 'C-1001'), [['erp-number-differs', 'restart-lead-flow']]],
    ['bound, another number in the CRM', pair(contact('C-1002'), 'C-1001'), [['erp-number-differs', 'restart-lead-flow']]],
    ['carries a number, binding gone', pair(contact('C-1001'), null), [['binding-missing-in-erp', 'restart-lead-flow']]],
    ['qualified, never converted', pair(contact(null), null), [['customer-missing-in-erp', 'restart-lead-flow']]],
    ['contact gone from the CRM', pair(null, 'C-1001'), [['contact-missing-in-crm', null]]],
    // The lead flow does nothing for a contact that does not qualify: no healing to offer, a person looks.
    ['not qualified, number removed', pair(contact(null, false), 'C-1001'), [['erp-number-differs', null]]],
  ])('%s', (_what, p, expected) => {
    expect(kinds(compareCustomer(p))).toEqual(expected);
  });

  test('a plain lead the ERP never heard of is not compared', () => {
    expect(compareCustomer(pair(contact(null, false), null))).toEqual({ compared: false });
  });

  test('a discrepancy names the contact by business key and carries both sides', () => {
    const v = compareCustomer(pair(contact(null), 'C-1001'));
    expect(v).toEqual({
      compared: true,
      discrepancies: [{
        entity: 'customers', connection: 'hubspot', subject: 'hubspot:contact:42', kind: 'erp-number-differs',
        erp: { customerNumber: 'C-1001' }, vendor: contact(null), heal: 'restart-lead-flow',
      }],
    });
  });
});

describe('compareOrder', () => {
  const shopOrder = (totalMinor = 2400, cancelled = false, currency = 'USD') => ({ name: '#1001', totalMinor, currency, cancelled });
  const erp = (totalMinor = 2400, status = 'invoiced', currency = 'USD') => ({ orderNumber: 'SO-10001', totalMinor, currency, status });
  const pair = (s: ReturnType<typeof shopOrder> | null, e: ReturnType<typeof erp> | null) => ({ shop: 'woocommerce', shopOrderId: '7', shopOrder: s, erp: e });

  test.each([
    ['in step', pair(shopOrder(), erp()), []],
    ['both cancelled', pair(shopOrder(2400, true), erp(2400, 'cancelled')), []],
    ['the ERP never got it', pair(shopOrder(), null), [['missing-in-erp', 'start-order-flow']]],
    ['the shop deleted it', pair(null, erp()), [['missing-in-shop', null]]],
    ['totals differ', pair(shopOrder(2400), erp(2500)), [['total-differs', null]]],
    ['currencies differ', pair(shopOrder(2400, false, 'EUR'), erp()), [['total-differs', null]]],
    ['cancelled in the shop only', pair(shopOrder(2400, true), erp()), [['status-differs', null]]],
    ['cancelled in the ERP only', pair(shopOrder(), erp(2400, 'cancelled')), [['status-differs', null]]],
    ['total and status both differ', pair(shopOrder(2400, true), erp(2500)), [['total-differs', null], ['status-differs', null]]],
  ])('%s', (_what, p, expected) => {
    expect(kinds(compareOrder(p))).toEqual(expected);
  });

  test('a cancelled order the ERP never had, or one neither side has, is not compared', () => {
    expect(compareOrder(pair(shopOrder(2400, true), null))).toEqual({ compared: false });
    expect(compareOrder(pair(null, null))).toEqual({ compared: false });
  });

  test('the subject is the order business key of its shop', () => {
    const v = compareOrder(pair(shopOrder(), null));
    expect(v.compared && v.discrepancies[0]!.subject).toBe('woocommerce:order:7');
  });
});

describe('comparePayment', () => {
  const side = (amountMinor = 5000, status = 'captured', currency = 'USD') => ({ amountMinor, currency, status });
  const pair = (provider: ReturnType<typeof side> | null, erp: ReturnType<typeof side> | null) => ({ payments: 'stripe', paymentId: 'pi_1', provider, erp });

  test.each([
    ['booked', pair(side(), side()), []],
    ['booked, refunded since', pair(side(), side(5000, 'refunded')), []],
    ['never booked', pair(side(), null), [['missing-in-erp', 'start-payment-flow']]],
    ['booked, unknown to the provider', pair(null, side()), [['missing-at-provider', null]]],
    ['amounts differ', pair(side(5000), side(5001)), [['amount-differs', null]]],
    ['currencies differ', pair(side(5000, 'captured', 'EUR'), side()), [['amount-differs', null]]],
    ['captured in the ERP, cancelled at the provider', pair(side(5000, 'cancelled'), side()), [['status-differs', null]]],
  ])('%s', (_what, p, expected) => {
    expect(kinds(comparePayment(p))).toEqual(expected);
  });

  test('a payment the provider did not take is nothing the ERP must have', () => {
    expect(comparePayment(pair(side(5000, 'cancelled'), null))).toEqual({ compared: false });
  });
});

describe('compareStock', () => {
  const pair = (shopQuantity: number | null, sellable: number | null, sync = true) =>
    ({ shop: 'shopify', sku: 'TEE', shopQuantity, location: shopQuantity === null ? null : 'loc-1', erp: sellable === null ? null : { sellable, sync } });

  test.each([
    ['same quantity', pair(7, 7), []],
    ['changed in the shop behind the ERP', pair(9, 7), [['quantity-differs', 'repush-stock']]],
    ['not listed in the shop', pair(null, 7), [['sku-missing-in-shop', null]]],
    ['unknown to the ERP', pair(3, null), [['sku-missing-in-erp', null]]],
  ])('%s', (_what, p, expected) => {
    expect(kinds(compareStock(p))).toEqual(expected);
  });

  test('the shop side names where the quantity was read, for the push that heals it', () => {
    const v = compareStock(pair(9, 7));
    expect(v.compared && v.discrepancies[0]).toMatchObject({ subject: 'shopify:stock:TEE', vendor: { available: 9, location: 'loc-1' }, erp: { sellable: 7, sync: true } });
  });

  test('a "no sync" SKU is the shop\'s own business', () => {
    expect(compareStock(pair(99, 7, false))).toEqual({ compared: false });
  });
});

describe('the accuracy KPI', () => {
  test('matching / compared per entity and overall; a record with two differences counts once', () => {
    const tallies = emptyTallies();
    const orders = [
      { shop: 's', shopOrderId: '1', shopOrder: { name: '#1', totalMinor: 1, currency: 'USD', cancelled: false }, erp: { orderNumber: 'SO-1', totalMinor: 1, currency: 'USD', status: 'paid' } },
      { shop: 's', shopOrderId: '2', shopOrder: { name: '#2', totalMinor: 1, currency: 'USD', cancelled: true }, erp: { orderNumber: 'SO-2', totalMinor: 2, currency: 'USD', status: 'paid' } },
      { shop: 's', shopOrderId: '3', shopOrder: { name: '#3', totalMinor: 1, currency: 'USD', cancelled: true }, erp: null },
    ];
    const found = audit('orders', orders, compareOrder, tallies);
    audit('stock', [{ shop: 's', sku: 'A', shopQuantity: 1, location: 'l', erp: { sellable: 1, sync: true } }], compareStock, tallies);
    expect(found.map((d) => d.kind)).toEqual(['total-differs', 'status-differs']);
    expect(tallies.orders).toEqual({ compared: 2, matching: 1 });
    expect(tallies.stock).toEqual({ compared: 1, matching: 1 });
    expect(overall(tallies)).toEqual({ compared: 3, matching: 2 });
    expect(accuracyOf(tallies.orders)).toBe(0.5);
    expect(accuracyOf(overall(tallies))).toBeCloseTo(2 / 3);
  });

  test('nothing compared is full accuracy: nothing disagrees', () => {
    expect(accuracyOf({ compared: 0, matching: 0 })).toBe(1);
    expect(accuracyOf(emptyTallies().payments)).toBe(1);
  });
});
